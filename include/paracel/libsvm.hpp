// LIBSVM input ("label idx:val idx:val ...", 1-based increasing indices), split across
// workers by lines. Features become an Eigen sparse row-major matrix with 0-based columns.
#pragma once

#include <Eigen/Sparse>
#include <cstdint>
#include <string>
#include <vector>

#include "paracel/comm.hpp"
#include "paracel/export.hpp"

namespace paracel {

struct libsvm_data {
  Eigen::SparseMatrix<double, Eigen::RowMajor> features;  // this worker's rows x dimension
  std::vector<double> labels;                             // one per row
  std::uint64_t dimension = 0;  // largest index on any worker (columns of `features`)
};

// Loads this worker's share of the files. A malformed line is a paracel::error naming its
// file and line. Collective (the dimension is agreed on by all workers).
PARACEL_EXPORT libsvm_data load_libsvm(const comm& workers, const std::vector<std::string>& files);

}  // namespace paracel
