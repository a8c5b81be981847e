#include "lr_config.hpp"

#include <set>
#include <sstream>

#include "paracel/error.hpp"

namespace paracel::alg {

namespace {

void require(bool ok, const config& cfg, const std::string& what) {
  if (!ok) throw error("config " + cfg.origin() + ": " + what);
}

}  // namespace

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
  require(c.mode == "train" || c.mode == "predict", cfg,
          "mode must be \"train\" or \"predict\", not \"" + c.mode + "\"");
  require(c.format == "libsvm" || c.format == "csv", cfg,
          "format must be \"libsvm\" or \"csv\", not \"" + c.format + "\"");
  const std::set<std::string> methods = {"dgd", "ipm", "downpour", "agd"};
  require(methods.count(c.method) == 1, cfg,
          "method must be one of dgd, ipm, downpour, agd, not \"" + c.method + "\"");
  require(c.rounds > 0, cfg, "rounds must be > 0");
  require(c.batch_size > 0, cfg, "batch_size must be > 0");
  require(c.block_size > 0, cfg, "block_size must be > 0");
  require(c.learning_rate >= 0 && c.decay >= 0 && c.l2 >= 0, cfg,
          "learning_rate, decay and l2 must not be negative");
  require(c.method == "dgd" || c.mode == "predict" || c.learning_rate > 0, cfg,
          "method " + c.method + " needs a learning_rate > 0");
  require(c.slow_workers.find_first_not_of("0123456789,") == std::string::npos ||
              c.slow_workers == "all",
          cfg, "slow_workers must be \"all\" or worker ids like \"1,3\"");
  require(c.slow_prob >= 0 && c.slow_prob <= 1 && c.slow_ms >= 0, cfg,
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
