#include "lasso_config.hpp"

namespace paracel::alg {

lasso_config lasso_config::from(const config& cfg) {
  lasso_config c;
  c.input = cfg.get<std::string>("input");
  c.test_input = cfg.get<std::string>("test_input", c.test_input);
  c.output = cfg.get<std::string>("output");
  c.format = cfg.get<std::string>("format", c.format);
  if (cfg.has("lambda")) c.lambda = cfg.get<double>("lambda");
  c.path_length = cfg.get<int>("path_length", c.lambda ? 1 : c.path_length);
  c.min_lambda_ratio = cfg.get<double>("min_lambda_ratio", c.min_lambda_ratio);
  c.intercept = cfg.get<bool>("intercept", c.intercept);
  c.standardize = cfg.get<bool>("standardize", c.standardize);
  c.tolerance = cfg.get<double>("tolerance", c.tolerance);
  c.max_passes = cfg.get<int>("max_passes", c.max_passes);
  c.schedule = cfg.get<std::string>("schedule", c.schedule);
  c.schedule_size = cfg.get<int>("schedule_size", c.schedule_size);
  c.staleness = cfg.get<int>("staleness", c.staleness);
  cfg.check_no_unknown();
  cfg.require(c.format == "libsvm" || c.format == "csv",
              "format must be \"libsvm\" or \"csv\", not \"" + c.format + "\"");
  cfg.require(!c.lambda || *c.lambda >= 0, "lambda must not be negative");
  cfg.require(c.path_length > 0, "path_length must be > 0");
  cfg.require(c.min_lambda_ratio >= 0 && c.min_lambda_ratio < 1,
              "min_lambda_ratio must be in [0, 1)");
  cfg.require(!(c.lambda && cfg.has("min_lambda_ratio")),
              "give lambda (the path ends there) or min_lambda_ratio, not both");
  cfg.require(c.tolerance > 0, "tolerance must be > 0");
  cfg.require(c.max_passes > 0, "max_passes must be > 0");
  cfg.require(c.schedule == "cyclic" || c.schedule == "priority",
              "schedule must be \"cyclic\" or \"priority\", not \"" + c.schedule + "\"");
  cfg.require(c.schedule_size > 0, "schedule_size must be > 0");
  cfg.require(c.staleness >= 0,
              "staleness must be >= 0 (a round's sums must be complete when it is applied)");
  return c;
}

}  // namespace paracel::alg
