#include "server_sum.hpp"

#include <algorithm>

namespace paracel::alg {

namespace {
constexpr Eigen::Index k_block_doubles = 1 << 16;
}

Eigen::VectorXd sum_over_workers(paralg& alg, const std::string& key,
                                 const Eigen::VectorXd& local) {
  std::vector<std::string> keys;
  std::vector<std::vector<double>> parts;
  for (Eigen::Index at = 0; at < local.size(); at += k_block_doubles) {
    const Eigen::Index len = std::min(k_block_doubles, local.size() - at);
    keys.push_back(key + "/" + std::to_string(at / k_block_doubles));
    parts.push_back(to_std(local.segment(at, len)));
  }
  alg.paracel_bupdate_multi(keys, parts, builtin::add);
  alg.paracel_sync();  // every worker's part is in
  Eigen::VectorXd sum(local.size());
  const auto summed = alg.paracel_read_multi<std::vector<double>>(keys);
  for (std::size_t b = 0; b < summed.size(); ++b) {
    std::copy(summed[b].begin(), summed[b].end(),
              sum.data() + static_cast<Eigen::Index>(b) * k_block_doubles);
  }
  return sum;
}

}  // namespace paracel::alg
