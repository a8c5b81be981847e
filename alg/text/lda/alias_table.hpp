// Walker's alias method (Vose's construction): after O(n) set-up, draws an index with
// probability proportional to its weight in O(1), whatever n. LightLDA's word proposals.
#pragma once

#include <cstdint>
#include <vector>

namespace paracel::alg {

class alias_table {
 public:
  // `weights` >= 0, not all 0.
  void build(const std::vector<double>& weights);
  // u1, u2 uniform in [0, 1).
  std::int32_t draw(double u1, double u2) const {
    const auto i = static_cast<std::size_t>(u1 * static_cast<double>(keep_.size()));
    return u2 < keep_[i] ? static_cast<std::int32_t>(i) : alias_[i];
  }
  bool empty() const { return keep_.empty(); }

 private:
  std::vector<double> keep_;                 // the chance that slot i yields i
  std::vector<std::int32_t> alias_;          // what slot i yields otherwise
  std::vector<std::int32_t> small_, large_;  // scratch, kept to avoid reallocations
};

}  // namespace paracel::alg
