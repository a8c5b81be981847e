#include "pagerank_config.hpp"

#include "paracel/error.hpp"

namespace paracel::alg {

pagerank_config pagerank_config::from(const config& cfg) {
  pagerank_config c;
  c.input = cfg.get<std::string>("input");
  c.output = cfg.get<std::string>("output");
  c.damping = cfg.get<double>("damping", c.damping);
  c.tolerance = cfg.get<double>("tolerance", c.tolerance);
  c.max_rounds = cfg.get<int>("max_rounds", c.max_rounds);
  c.block_size = cfg.get<int>("block_size", c.block_size);
  cfg.check_no_unknown();
  cfg.require(c.damping > 0 && c.damping < 1, "damping must be in (0, 1)");
  cfg.require(c.tolerance >= 0, "tolerance must not be negative");
  cfg.require(c.max_rounds > 0, "max_rounds must be > 0");
  cfg.require(c.block_size > 0, "block_size must be > 0");
  return c;
}

}  // namespace paracel::alg
