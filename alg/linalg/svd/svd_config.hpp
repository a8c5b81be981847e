// The configuration of the truncated SVD (see README.md for every key).
#pragma once

#include <cstdint>
#include <string>

#include "paracel/config.hpp"

namespace paracel::alg {

struct svd_config {
  std::string input;
  std::string output;
  std::string format = "triples";  // "triples", "dense" or "libsvm" (named_rows.hpp)
  bool transpose = false;          // triples: the second field names the row
  int rank = 10;                   // singular triplets wanted
  std::string method = "krylov";   // "krylov" (to a tolerance) or "randomized" (fixed passes)
  int oversampling = -1;           // extra vectors in a block (default: 2 krylov, 10 randomized)
  int power_iterations = 7;        // randomized: products with A'A after the first
  double tolerance = 1e-10;        // krylov: |A'u - sigma v| <= tolerance * sigma_1, each triplet
  int max_iterations = 100;        // krylov: blocks at most
  bool center = false;             // subtract the column means first (PCA)
  std::uint64_t seed = 1;          // the random start block

  int block() const { return rank + oversampling; }
  static svd_config from(const config& cfg);
};

}  // namespace paracel::alg
