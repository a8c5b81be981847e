// The configuration of ridge regression (alg/regression/ridge/README.md lists every key).
#pragma once

#include <string>

#include "paracel/config.hpp"

namespace paracel::alg {

struct ridge_config {
  std::string input;              // training examples
  std::string test_input;         // optional held-out examples
  std::string output;             // folder for the model and metrics
  std::string format = "libsvm";  // or "csv" (features..., label)
  std::string method = "normal";  // "normal" (normal equations, Cholesky) or "cg"
  double lambda = 1.0;            // penalty: (1/2n)|y - Xw - b|^2 + lambda/2 |w|^2
  bool intercept = true;          // an unpenalised intercept b
  double tolerance = 1e-10;       // cg: stop when |residual| <= tolerance * |right-hand side|
  int max_rounds = 1000;          // cg: iterations at most
  int block_rows = 256;           // normal: Gram-matrix rows per server key
  // The sums are complete only when every worker has added its own: BSP.
  static constexpr int staleness = 0;

  static ridge_config from(const config& cfg);
};

}  // namespace paracel::alg
