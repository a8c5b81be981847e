// The whole driver of an algorithm: MPI up, its config from --cfg_file (prun.py's -c), the
// servers from --server_info, the config's output folder, checkpoint keys (docs/checkpoints.md)
// and (when it has one) staleness in the paralg options, solve(), and any error printed as "<name>:
// <what>" with exit status 1 on the worker that saw it (every worker sees a config or input error).
#pragma once

#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "paracel/comm.hpp"
#include "paracel/config.hpp"
#include "paracel/log.hpp"
#include "paracel/paralg.hpp"

namespace paracel::alg {

inline bool has_flag(int argc, char** argv, std::string_view prefix) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]).starts_with(prefix)) return true;
  }
  return false;
}

template <class Algorithm, class Config>
int run_algorithm(int argc, char** argv, const char* name) {
  mpi_environment mpi(argc, argv);
  log::set_identity("worker " + std::to_string(comm().rank()));  // before any config error
  try {
    const auto raw = config::from_args(argc, argv);
    auto options = paralg_options::from_args(argc, argv);
    // prun.py reads the checkpoint keys of the config (and passes them as flags, which win);
    // taken here too for a program started without it.
    const auto folder = raw.get<std::string>("checkpoint_dir", "");
    if (options.checkpoint_dir.empty()) options.checkpoint_dir = folder;
    const int every = raw.get<int>("checkpoint_every", 0);
    const int keep = raw.get<int>("checkpoint_keep", 2);
    if (!has_flag(argc, argv, "--checkpoint_every=")) options.checkpoint_every = every;
    if (!has_flag(argc, argv, "--checkpoint_keep=")) options.checkpoint_keep = keep;
    auto cfg = Config::from(raw);
    options.output = cfg.output;
    if constexpr (requires { cfg.staleness; }) options.staleness = cfg.staleness;
    Algorithm job(std::move(options), std::move(cfg));
    job.solve();
  } catch (const std::exception& e) {
    log::error(name, ": ", e.what());
    return 1;
  }
  return 0;
}

}  // namespace paracel::alg
