// The SSP clock table on its own: minimum, totals, finishing workers, parked waits.
#include "server/clock_table.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using table = paracel::server::clock_table<std::string>;
using std::chrono::milliseconds;
const auto k_later = std::chrono::steady_clock::now() + std::chrono::hours(1);

TEST(ClockTable, MinimumFollowsTheSlowestWorker) {
  table t(3);
  EXPECT_EQ(t.min_clock(), 0);
  t.commit(0);
  t.commit(0);
  t.commit(1);
  EXPECT_EQ(t.min_clock(), 0);
  EXPECT_EQ(t.slowest(), 2);
  t.commit(2);
  EXPECT_EQ(t.min_clock(), 1);
  EXPECT_EQ(t.clock_of(0), 2);
}

TEST(ClockTable, WaitsAreReleasedExactlyWhenTheMinimumArrives) {
  table t(2);
  EXPECT_TRUE(t.wait("now", 0, k_later));
  EXPECT_FALSE(t.wait("at1", 1, k_later));
  EXPECT_FALSE(t.wait("at2", 2, k_later));
  EXPECT_TRUE(t.commit(0).empty());  // worker 1 still at 0
  EXPECT_EQ(t.commit(1), std::vector<std::string>{"at1"});
  EXPECT_EQ(t.parked(), 1u);
  t.commit(1);
  EXPECT_EQ(t.commit(0), std::vector<std::string>{"at2"});
  EXPECT_EQ(t.parked(), 0u);
}

TEST(ClockTable, FinishedWorkersAndTotalsStopHoldingOthersBack) {
  table t(3);
  t.set_total(2, 1);
  EXPECT_FALSE(t.wait("w", 3, k_later));
  for (int i = 0; i < 3; ++i) {
    t.commit(0);
    t.commit(1);
  }
  EXPECT_EQ(t.min_clock(), 0);  // worker 2 has not reached its total yet
  EXPECT_EQ(t.commit(2), std::vector<std::string>{"w"});
  EXPECT_EQ(t.min_clock(), 3);
  EXPECT_FALSE(t.wait("x", 4, k_later));
  t.commit(0);
  EXPECT_EQ(t.finish(1), std::vector<std::string>{"x"});  // only worker 0 (at 4) remains
  t.finish(0);
  EXPECT_EQ(t.min_clock(), table::k_unbounded);
  EXPECT_EQ(t.slowest(), -1);
  EXPECT_THROW(t.commit(0), std::invalid_argument);
}

TEST(ClockTable, DeadlinesExpireParkedWaits) {
  table t(2);
  const auto now = std::chrono::steady_clock::now();
  EXPECT_FALSE(t.wait("soon", 5, now + milliseconds(10)));
  EXPECT_FALSE(t.wait("late", 5, now + milliseconds(1000)));
  EXPECT_EQ(t.next_deadline(), now + milliseconds(10));
  EXPECT_TRUE(t.expire(now).empty());
  EXPECT_EQ(t.expire(now + milliseconds(10)), std::vector<std::string>{"soon"});
  EXPECT_EQ(t.parked(), 1u);
  EXPECT_EQ(t.next_deadline(), now + milliseconds(1000));
}

TEST(ClockTable, RejectsUnknownWorkers) {
  EXPECT_THROW(table(0), std::invalid_argument);
  table t(2);
  EXPECT_THROW(t.commit(2), std::out_of_range);
  EXPECT_THROW(t.commit(-1), std::out_of_range);
}

TEST(ClockTable, RandomScheduleNeverReleasesEarlyOrLate) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 50; ++trial) {
    const int workers = 1 + rng() % 5;
    table t(workers);
    std::vector<std::pair<std::string, std::int64_t>> open;
    for (int step = 0; step < 200; ++step) {
      if (rng() % 3 == 0) {
        const std::int64_t target = t.min_clock() + rng() % 4;
        const std::string name = std::to_string(step);
        if (!t.wait(name, target, k_later)) open.emplace_back(name, target);
        continue;
      }
      for (const auto& released : t.commit(rng() % workers)) {
        auto it =
            std::find_if(open.begin(), open.end(), [&](auto& o) { return o.first == released; });
        ASSERT_NE(it, open.end());
        EXPECT_LE(it->second, t.min_clock());  // not early
        open.erase(it);
      }
      for (const auto& [name, target] : open) EXPECT_GT(target, t.min_clock()) << name;  // not late
    }
  }
}

}  // namespace
