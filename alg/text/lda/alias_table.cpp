#include "alias_table.hpp"

namespace paracel::alg {

void alias_table::build(const std::vector<double>& weights) {
  const std::size_t n = weights.size();
  keep_.assign(n, 1.0);
  alias_.resize(n);
  double total = 0;
  for (double w : weights) total += w;
  small_.clear();
  large_.clear();
  for (std::size_t i = 0; i < n; ++i) {
    keep_[i] = weights[i] * static_cast<double>(n) / total;
    alias_[i] = static_cast<std::int32_t>(i);
    (keep_[i] < 1 ? small_ : large_).push_back(static_cast<std::int32_t>(i));
  }
  while (!small_.empty() && !large_.empty()) {
    const std::int32_t s = small_.back(), l = large_.back();
    small_.pop_back();
    alias_[static_cast<std::size_t>(s)] = l;
    keep_[static_cast<std::size_t>(l)] -= 1 - keep_[static_cast<std::size_t>(s)];
    if (keep_[static_cast<std::size_t>(l)] < 1) {
      large_.pop_back();
      small_.push_back(l);
    }
  }
  // What is left is 1 up to rounding.
  for (auto i : small_) keep_[static_cast<std::size_t>(i)] = 1;
  for (auto i : large_) keep_[static_cast<std::size_t>(i)] = 1;
}

}  // namespace paracel::alg
