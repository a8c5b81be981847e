// Bounded staleness through paralg, under mpirun with 1 to 4 workers: the SSP read invariant
// holds at every read under random delays, BSP equals a barrier per iteration, the cache
// serves exactly the reads the bound allows, and a worker that stops committing is named.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "paracel/paralg.hpp"
#include "support/mpi_cluster.hpp"

namespace {

using namespace std::chrono_literals;
using paracel::builtin;

std::unique_ptr<paracel::testing::mpi_cluster> cluster;

// A paralg over all workers (or over `workers`) with staleness s.
std::unique_ptr<paracel::paralg> make(int s, paracel::comm workers = paracel::comm(),
                                      std::chrono::milliseconds timeout = 60s) {
  paracel::paralg_options options;
  options.servers = cluster->endpoints();
  options.staleness = s;
  options.clock_timeout = timeout;
  return std::make_unique<paracel::paralg>(options, std::move(workers));
}

class Ssp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster = std::make_unique<paracel::testing::mpi_cluster>(); }
  static void TearDownTestSuite() { cluster.reset(); }
  void TearDown() override { world_.barrier(); }

  paracel::comm world_;
};

std::string counter_key(const std::string& space, int worker) {
  return space + "/counter/" + std::to_string(worker);
}

// Each worker adds 1 to its own counter once per clock, after random work (1-3 ms, and with
// probability 0.15 a straggle of 10 ms). A read at clock c must see every update of clocks
// <= c - s - 1 (counter >= c - s), this worker's own updates exactly, and nothing a worker
// more than s clocks ahead of the slowest could have made (counter <= c + s + 1).
void check_invariant_under_random_delays(int s) {
  auto alg = make(s);
  const int me = alg->get_worker_id();
  const int workers = alg->get_worker_size();
  const int clocks = 30;
  const std::string space = "invariant_s" + std::to_string(s);
  std::vector<std::string> keys;
  for (int w = 0; w < workers; ++w) keys.push_back(counter_key(space, w));
  alg->set_total_iters(clocks);
  std::mt19937 rng(1234u + static_cast<unsigned>(me) * 77u + static_cast<unsigned>(s + 1));
  std::vector<std::int64_t> last_seen(workers, 0);
  for (int c = 0; c < clocks; ++c) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + rng() % 3));
    if (rng() % 100 < 15) std::this_thread::sleep_for(10ms);
    std::vector<std::int64_t> seen(workers, 0);
    for (int w = 0; w < workers; ++w) {
      // A counter nobody updated yet does not exist: it counts as 0.
      if (!alg->paracel_read(keys[w], seen[w])) seen[w] = 0;
    }
    ASSERT_EQ(seen[me], c) << "worker " << me << " does not read its own updates";
    for (int w = 0; w < workers; ++w) {
      if (s >= 0) {
        ASSERT_GE(seen[w], c - s) << "worker " << me << " at clock " << c << " read worker " << w
                                  << "'s counter too stale (s = " << s << ")";
        ASSERT_LE(seen[w], c + s + 1) << "worker " << w << " ran more than s ahead";
      }
      // Values come from the server, never from older copies: per key they never go back
      // (also with the cache, which only replaces a value by a fresher one).
      ASSERT_GE(seen[w], last_seen[w]);
      ASSERT_LE(seen[w], clocks);
    }
    last_seen = seen;
    alg->paracel_update(keys[me], std::int64_t{1}, builtin::add);
    alg->iter_commit();
  }
  if (s < 0) {
    EXPECT_EQ(alg->get_ssp_stats().waits, 0u) << "asynchronous reads must never wait";
  }
  alg->paracel_sync();
  for (int w = 0; w < workers; ++w) EXPECT_EQ(alg->paracel_read<std::int64_t>(keys[w]), clocks);
}

TEST_F(Ssp, BspReadsSeeEveryEarlierClock) { check_invariant_under_random_delays(0); }
TEST_F(Ssp, StalenessOneBoundsEveryRead) { check_invariant_under_random_delays(1); }
TEST_F(Ssp, StalenessThreeBoundsEveryRead) { check_invariant_under_random_delays(3); }
TEST_F(Ssp, UnboundedReadsNeverWait) { check_invariant_under_random_delays(-1); }

// A deterministic, nonlinear iteration, double-buffered: at clock c every worker reads all
// x values of buffer c % 2 and writes its own into the other buffer. Under BSP (s = 0) the
// reads of clock c wait for every write of clock c - 1, so the result must equal the serial
// run with a barrier per iteration, bit for bit; a read that did not wait would see an
// older buffer and change it.
double next_x(const std::vector<double>& x, int me, int c) {
  double sum = 0;
  for (double v : x) sum += v;
  return 0.5 * std::cos(x[me]) + 0.5 * sum / static_cast<double>(x.size()) +
         0.01 * (me + 1) * (c % 3);
}

