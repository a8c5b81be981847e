// The SSP clock table (issue 5's foundation): each worker's clock, the minimum over the
// workers that still hold others back, and waits parked until that minimum reaches a target.
//
// A worker's clock counts its committed iterations. A worker whose clock reached its total
// (set_total) or that finished no longer holds anyone back. A wait for target t is released
// as soon as the minimum is >= t, or expires at its deadline (the caller then names the
// slowest worker). Not thread-safe: owned by one server thread, like a shard.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace paracel::server {

template <class Waiter>
class clock_table {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  static constexpr std::int64_t k_unbounded = std::numeric_limits<std::int64_t>::max();

  explicit clock_table(int workers)
      : clocks_(check_count(workers), 0), totals_(workers, -1), finished_(workers, false) {}

  int workers() const { return static_cast<int>(clocks_.size()); }
  // Every worker finished and nobody waits: the table can be dropped.
  bool done() const {
    return parked_.empty() &&
           std::all_of(finished_.begin(), finished_.end(), [](bool f) { return f; });
  }
  std::int64_t clock_of(int worker) const { return clocks_.at(index(worker)); }

  // The worker's last clock: once reached, it stops holding the others back. Call
  // finish_check() afterwards: a lowered total may release waits.
  void set_total(int worker, std::int64_t total) { totals_[index(worker)] = total; }
  std::vector<Waiter> finish_check() { return release(); }
  // A resumed job's worker starts at `clock` (its checkpoint's). Call finish_check()
  // afterwards: a raised clock may release waits.
  void start_at(int worker, std::int64_t clock) {
    if (clock < 0) throw std::invalid_argument("a start clock must not be negative");
    clocks_[index(worker)] = clock;
  }
  // The worker is done (or gone): it stops holding the others back.
  std::vector<Waiter> finish(int worker) {
    finished_.at(index(worker)) = true;
    return release();
  }

  // Advances the worker's clock by one; returns the waits this releases.
  std::vector<Waiter> commit(int worker) {
    const std::size_t w = index(worker);
    if (finished_[w]) {
      throw std::invalid_argument("worker " + std::to_string(worker) +
                                  " committed after finishing");
    }
    ++clocks_[w];
    return release();
  }

  // The minimum clock over the workers that hold others back (k_unbounded if none does).
  std::int64_t min_clock() const {
    std::int64_t low = k_unbounded;
    for (std::size_t w = 0; w < clocks_.size(); ++w) {
      if (holds_back(w)) low = std::min(low, clocks_[w]);
    }
    return low;
  }
  // A worker at the minimum clock (-1 if none holds others back), for error messages.
  int slowest() const {
    int who = -1;
    for (std::size_t w = 0; w < clocks_.size(); ++w) {
      if (holds_back(w) && (who < 0 || clocks_[w] < clocks_[static_cast<std::size_t>(who)])) {
        who = static_cast<int>(w);
      }
    }
    return who;
  }

  // Returns true if min_clock() >= target already; otherwise parks the waiter.
  bool wait(Waiter waiter, std::int64_t target, time_point deadline) {
    if (min_clock() >= target) return true;
    parked_.push_back({std::move(waiter), target, deadline});
    return false;
  }
  std::size_t parked() const { return parked_.size(); }
  // The parked waits whose deadline is at or before `now`, removed from the table.
  std::vector<Waiter> expire(time_point now) {
    return take_if([&](const parked_wait& p) { return p.deadline <= now; });
  }
  // The earliest deadline among parked waits (time_point::max() when none).
  time_point next_deadline() const {
    time_point next = time_point::max();
    for (const auto& p : parked_) next = std::min(next, p.deadline);
    return next;
  }

 private:
  struct parked_wait {
    Waiter waiter;
    std::int64_t target;
    time_point deadline;
  };

  static std::size_t check_count(int workers) {
    if (workers <= 0) throw std::invalid_argument("a clock table needs at least one worker");
    return static_cast<std::size_t>(workers);
  }
  std::size_t index(int worker) const {
    if (worker < 0 || worker >= workers()) {
      throw std::out_of_range("worker " + std::to_string(worker) + " is not in [0, " +
                              std::to_string(workers()) + ")");
    }
    return static_cast<std::size_t>(worker);
  }
  bool holds_back(std::size_t w) const {
    return !finished_[w] && (totals_[w] < 0 || clocks_[w] < totals_[w]);
  }
  std::vector<Waiter> release() {
    const std::int64_t low = min_clock();
    return take_if([&](const parked_wait& p) { return p.target <= low; });
  }
  template <class Predicate>
  std::vector<Waiter> take_if(Predicate take) {
    std::vector<Waiter> out;
    auto keep = std::stable_partition(parked_.begin(), parked_.end(),
                                      [&](const parked_wait& p) { return !take(p); });
    for (auto it = keep; it != parked_.end(); ++it) out.push_back(std::move(it->waiter));
    parked_.erase(keep, parked_.end());
    return out;
  }

  std::vector<std::int64_t> clocks_;
  std::vector<std::int64_t> totals_;  // -1: not set
  std::vector<bool> finished_;
  std::vector<parked_wait> parked_;
};

}  // namespace paracel::server
