// The whole driver of an algorithm: MPI up, its config from --cfg_file (prun.py's -c), the
// servers from --server_info, the config's output folder and (when it has one) staleness in
// the paralg options, solve(), and any error printed as "<name>: <what>" with exit status 1
// on the worker that saw it (every worker sees a config or input error).
#pragma once

#include <exception>
#include <string>
#include <utility>

#include "paracel/comm.hpp"
#include "paracel/config.hpp"
#include "paracel/log.hpp"
#include "paracel/paralg.hpp"

namespace paracel::alg {

template <class Algorithm, class Config>
int run_algorithm(int argc, char** argv, const char* name) {
  mpi_environment mpi(argc, argv);
  log::set_identity("worker " + std::to_string(comm().rank()));  // before any config error
  try {
    auto cfg = Config::from(config::from_args(argc, argv));
    auto options = paralg_options::from_args(argc, argv);
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
