// The configuration of the Lasso (alg/regression/lasso/README.md lists every key).
#pragma once

#include <optional>
#include <string>

#include "paracel/config.hpp"

namespace paracel::alg {

struct lasso_config {
  std::string input;              // training examples
  std::string test_input;         // optional held-out examples
  std::string output;             // folder for the model, the path and the metrics
  std::string format = "libsvm";  // or "csv" (features..., label)
  // The penalty of 1/(2n)|y - Xw - b|^2 + lambda |w|_1. Absent: a path of path_length
  // values from lambda_max (the smallest that gives w = 0) down to min_lambda_ratio times it.
  // Given: path_length values from lambda_max down to it (1, the default then: it alone).
  std::optional<double> lambda;
  int path_length = 100;
  double min_lambda_ratio = 0;  // 0: 1e-4 when rows > columns, else 1e-2 (glmnet's)
  bool intercept = true;        // an unpenalised intercept b
  bool standardize = false;     // penalise w_j times the column's standard deviation
  // Stop a penalty when a pass over every coordinate changes none by more than this:
  // max_j v_j (delta w_j)^2 <= tolerance * var(y) (v_j: the column's variance), glmnet's rule.
  double tolerance = 1e-7;
  int max_passes = 100000;          // per penalty
  std::string schedule = "cyclic";  // or "priority": largest recent change first
  int schedule_size = 32;           // coordinates updated per round
  int staleness = 0;                // rounds in flight (SSP bound)

  static lasso_config from(const config& cfg);
};

}  // namespace paracel::alg
