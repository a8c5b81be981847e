// Which coordinates each round of the Lasso's coordinate descent updates. Every worker runs
// the same schedule on the same numbers, so all agree on every round without a message.
//
// The schedule works on a working set (glmnet's strategy, which the caller drives: the
// nonzero coordinates and those violating the optimality conditions) in passes, each
// visiting every coordinate of the set once, cut into rounds of `round_size`. The order
// within a pass is ascending (`cyclic`) or by the size of each coordinate's last change,
// largest first (`priority`, STRADS' prioritisation; a coordinate never updated comes
// first).
#pragma once

#include <cstddef>
#include <vector>

namespace paracel::alg {

class coordinate_schedule {
 public:
  enum class order { cyclic, priority };

  // `width`: the number of coordinates.
  coordinate_schedule(std::size_t width, int round_size, order how);

  // Passes over `working` (ascending) from now on; the first one starts.
  void start(std::vector<int> working);
  // Another pass over the same working set.
  void next_pass() { plan(); }
  // The next round's coordinates; empty once the current pass has handed out all of its own.
  std::vector<int> next_round();
  bool pass_handed_out() const { return at_ >= pass_.size(); }
  // Records the change of a coordinate (for `priority`); `size` >= 0.
  void record_change(int coordinate, double size);

 private:
  void plan();

  std::size_t round_size_;
  order order_;
  std::vector<double> last_change_;  // by coordinate; infinity before its first update
  std::vector<int> working_, pass_;
  std::size_t at_ = 0;
};

}  // namespace paracel::alg
