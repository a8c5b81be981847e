// The best k candidates of one row: a min-heap on (score, then name) so that the result does
// not depend on the order in which candidates arrive (ties go to the smaller name).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace paracel::alg {

class neighbours {
 public:
  explicit neighbours(std::size_t k = 0) : k_(k) {}

  // Would (score, name) enter? Cheap: lets the caller skip building the name.
  bool admits(double score) const { return heap_.size() < k_ || score >= heap_.front().first; }
  void offer(double score, const std::string& name) {
    if (heap_.size() < k_) {
      heap_.emplace_back(score, name);
      std::push_heap(heap_.begin(), heap_.end(), worse_last);
    } else if (better(score, name, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), worse_last);
      heap_.back() = {score, name};
      std::push_heap(heap_.begin(), heap_.end(), worse_last);
    }
  }
  // Best first.
  std::vector<std::pair<double, std::string>> sorted() const {
    auto out = heap_;
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return better(a.first, a.second, b); });
    return out;
  }

 private:
  static bool better(double score, const std::string& name,
                     const std::pair<double, std::string>& than) {
    return score > than.first || (score == than.first && name < than.second);
  }
  // Heap order: the worst entry at the front.
  static bool worse_last(const std::pair<double, std::string>& a,
                         const std::pair<double, std::string>& b) {
    return better(a.first, a.second, b);
  }

  std::size_t k_;
  std::vector<std::pair<double, std::string>> heap_;
};

}  // namespace paracel::alg
