// The per-iteration metrics of one worker (docs/observability.md): at each iter_commit one
// JSON line appended to <folder>/worker-<rank>.jsonl with the clock, the time split (compute,
// SSP wait, network), the parameter-server traffic of that iteration and what the algorithm
// reported through paralg::report. Each worker writes its own file: appends from several
// hosts to one file are not atomic on NFS. Internal to paralg; one per paralg, not
// thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "paracel/paralg.hpp"

namespace paracel {

class iteration_log {
 public:
  // Truncates the worker's file; an empty folder disables the log.
  iteration_log(const std::string& folder, int worker);
  ~iteration_log();
  iteration_log(const iteration_log&) = delete;
  iteration_log& operator=(const iteration_log&) = delete;

  bool enabled() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

  // The next line's counters start from here (the algorithm's loop begins).
  void restart(const ssp_stats& ssp, const client_traffic& traffic);
  // Kept for the next line; a name reported twice keeps its last value.
  void report(std::string_view name, double value);
  // Appends one line: the iteration that ended at `clock`, or with `final` the job's end
  // (its counters then cover the whole run since restart).
  void record(std::int64_t clock, std::int64_t total, const ssp_stats& ssp,
              const client_traffic& traffic, bool final = false);

 private:
  struct mark {
    std::chrono::steady_clock::time_point when;
    ssp_stats ssp;
    client_traffic traffic;
  };
  mark now(const ssp_stats& ssp, const client_traffic& traffic) const;
  void append(const std::string& line);

  int worker_;
  std::string path_;
  int fd_ = -1;
  std::chrono::steady_clock::time_point created_;
  mark previous_;  // the last line (or restart)
  mark first_;     // the restart: what the final line counts from
  std::vector<std::pair<std::string, double>> reports_;
  nlohmann::ordered_json line_;  // reused from line to line
};

}  // namespace paracel
