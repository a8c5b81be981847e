#include "coordinate_schedule.hpp"

#include <algorithm>
#include <limits>

namespace paracel::alg {

coordinate_schedule::coordinate_schedule(std::vector<int> eligible, int round_size, order how)
    : eligible_(std::move(eligible)),
      round_size_(static_cast<std::size_t>(round_size)),
      order_(how) {
  const int width = eligible_.empty() ? 0 : eligible_.back() + 1;
  last_change_.assign(static_cast<std::size_t>(width), std::numeric_limits<double>::infinity());
  restart();
}

void coordinate_schedule::restart() {
  full_ = true;
  plan(eligible_);
}

void coordinate_schedule::plan(std::vector<int> coordinates) {
  if (order_ == order::priority) {
    std::stable_sort(coordinates.begin(), coordinates.end(), [&](int a, int b) {
      return last_change_[static_cast<std::size_t>(a)] > last_change_[static_cast<std::size_t>(b)];
    });
  }
  pass_ = std::move(coordinates);
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

bool coordinate_schedule::end_pass(bool converged, const std::vector<bool>& nonzero) {
  ++passes_;
  if (converged && full_) return false;
  std::vector<int> active;
  for (int j : eligible_) {
    if (nonzero[static_cast<std::size_t>(j)]) active.push_back(j);
  }
  // A converged active set is checked by a full pass; so is a pass with nothing active.
  full_ = converged || active.empty();
  plan(full_ ? eligible_ : std::move(active));
  return true;
}

}  // namespace paracel::alg
