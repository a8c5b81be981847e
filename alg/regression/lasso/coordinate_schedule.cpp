#include "coordinate_schedule.hpp"

#include <algorithm>
#include <limits>

namespace paracel::alg {

coordinate_schedule::coordinate_schedule(std::size_t width, int round_size, order how)
    : round_size_(static_cast<std::size_t>(round_size)),
      order_(how),
      last_change_(width, std::numeric_limits<double>::infinity()) {}

void coordinate_schedule::start(std::vector<int> working) {
  working_ = std::move(working);
  plan();
}

void coordinate_schedule::plan() {
  pass_ = working_;
  if (order_ == order::priority) {
    std::stable_sort(pass_.begin(), pass_.end(), [&](int a, int b) {
      return last_change_[static_cast<std::size_t>(a)] > last_change_[static_cast<std::size_t>(b)];
    });
  }
  at_ = 0;
}

std::vector<int> coordinate_schedule::next_round() {
  const std::size_t end = std::min(pass_.size(), at_ + round_size_);
  std::vector<int> round(pass_.begin() + static_cast<std::ptrdiff_t>(at_),
                         pass_.begin() + static_cast<std::ptrdiff_t>(end));
  at_ = end;
  return round;
}

void coordinate_schedule::record_change(int coordinate, double size) {
  last_change_[static_cast<std::size_t>(coordinate)] = size;
}

}  // namespace paracel::alg
