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
  std::string method = "normal";  // "normal" (Cholesky), "cg", or "ipm" (parameter-mixing SGD)
  double lambda = 1.0;            // penalty: (1/2n)|y - Xw - b|^2 + lambda/2 |w|^2
  bool intercept = true;          // an unpenalised intercept b
  double tolerance = 1e-10;       // cg: stop when |residual| <= tolerance * |right-hand side|
  int max_rounds = 1000;          // cg: iterations at most
  int block_rows = 256;           // normal: Gram-matrix rows per server key
  double learning_rate = 0;       // ipm: the SGD step (required)
  double decay = 0.1;             // ipm: step at pass t = learning_rate / (1 + decay t)
  int batch_size = 100;           // ipm: rows per SGD step
  int rounds = 50;                // ipm: passes over the data
  // The sums are complete only when every worker has added its own: BSP.
  static constexpr int staleness = 0;

  static ridge_config from(const config& cfg);
};

}  // namespace paracel::alg
