#include "svd_config.hpp"

namespace paracel::alg {

svd_config svd_config::from(const config& cfg) {
  svd_config c;
  c.input = cfg.get<std::string>("input");
  c.output = cfg.get<std::string>("output");
  c.format = cfg.get<std::string>("format", c.format);
  c.transpose = cfg.get<bool>("transpose", c.transpose);
  c.rank = cfg.get<int>("rank", c.rank);
  c.method = cfg.get<std::string>("method", c.method);
  // Block Lanczos gains little from a wider block, whose cost grows with the basis; the
  // randomized range finder needs the extra vectors (Halko et al. suggest 5 to 10).
  c.oversampling = cfg.get<int>("oversampling", c.method == "krylov" ? 2 : 10);
  c.power_iterations = cfg.get<int>("power_iterations", c.power_iterations);
  c.tolerance = cfg.get<double>("tolerance", c.tolerance);
  c.max_iterations = cfg.get<int>("max_iterations", c.max_iterations);
  c.center = cfg.get<bool>("center", c.center);
  c.seed = static_cast<std::uint64_t>(cfg.get<std::int64_t>("seed", 1));
  cfg.check_no_unknown();
  cfg.require(c.format == "triples" || c.format == "dense" || c.format == "libsvm",
              "format must be \"triples\", \"dense\" or \"libsvm\", not \"" + c.format + "\"");
  cfg.require(!c.transpose || c.format == "triples", "transpose applies to triples only");
  cfg.require(c.method == "krylov" || c.method == "randomized",
              "method must be \"krylov\" or \"randomized\", not \"" + c.method + "\"");
  cfg.require(c.rank > 0, "rank must be > 0");
  cfg.require(c.oversampling >= 0, "oversampling must not be negative");
  cfg.require(c.power_iterations >= 0, "power_iterations must not be negative");
  cfg.require(c.tolerance > 0, "tolerance must be > 0");
  cfg.require(c.max_iterations > 0, "max_iterations must be > 0");
  return c;
}

}  // namespace paracel::alg
