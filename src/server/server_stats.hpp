// What a server measures about itself, for the stats op, --stats_every and --stats_file.
//
// Each serving thread owns one thread_stats and is its only writer; the fields are relaxed
// atomics so that the stats op (on thread 0) and the logging thread may read them while the
// owner runs, without a lock on the request path. to_json() merges the threads.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "proto/message.hpp"
#include "server/shard.hpp"

namespace paracel::server {

// Service times in buckets four to a power of two (each at most 25% wide), from 256 ns to
// about 70 s, so that percentiles cost a fixed array per op, not a sample per request.
class latency_histogram {
 public:
  static constexpr std::size_t k_buckets = 4 * 28 + 2;
  using counts = std::array<std::uint64_t, k_buckets>;

  void add(std::chrono::nanoseconds elapsed);
  // Adds this histogram's counts to `totals` (to merge the threads' histograms).
  void add_to(counts& totals) const;
  // The upper edge (in microseconds) of the bucket holding the q-quantile; 0 when empty.
  static double quantile_us(const counts& totals, double q);
  static std::size_t bucket_of(std::uint64_t nanoseconds);
  static double upper_edge_ns(std::size_t bucket);

 private:
  std::array<std::atomic<std::uint64_t>, k_buckets> counts_{};
};

struct op_counters {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> errors{0};     // answered with an error status
  std::atomic<std::uint64_t> bytes_in{0};   // request frames after the routing identity
  std::atomic<std::uint64_t> bytes_out{0};  // reply frames
  latency_histogram service;                // from decoding the request to its reply
};

struct thread_stats {
  std::array<op_counters, proto::k_op_count> ops;  // by opcode; [0]: unreadable requests
  // Requests found waiting each time the thread turned to its socket (at most a batch).
  std::atomic<std::uint64_t> queue_samples{0};
  std::atomic<std::uint64_t> queue_total{0};
  std::atomic<std::uint64_t> queue_max{0};
  std::atomic<std::uint64_t> updater_calls{0};  // values an updater combined (plugin or builtin)
  std::atomic<std::uint64_t> updater_errors{0};
  std::atomic<std::uint64_t> filter_calls{0};  // keys a plugin filter judged
  std::atomic<std::uint64_t> filter_errors{0};

  void record(std::size_t opcode, std::uint64_t bytes_in, std::uint64_t bytes_out,
              std::chrono::nanoseconds elapsed, bool failed);
  void record_queue(std::size_t waiting);
};

// Every counter of one server.
struct server_counters {
  explicit server_counters(std::size_t threads);
  std::vector<std::unique_ptr<thread_stats>> threads;
  std::atomic<std::uint64_t> zmq_errors{0};       // failed sends and receives (logged once)
  std::atomic<std::uint64_t> refused_clients{0};  // CURVE handshakes the allowlist refused
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

// The server's statistics as one JSON object (documented in docs/observability.md).
std::string stats_json(const server_counters& counters,
                       const std::vector<std::unique_ptr<shard>>& shards,
                       const std::string& endpoint);

// This process's resident memory in bytes (0 where /proc is missing).
std::uint64_t resident_bytes();

}  // namespace paracel::server
