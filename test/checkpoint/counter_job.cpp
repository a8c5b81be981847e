// A deterministic job for the checkpoint tests (test/checkpoint/checkpoint_test.py).
//
// Each clock t, worker w adds (t + 1) * (w + 1) * (j + 1) + r to key "k<j>" for every j, where
// r comes from the worker's own random engine; it keeps the running sum of what it added and
// its engine in its worker_state. A checkpoint that missed an update, held one of a later
// clock, or restored another engine state changes the final line, which worker 0 prints:
//   RESULT k0=... k1=... | sums=... (every worker's)
// Its reads (of k0, each clock) make SSP wait as usual; their values stay out of the result.
//
// --iterations=N --keys=K --die_at=C1,C2,... --die_rank=R --die_marker=FILE --slow_rank=R
// --slow_ms=M --staleness=S; --die_at makes worker R SIGKILL itself right after committing
// clock C1 (or C2, ...) unless FILE.C exists (it creates FILE.C first, so that a restarted job
// goes past C).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "paracel/comm.hpp"
#include "paracel/paralg.hpp"

namespace {

struct flags {
  int iterations = 12;
  int keys = 50;
  std::vector<int> die_at;
  int die_rank = 0;
  std::string die_marker;
  int slow_rank = -1;
  int slow_ms = 0;
  int staleness = 0;
};

flags parse(int argc, char** argv) {
  flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto eq = arg.find('=');
    if (eq == std::string::npos) continue;
    const std::string name = arg.substr(0, eq);
    const std::string value = arg.substr(eq + 1);
    if (name == "--iterations") f.iterations = std::stoi(value);
    if (name == "--keys") f.keys = std::stoi(value);
    if (name == "--die_at") {
      std::stringstream list(value);
      for (std::string c; std::getline(list, c, ',');) f.die_at.push_back(std::stoi(c));
    }
    if (name == "--die_rank") f.die_rank = std::stoi(value);
    if (name == "--die_marker") f.die_marker = value;
    if (name == "--slow_rank") f.slow_rank = std::stoi(value);
    if (name == "--slow_ms") f.slow_ms = std::stoi(value);
    if (name == "--staleness") f.staleness = std::stoi(value);
  }
  return f;
}

class counter_job : public paracel::paralg {
 public:
  counter_job(paracel::paralg_options options, flags f)
      : paralg(std::move(options)), f_(std::move(f)), rng_(1000 + get_worker_id()) {}

  void save_state(paracel::worker_state& state) const override {
    state.put("sum", sum_);
    state.put("rng", paracel::rng_state(rng_));
  }

  void solve() override {
    std::vector<std::string> keys;
    for (int j = 0; j < f_.keys; ++j) keys.push_back("k" + std::to_string(j));
    if (const auto* s = resumed_state()) {
      sum_ = s->get<std::int64_t>("sum");
      paracel::restore_rng(rng_, s->get<std::string>("rng"));
    } else if (get_worker_id() == 0) {
      paracel_write_multi(keys, std::vector<std::int64_t>(keys.size(), 0));
    }
    if (!resuming()) paracel_sync();  // the zeros are in before anyone adds
    set_total_iters(f_.iterations);
    for (int t = get_current_iter(); t < f_.iterations; ++t) {
      if (get_worker_id() == f_.slow_rank) {
        std::this_thread::sleep_for(std::chrono::milliseconds(f_.slow_ms));
      }
      (void)paracel_read<std::int64_t>("k0");
      std::vector<std::int64_t> deltas;
      for (int j = 0; j < f_.keys; ++j) {
        const std::int64_t d = std::int64_t{t + 1} * (get_worker_id() + 1) * (j + 1) +
                               static_cast<std::int64_t>(rng_() % 1000);
        deltas.push_back(d);
        sum_ += d;
      }
      paracel_bupdate_multi(keys, deltas, paracel::builtin::add);
      iter_commit();
      maybe_die();
    }
    paracel_sync();
    const auto sums = get_comm().gather(sum_, 0);
    if (get_worker_id() == 0) {
      std::ostringstream line;
      line << "RESULT";
      const auto values = ps().pull_multi<std::int64_t>(keys);
      for (int j = 0; j < f_.keys; ++j) line << ' ' << keys[j] << '=' << values[j];
      line << " | sums=";
      for (auto s : sums) line << s << ',';
      std::cout << line.str() << std::endl;
    }
  }

 private:
  void maybe_die() {
    const int clock = get_current_iter();
    if (get_worker_id() != f_.die_rank ||
        std::find(f_.die_at.begin(), f_.die_at.end(), clock) == f_.die_at.end()) {
      return;
    }
    if (!f_.die_marker.empty()) {
      const std::string marker = f_.die_marker + "." + std::to_string(clock);
      if (std::filesystem::exists(marker)) return;
      std::ofstream(marker) << "died at clock " << clock << '\n';
    }
    std::cerr << "counter_job: worker " << get_worker_id() << " kills itself at clock " << clock
              << std::endl;
    ::kill(::getpid(), SIGKILL);
  }

  flags f_;
  std::mt19937_64 rng_;
  std::int64_t sum_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  paracel::mpi_environment mpi(argc, argv);
  try {
    const flags f = parse(argc, argv);
    auto options = paracel::paralg_options::from_args(argc, argv);
    options.staleness = f.staleness;
    counter_job job(std::move(options), f);
    job.solve();
  } catch (const std::exception& e) {
    std::cerr << "counter_job: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
