// The SSP clock ops through real servers: waits block (no polling) until the slowest worker
// commits, a wait costs about one round trip, and a stalled worker is named at the deadline.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "paracel/ps_client.hpp"
#include "support/local_cluster.hpp"

namespace {

using namespace std::chrono_literals;

class SspClocks : public ::testing::Test {
 protected:
  paracel::testing::local_cluster cluster_{2, 2};
};

TEST_F(SspClocks, AWaitReturnsWhenTheSlowestWorkerCommits) {
  paracel::ps_client fast(cluster_.endpoints());
  paracel::ps_client slow(cluster_.endpoints());
  fast.clock_register("job", 2, 0);
  slow.clock_register("job", 2, 1);
  EXPECT_EQ(fast.clock_commit("job", 0), 0);  // worker 1 still at 0
  EXPECT_EQ(fast.clock_wait("job", 0, 1s), 0);
  std::atomic<bool> committed{false};
  std::thread straggler([&] {
    std::this_thread::sleep_for(200ms);
    committed = true;
    slow.clock_commit("job", 1);
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(fast.clock_wait("job", 1, 5s), 1);
  EXPECT_TRUE(committed.load());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 190ms);
  straggler.join();
  const auto before = fast.stats();
  EXPECT_EQ(fast.clock_wait("job", 1, 1s), 1);  // already there: answered at once
  std::uint64_t waits = 0;
  for (std::size_t s = 0; s < before.size(); ++s) {
    waits += fast.stats()[s].ops.at("clock_wait") - before[s].ops.at("clock_wait");
  }
  EXPECT_EQ(waits, 1u);  // one request per wait: blocking, not polling
}

TEST_F(SspClocks, AStalledWorkerIsNamedAtTheDeadline) {
  paracel::ps_client a(cluster_.endpoints());
  paracel::ps_client b(cluster_.endpoints());
  a.clock_register("job", 2, 0);
  b.clock_register("job", 2, 1);
  a.clock_commit("job", 0);
  a.clock_commit("job", 0);
  try {
    a.clock_wait("job", 2, 300ms);
    FAIL() << "waited past the deadline";
  } catch (const paracel::timeout_error& e) {
    EXPECT_NE(std::string(e.what()).find("slowest worker: 1 at clock 0"), std::string::npos)
        << e.what();
  }
}

TEST_F(SspClocks, FinishedWorkersAndTotalsReleaseTheOthers) {
  paracel::ps_client a(cluster_.endpoints());
  paracel::ps_client b(cluster_.endpoints());
  a.clock_register("job", 2, 0);
  b.clock_register("job", 2, 1, 1);  // worker 1 runs one iteration only
  b.clock_commit("job", 1);
  for (int i = 0; i < 5; ++i) a.clock_commit("job", 0);
  EXPECT_EQ(a.clock_wait("job", 5, 1s), 5);
  paracel::ps_client c(cluster_.endpoints());
  std::thread finisher([&] {
    std::this_thread::sleep_for(100ms);
    a.clock_finish("job", 0);
  });
  c.clock_register("job", 2, 0);
  EXPECT_GT(c.clock_wait("job", 100, 5s), 100);  // nobody holds anyone back any more
  finisher.join();
}

TEST_F(SspClocks, NamedTablesKeepTheirClocksApartAndAreDroppedWhenDone) {
  paracel::ps_client a(cluster_.endpoints());
  a.clock_register("first", 1, 0);
  a.clock_register("second", 2, 0);  // another algorithm, with a worker that never commits
  for (int i = 0; i < 3; ++i) a.clock_commit("first", 0);
  EXPECT_EQ(a.clock_wait("first", 3, 1s), 3);
  EXPECT_THROW(a.clock_wait("second", 1, 100ms), paracel::timeout_error);
  a.clock_finish("first", 0);  // all of "first" finished: the table is dropped...
  EXPECT_THROW(a.clock_commit("first", 0), paracel::server_error);
  a.clock_register("first", 1, 0);  // ...and a new one starts at clock 0
  EXPECT_EQ(a.clock_commit("first", 0), 1);
}

TEST_F(SspClocks, MisuseIsAClearError) {
  paracel::ps_client a(cluster_.endpoints());
  EXPECT_THROW(a.clock_commit("job", 0), paracel::server_error);  // before register
  a.clock_register("job", 2, 0);
  EXPECT_THROW(a.clock_register("job", 3, 1), paracel::server_error);  // another worker count
  EXPECT_THROW(a.clock_commit("job", 7), paracel::server_error);       // no such worker
}

}  // namespace
