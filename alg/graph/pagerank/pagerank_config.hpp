// The configuration of PageRank (see README.md for every key).
#pragma once

#include <string>

#include "paracel/config.hpp"

namespace paracel::alg {

struct pagerank_config {
  std::string input;   // "src dst" edge lines
  std::string output;  // folder for the ranks
  // The MPI reductions of each iteration order its phases: reads never wait on the clocks.
  static constexpr int staleness = -1;
  double damping = 0.85;    // probability of following a link
  double tolerance = 1e-9;  // stop when the L1 change of an iteration is below it
  int max_rounds = 100;     // or after this many iterations
  int block_size = 4096;    // vertices per parameter-server key

  static pagerank_config from(const config& cfg);
};

}  // namespace paracel::alg
