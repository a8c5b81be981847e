// Sums over all workers formed on the parameter servers, for the algorithms that need a
// global total of per-worker vectors (column statistics, Gram matrices, gradients).
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "paracel/paralg.hpp"

namespace paracel::alg {

// The sum over workers of every worker's `local`: each adds its vector with the built-in
// add under the keys `<key>/<block>` (blocks of 64 Ki doubles, so that no value is huge),
// then, after paracel_sync, reads the total. Collective; the keys stay (remove them by
// prefix).
Eigen::VectorXd sum_over_workers(paralg& alg, const std::string& key, const Eigen::VectorXd& local);

inline std::vector<double> to_std(const Eigen::VectorXd& v) {
  return {v.data(), v.data() + v.size()};
}

}  // namespace paracel::alg
