// The configuration of k-means (see README.md for every key).
#pragma once

#include <cstdint>
#include <string>

#include "paracel/config.hpp"

namespace paracel::alg {

struct kmeans_config {
  std::string input;                   // points, "x1 x2 ... xd" per line
  std::string output;                  // folder for centres, assignments, metrics
  static constexpr int staleness = 0;  // BSP: an iteration needs every worker's whole sums
  int k = 10;                          // clusters
  std::string init = "kmeans++";       // "kmeans++", "random" (k distinct points) or "file"
  std::string init_centres;            // init "file": k lines of d numbers
  int max_rounds = 100;                // Lloyd iterations at most
  double tolerance = 1e-9;             // stop when no centre moves more than this
  std::uint64_t seed = 1;              // of the initialisation
  bool dump_assignments = false;       // write each point's cluster

  static kmeans_config from(const config& cfg);
};

}  // namespace paracel::alg
