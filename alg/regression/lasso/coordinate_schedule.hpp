// Which coordinates each round of the Lasso's coordinate descent updates. Every worker runs
// the same schedule on the same numbers, so all agree on every round without a message.
//
// Work goes in passes, glmnet's active-set strategy: a pass over every eligible coordinate,
// then passes over the nonzero ones until a pass changes none by more than the tolerance,
// then a full pass again; the penalty is solved when a full pass changes nothing. A pass is
// cut into rounds of `round_size` coordinates. The order within a pass is ascending
// (`cyclic`) or by the size of each coordinate's last change, largest first (`priority`,
// STRADS' prioritisation; coordinates never updated come first). Every pass still visits each
// of its coordinates once: that is what makes "a full pass changed nothing" a proof of
// optimality (to the tolerance).
#pragma once

#include <cstddef>
#include <vector>

namespace paracel::alg {

class coordinate_schedule {
 public:
  enum class order { cyclic, priority };

  // `eligible`: the coordinates that can move (nonconstant columns), ascending.
  coordinate_schedule(std::vector<int> eligible, int round_size, order how);

  // Starts a new penalty: a full pass next.
  void restart();
  // The next round's coordinates; empty once the current pass has handed out all of its own.
  std::vector<int> next_round();
  bool pass_handed_out() const { return at_ >= pass_.size(); }
  // Records the change of a coordinate (for `priority`); `size` >= 0.
  void record_change(int coordinate, double size);
  // The current pass is over and all its updates applied. `converged`: no change in it
  // exceeded the tolerance; `nonzero[j]`: whether coordinate j is nonzero now. Returns false
  // when the penalty is solved, else plans the next pass.
  bool end_pass(bool converged, const std::vector<bool>& nonzero);
  int passes() const { return passes_; }

 private:
  void plan(std::vector<int> coordinates);

  std::vector<int> eligible_;
  std::size_t round_size_;
  order order_;
  std::vector<double> last_change_;  // by coordinate; infinity before its first update
  std::vector<int> pass_;
  std::size_t at_ = 0;
  bool full_ = true;
  int passes_ = 0;
};

}  // namespace paracel::alg