std::vector<double> serial_reference(int workers, int clocks) {
  std::vector<double> x(workers);
  for (int w = 0; w < workers; ++w) x[w] = w + 1.0;
  for (int c = 0; c < clocks; ++c) {
    std::vector<double> next(workers);
    for (int w = 0; w < workers; ++w) next[w] = next_x(x, w, c);
    x = next;
  }
  return x;
}

TEST_F(Ssp, BspEqualsABarrierPerIteration) {
  auto alg = make(0);
  const int me = alg->get_worker_id();
  const int workers = alg->get_worker_size();
  const int clocks = 20;
  auto key = [](int buffer, int w) {
    return "bsp/x" + std::to_string(buffer) + "/" + std::to_string(w);
  };
  alg->paracel_write(key(0, me), me + 1.0);
  alg->paracel_sync();
  std::mt19937 rng(99u + static_cast<unsigned>(me));
  for (int c = 0; c < clocks; ++c) {
    std::vector<std::string> keys;
    for (int w = 0; w < workers; ++w) keys.push_back(key(c % 2, w));
    const auto x = alg->paracel_read_multi<double>(keys);
    // Workers drift apart by up to a few milliseconds per clock.
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 4));
    alg->paracel_write(key((c + 1) % 2, me), next_x(x, me, c));
    alg->iter_commit();
  }
  alg->paracel_sync();
  const auto expected = serial_reference(workers, clocks);
  for (int w = 0; w < workers; ++w)
    EXPECT_EQ(alg->paracel_read<double>(key(clocks % 2, w)), expected[w]) << "worker " << w;
  // All but the last worker to commit a clock wait at the next read.
  const auto waits = alg->get_comm().allreduce(
      static_cast<std::int64_t>(alg->get_ssp_stats().waits), paracel::reduce_op::sum);
  if (workers > 1) {
    EXPECT_GE(waits, clocks - 1);
  }
}

// One worker alone (a comm of itself) makes the cache's decisions deterministic: with s = 2,
// a value fetched when the minimum clock was m serves reads at clocks up to m + 2.
TEST_F(Ssp, TheCacheServesExactlyTheReadsTheBoundAllows) {
  auto alone = world_.split(world_.rank());
  auto alg = make(2, std::move(alone));
  const std::string key = "cache/" + std::to_string(world_.rank());
  paracel::ps_client other(cluster->endpoints());  // another writer, outside the clocks
  alg->paracel_write(key, std::int64_t{0});
  std::vector<std::int64_t> read_at;
  for (int c = 0; c < 8; ++c) {
    other.push(key, std::int64_t{c});
    read_at.push_back(alg->paracel_read<std::int64_t>(key));
    alg->iter_commit();
  }
  // Fetched at clocks 0 (stamp 0: serves up to clock 2), 3 (stamp 3: up to 5) and 6.
  EXPECT_EQ(read_at, (std::vector<std::int64_t>{0, 0, 0, 3, 3, 3, 6, 6}));
  EXPECT_EQ(alg->get_ssp_stats().reads, 8u);
  EXPECT_EQ(alg->get_ssp_stats().cache_hits, 5u);
  // The worker's own update is visible to its next read, cached or not.
  alg->paracel_bupdate(key, std::int64_t{100}, builtin::add);
  EXPECT_EQ(alg->paracel_read<std::int64_t>(key), 107);
  alg->paracel_write(key, std::int64_t{-1});
  EXPECT_EQ(alg->paracel_read<std::int64_t>(key), -1);
}

TEST_F(Ssp, AWorkerThatStopsAfterItsTotalDoesNotHoldTheOthersBack) {
  auto alg = make(0, paracel::comm(), 5s);
  const int me = alg->get_worker_id();
  const int last = alg->get_worker_size() - 1;
  const int clocks = me == last ? 2 : 6;
  const std::string space = "total";
  alg->set_total_iters(clocks);
  for (int c = 0; c < clocks; ++c) {
    alg->paracel_update(counter_key(space, me), std::int64_t{1}, builtin::add);
    alg->iter_commit();
    std::int64_t seen = 0;
    if (alg->paracel_read(counter_key(space, last), seen)) {
      EXPECT_GE(seen, std::min(c + 1, 2));  // s = 0: every update of earlier clocks
      EXPECT_LE(seen, 2);
    }
  }
}

TEST_F(Ssp, AWaitPastTheClockTimeoutNamesTheSlowestWorker) {
  auto alg = make(0, paracel::comm(), 300ms);
  if (alg->get_worker_size() < 2) return;  // needs a lagging worker: runs under mpirun
  if (alg->get_worker_id() == 0) {
    alg->paracel_write("timeout/x", 1.0);
    alg->iter_commit();
    alg->iter_commit();
    const auto start = std::chrono::steady_clock::now();
    try {
      alg->paracel_read<double>("timeout/x");
      ADD_FAILURE() << "the read did not wait for the lagging workers";
    } catch (const paracel::timeout_error& e) {
      EXPECT_NE(std::string(e.what()).find("slowest worker: 1 at clock 0"), std::string::npos)
          << e.what();
    }
    EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  }
  world_.barrier();  // the others hold clock 0 until worker 0 gave up
}

}  // namespace
