// Labelled examples for the linear models (logistic regression, ridge): this worker's rows as
// a sparse matrix and their labels.
#pragma once

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <cstdint>
#include <string>

#include "paracel/paralg.hpp"

namespace paracel::alg {

struct examples {
  Eigen::SparseMatrix<double, Eigen::RowMajor> x;  // this worker's rows x model dimension
  Eigen::VectorXd y;            // the labels; with binary_labels +1 or -1 (a label > 0 is positive)
  std::int64_t total_rows = 0;  // over all workers
};

// Loads this worker's share of `input` ("libsvm", or "csv": features..., label). With `bias`
// the last column is a constant 1. The model dimension is `features` (+1 with bias), or,
// when `features` is 0, the largest feature count on any worker; features beyond it are
// dropped (a model never learned them). Collective; a malformed line is an error naming
// its file and line on every worker.
examples load_examples(paralg& alg, const std::string& input, const std::string& format, bool bias,
                       std::int64_t features = 0, bool binary_labels = true);

}  // namespace paracel::alg
