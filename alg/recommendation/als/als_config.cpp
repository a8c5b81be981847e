#include "als_config.hpp"

namespace paracel::alg {

als_config als_config::from(const config& cfg) {
  als_config c;
  c.mode = cfg.get<std::string>("mode", c.mode);
  c.input = cfg.get<std::string>("input");
  c.output = cfg.get<std::string>("output");
  if (c.mode == "predict") {
    c.model_input = cfg.get<std::string>("model_input");
  } else {
    c.test_input = cfg.get<std::string>("test_input", c.test_input);
    c.feedback = cfg.get<std::string>("feedback", c.feedback);
    c.rank = cfg.get<int>("rank", c.rank);
    c.iterations = cfg.get<int>("iterations", c.iterations);
    c.lambda = cfg.get<double>("lambda", c.lambda);
    c.regularization = cfg.get<std::string>("regularization", c.implicit() ? "plain" : "weighted");
    c.alpha = cfg.get<double>("alpha", c.alpha);
    c.solver = cfg.get<std::string>("solver", c.solver);
    c.cg_steps = cfg.get<int>("cg_steps", c.cg_steps);
    c.tolerance = cfg.get<double>("tolerance", c.tolerance);
    c.block_rows = cfg.get<int>("block_rows", c.block_rows);
    c.seed = static_cast<std::uint64_t>(cfg.get<std::int64_t>("seed", 1));
    c.initial_item_factors = cfg.get<std::string>("initial_item_factors", "");
  }
  cfg.check_no_unknown();
  cfg.require(c.mode == "train" || c.mode == "predict",
              "mode must be \"train\" or \"predict\", not \"" + c.mode + "\"");
  cfg.require(c.feedback == "explicit" || c.feedback == "implicit",
              "feedback must be \"explicit\" or \"implicit\", not \"" + c.feedback + "\"");
  cfg.require(c.mode == "predict" || c.regularization == "weighted" || c.regularization == "plain",
              "regularization must be \"weighted\" or \"plain\", not \"" + c.regularization + "\"");
  cfg.require(c.solver == "cholesky" || c.solver == "cg",
              "solver must be \"cholesky\" or \"cg\", not \"" + c.solver + "\"");
  cfg.require(c.rank > 0, "rank must be > 0");
  cfg.require(c.iterations > 0, "iterations must be > 0");
  // Explicit rows are solved from their ratings alone: without a penalty a row with fewer
  // ratings than the rank has no unique solution.
  cfg.require(c.lambda > 0, "lambda must be > 0");
  cfg.require(c.alpha >= 0, "alpha must not be negative");
  cfg.require(c.cg_steps > 0, "cg_steps must be > 0");
  cfg.require(c.tolerance >= 0, "tolerance must not be negative");
  cfg.require(c.block_rows > 0, "block_rows must be > 0");
  return c;
}

}  // namespace paracel::alg
