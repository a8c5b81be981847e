#include "kmeans_config.hpp"

#include "paracel/error.hpp"

namespace paracel::alg {

kmeans_config kmeans_config::from(const config& cfg) {
  kmeans_config c;
  c.input = cfg.get<std::string>("input");
  c.output = cfg.get<std::string>("output");
  c.k = cfg.get<int>("k", c.k);
  c.init = cfg.get<std::string>("init", c.init);
  if (c.init == "file") c.init_centres = cfg.get<std::string>("init_centres");
  c.max_rounds = cfg.get<int>("max_rounds", c.max_rounds);
  c.tolerance = cfg.get<double>("tolerance", c.tolerance);
  c.seed = static_cast<std::uint64_t>(cfg.get<std::int64_t>("seed", 1));
  c.dump_assignments = cfg.get<bool>("dump_assignments", c.dump_assignments);
  cfg.check_no_unknown();
  cfg.require(c.k > 0, "k must be > 0");
  cfg.require(c.init == "kmeans++" || c.init == "random" || c.init == "file",
              "init must be \"kmeans++\", \"random\" or \"file\", not \"" + c.init + "\"");
  cfg.require(c.max_rounds > 0, "max_rounds must be > 0");
  cfg.require(c.tolerance >= 0, "tolerance must not be negative");
  return c;
}

}  // namespace paracel::alg
