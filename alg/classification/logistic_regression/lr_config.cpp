#include "lr_config.hpp"

#include <set>
#include <sstream>

#include "paracel/error.hpp"

namespace paracel::alg {

lr_config lr_config::from(const config& cfg) {
  lr_config c;
  c.mode = cfg.get<std::string>("mode", c.mode);
  c.input = cfg.get<std::string>("input");
  c.output = cfg.get<std::string>("output");
  c.format = cfg.get<std::string>("format", c.format);
  c.bias = cfg.get<bool>("bias", c.bias);
  c.block_size = cfg.get<int>("block_size", c.block_size);
  if (c.mode == "predict") {
    c.model_input = cfg.get<std::string>("model_input");
  } else {
    c.test_input = cfg.get<std::string>("test_input", c.test_input);
    c.method = cfg.get<std::string>("method", c.method);
    c.rounds = cfg.get<int>("rounds", c.rounds);
    c.batch_size = cfg.get<int>("batch_size", c.batch_size);
    c.fetch_every = cfg.get<int>("fetch_every", c.fetch_every);
    c.push_every = cfg.get<int>("push_every", c.push_every);
    c.lbfgs_memory = cfg.get<int>("lbfgs_memory", c.lbfgs_memory);
    c.learning_rate = cfg.get<double>("learning_rate", c.learning_rate);
    c.decay = cfg.get<double>("decay", c.decay);
    c.l2 = cfg.get<double>("l2", c.l2);
    c.staleness = cfg.get<int>("staleness", c.staleness);
    c.eval_every = cfg.get<int>("eval_every", c.eval_every);
    c.seed = static_cast<unsigned>(cfg.get<int>("seed", static_cast<int>(c.seed)));
    c.slow_workers = cfg.get<std::string>("slow_workers", c.slow_workers);
    c.slow_ms = cfg.get<double>("slow_ms", c.slow_ms);
    c.slow_prob = cfg.get<double>("slow_prob", c.slow_prob);
  }
  cfg.check_no_unknown();
  cfg.require(c.mode == "train" || c.mode == "predict",
              "mode must be \"train\" or \"predict\", not \"" + c.mode + "\"");
  cfg.require(c.format == "libsvm" || c.format == "csv",
              "format must be \"libsvm\" or \"csv\", not \"" + c.format + "\"");
  const std::set<std::string> methods = {"dgd", "ipm", "downpour", "agd", "lbfgs"};
  cfg.require(methods.count(c.method) == 1,
              "method must be one of dgd, ipm, downpour, agd, lbfgs, not \"" + c.method + "\"");
  cfg.require(c.lbfgs_memory > 0, "lbfgs_memory must be > 0");
  cfg.require(c.rounds > 0, "rounds must be > 0");
  cfg.require(c.batch_size > 0, "batch_size must be > 0");
  cfg.require(c.fetch_every > 0 && c.push_every > 0, "fetch_every and push_every must be > 0");
  cfg.require(c.method == "downpour" || (c.fetch_every == 1 && c.push_every == 1),
              "fetch_every and push_every apply to method downpour only");
  cfg.require(c.block_size > 0, "block_size must be > 0");
  cfg.require(c.learning_rate >= 0 && c.decay >= 0 && c.l2 >= 0,
              "learning_rate, decay and l2 must not be negative");
  cfg.require(
      c.method == "dgd" || c.method == "lbfgs" || c.mode == "predict" || c.learning_rate > 0,
      "method " + c.method + " needs a learning_rate > 0");
  cfg.require(c.slow_workers.find_first_not_of("0123456789,") == std::string::npos ||
                  c.slow_workers == "all",
              "slow_workers must be \"all\" or worker ids like \"1,3\"");
  cfg.require(c.slow_prob >= 0 && c.slow_prob <= 1 && c.slow_ms >= 0,
              "slow_prob must be in [0, 1] and slow_ms >= 0");
  return c;
}

bool lr_config::slowed(int worker) const {
  if (slow_workers == "all") return true;
  std::stringstream ids(slow_workers);
  for (std::string id; std::getline(ids, id, ',');) {
    if (!id.empty() && std::stoi(id) == worker) return true;
  }
  return false;
}

}  // namespace paracel::alg
