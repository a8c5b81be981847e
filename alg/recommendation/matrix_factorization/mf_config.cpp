#include "mf_config.hpp"

#include "paracel/error.hpp"

namespace paracel::alg {

mf_config mf_config::from(const config& cfg) {
  mf_config c;
  c.mode = cfg.get<std::string>("mode", c.mode);
  c.input = cfg.get<std::string>("input");
  c.output = cfg.get<std::string>("output");
  if (c.mode == "predict") {
    c.model_input = cfg.get<std::string>("model_input");
  } else {
    c.test_input = cfg.get<std::string>("test_input", c.test_input);
    c.rank = cfg.get<int>("rank", c.rank);
    c.epochs = cfg.get<int>("epochs", c.epochs);
    c.learning_rate = cfg.get<double>("learning_rate", c.learning_rate);
    c.decay = cfg.get<double>("decay", c.decay);
    c.l2 = cfg.get<double>("l2", c.l2);
    c.staleness = cfg.get<int>("staleness", c.staleness);
    c.block_items = cfg.get<int>("block_items", c.block_items);
    c.seed = static_cast<std::uint64_t>(cfg.get<std::int64_t>("seed", 1));
  }
  cfg.check_no_unknown();
  cfg.require(c.mode == "train" || c.mode == "predict",
              "mode must be \"train\" or \"predict\", not \"" + c.mode + "\"");
  cfg.require(c.rank >= 0, "rank must not be negative");
  cfg.require(c.epochs > 0, "epochs must be > 0");
  cfg.require(c.learning_rate > 0 && c.decay > 0 && c.l2 >= 0,
              "learning_rate and decay must be > 0, l2 >= 0");
  cfg.require(c.block_items > 0, "block_items must be > 0");
  return c;
}

}  // namespace paracel::alg
