// The vertex_programs driver's job: loads the graph into the chosen program, runs it, and
// writes every vertex's value and the metrics.
#pragma once

#include "paracel/paralg.hpp"
#include "vertex_config.hpp"

namespace paracel::alg {

class vertex_job {
 public:
  vertex_job(paralg_options options, vertex_config cfg)
      : options_(std::move(options)), cfg_(std::move(cfg)) {}
  void solve();

 private:
  paralg_options options_;
  vertex_config cfg_;
};

}  // namespace paracel::alg
