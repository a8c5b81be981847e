#include "ridge_config.hpp"

namespace paracel::alg {

ridge_config ridge_config::from(const config& cfg) {
  ridge_config c;
  c.input = cfg.get<std::string>("input");
  c.test_input = cfg.get<std::string>("test_input", c.test_input);
  c.output = cfg.get<std::string>("output");
  c.format = cfg.get<std::string>("format", c.format);
  c.method = cfg.get<std::string>("method", c.method);
  c.lambda = cfg.get<double>("lambda", c.lambda);
  c.intercept = cfg.get<bool>("intercept", c.intercept);
  c.tolerance = cfg.get<double>("tolerance", c.tolerance);
  c.max_rounds = cfg.get<int>("max_rounds", c.max_rounds);
  c.block_rows = cfg.get<int>("block_rows", c.block_rows);
  c.learning_rate = cfg.get<double>("learning_rate", c.learning_rate);
  c.decay = cfg.get<double>("decay", c.decay);
  c.batch_size = cfg.get<int>("batch_size", c.batch_size);
  c.rounds = cfg.get<int>("rounds", c.rounds);
  cfg.check_no_unknown();
  cfg.require(c.format == "libsvm" || c.format == "csv",
              "format must be \"libsvm\" or \"csv\", not \"" + c.format + "\"");
  cfg.require(c.method == "normal" || c.method == "cg" || c.method == "ipm",
              "method must be \"normal\", \"cg\" or \"ipm\", not \"" + c.method + "\"");
  cfg.require(c.method != "ipm" || c.learning_rate > 0, "ipm needs a learning_rate > 0");
  cfg.require(c.decay >= 0, "decay must not be negative");
  cfg.require(c.batch_size > 0, "batch_size must be > 0");
  cfg.require(c.rounds > 0, "rounds must be > 0");
  cfg.require(c.lambda >= 0, "lambda must not be negative");
  cfg.require(c.tolerance > 0, "tolerance must be > 0");
  cfg.require(c.max_rounds > 0, "max_rounds must be > 0");
  cfg.require(c.block_rows > 0, "block_rows must be > 0");
  return c;
}

}  // namespace paracel::alg
