// ssp_bench: does bounded staleness pay against stragglers? One MPI rank per worker, run
// through prun.py (tool/bench/ssp_bench.py drives it):
//
//   ./prun.py -p 1 -w 4 build/bin/ssp_bench --staleness=3 --clocks=200
//
// Each clock a worker reads the model (one dense vector), "computes" for --compute_ms plus,
// with probability --straggle_prob, --straggle_ms more (a transient straggler), adds a delta
// to the model and commits its clock. --slow_worker=W makes worker W compute
// --slow_factor times longer at every clock (a persistent straggler). The random draws
// depend on --seed and the worker only, so every staleness sees the same schedule.
// Rank 0 prints one JSON line: the staleness, the job's wall time (start barrier to the last
// worker's last commit), each worker's commit times, and its SSP wait statistics.
#include <gflags/gflags.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "paracel/paralg.hpp"

DEFINE_string(server_info, "", "comma-separated server endpoints (prun.py passes this)");
DEFINE_int32(staleness, 0, "SSP bound: 0 = BSP, negative = asynchronous");
DEFINE_int32(clocks, 200, "iterations per worker");
DEFINE_double(compute_ms, 10, "compute time per clock");
DEFINE_double(straggle_prob, 0.1, "probability of a transient straggle per clock");
DEFINE_double(straggle_ms, 50, "extra time of a straggle");
DEFINE_int32(slow_worker, -1, "worker that is persistently slower (-1: none)");
DEFINE_double(slow_factor, 2, "how much slower --slow_worker computes");
DEFINE_int32(dim, 100, "model dimension");
DEFINE_uint32(seed, 7, "random seed of the straggle schedule");

namespace {

using steady = std::chrono::steady_clock;

class straggler_job : public paracel::paralg {
 public:
  using paralg::paralg;

  void solve() override {
    const int me = get_worker_id();
    std::mt19937_64 rng(FLAGS_seed * 1000003ull + static_cast<unsigned>(me));
    std::bernoulli_distribution straggles(FLAGS_straggle_prob);
    const double factor = me == FLAGS_slow_worker ? FLAGS_slow_factor : 1.0;
    if (me == 0) paracel_write("model", std::vector<double>(FLAGS_dim, 0.0));
    set_total_iters(FLAGS_clocks);
    paracel_sync();
    const auto start = steady::now();
    std::vector<double> commit_seconds;
    for (int c = 0; c < FLAGS_clocks; ++c) {
      auto model = paracel_read<std::vector<double>>("model");
      double ms = FLAGS_compute_ms * factor;
      if (straggles(rng)) ms += FLAGS_straggle_ms;
      std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms));
      for (auto& v : model) v = 1e-3 * (me + 1);
      paracel_update("model", model, paracel::builtin::add);
      iter_commit();
      commit_seconds.push_back(std::chrono::duration<double>(steady::now() - start).count());
    }
    report(commit_seconds);
  }

 private:
  void report(const std::vector<double>& commit_seconds) {
    const auto& stats = get_ssp_stats();
    const std::vector<double> mine = {
        static_cast<double>(stats.waits), std::chrono::duration<double>(stats.wait_time).count(),
        static_cast<double>(stats.cache_hits), static_cast<double>(stats.reads)};
    auto times = get_comm().gather(commit_seconds, 0);
    auto waits = get_comm().gather(mine, 0);
    if (get_worker_id() != 0) return;
    double wall = 0;
    for (const auto& t : times) wall = std::max(wall, t.back());
    std::ostringstream json;
    json << "{\"staleness\": " << FLAGS_staleness << ", \"workers\": " << times.size()
         << ", \"wall_seconds\": " << wall << ", \"commit_seconds\": [";
    for (std::size_t w = 0; w < times.size(); ++w) {
      json << (w ? ", " : "") << "[";
      for (std::size_t c = 0; c < times[w].size(); ++c) json << (c ? ", " : "") << times[w][c];
      json << "]";
    }
    json << "], \"ssp\": [";
    for (std::size_t w = 0; w < waits.size(); ++w) {
      json << (w ? ", " : "") << "{\"waits\": " << waits[w][0]
           << ", \"wait_seconds\": " << waits[w][1] << ", \"cache_hits\": " << waits[w][2]
           << ", \"reads\": " << waits[w][3] << "}";
    }
    json << "]}";
    std::cout << "SSP_BENCH " << json.str() << std::endl;
  }
};

}  // namespace

int main(int argc, char** argv) {
  paracel::mpi_environment mpi(argc, argv);
  auto options = paracel::paralg_options::from_args(argc, argv);  // before gflags eats argv
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  try {
    options.staleness = FLAGS_staleness;
    straggler_job job(options);
    job.solve();
  } catch (const std::exception& e) {
    std::cerr << "ssp_bench: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
