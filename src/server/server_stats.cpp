#include "server/server_stats.hpp"

#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace paracel::server {

namespace {

constexpr int k_smallest_power = 8;  // bucket 0 holds everything under 2^8 ns

void add(std::atomic<std::uint64_t>& counter, std::uint64_t amount) {
  counter.fetch_add(amount, std::memory_order_relaxed);
}
std::uint64_t get(const std::atomic<std::uint64_t>& counter) {
  return counter.load(std::memory_order_relaxed);
}

}  // namespace

std::size_t latency_histogram::bucket_of(std::uint64_t ns) {
  if (ns < (std::uint64_t{1} << k_smallest_power)) return 0;
  const int power = std::bit_width(ns) - 1;                                // 2^power <= ns
  const auto quarter = static_cast<std::size_t>((ns >> (power - 2)) & 3);  // next two bits
  const std::size_t bucket = 1 + static_cast<std::size_t>(power - k_smallest_power) * 4 + quarter;
  return std::min(bucket, k_buckets - 1);
}

double latency_histogram::upper_edge_ns(std::size_t bucket) {
  if (bucket == 0) return static_cast<double>(std::uint64_t{1} << k_smallest_power);
  const std::size_t power = (bucket - 1) / 4 + k_smallest_power;
  const std::size_t quarter = (bucket - 1) % 4;
  return static_cast<double>(4 + quarter + 1) * static_cast<double>(std::uint64_t{1} << power) /
         4.0;
}

void latency_histogram::add(std::chrono::nanoseconds elapsed) {
  const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(elapsed.count(), 0));
  paracel::server::add(counts_[bucket_of(ns)], 1);
}

void latency_histogram::add_to(counts& totals) const {
  for (std::size_t b = 0; b < k_buckets; ++b) totals[b] += get(counts_[b]);
}

double latency_histogram::quantile_us(const counts& totals, double q) {
  std::uint64_t total = 0;
  for (const auto n : totals) total += n;
  if (total == 0) return 0;
  // The first bucket whose cumulative count reaches ceil(q * total).
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total))));
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < k_buckets; ++b) {
    seen += totals[b];
    if (seen >= rank) return upper_edge_ns(b) / 1000.0;
  }
  return upper_edge_ns(k_buckets - 1) / 1000.0;
}

void thread_stats::record(std::size_t opcode, std::uint64_t bytes_in, std::uint64_t bytes_out,
                          std::chrono::nanoseconds elapsed, bool failed) {
  op_counters& c = ops[opcode < ops.size() ? opcode : 0];
  add(c.requests, 1);
  if (failed) add(c.errors, 1);
  add(c.bytes_in, bytes_in);
  add(c.bytes_out, bytes_out);
  c.service.add(elapsed);
}

void thread_stats::record_queue(std::size_t waiting) {
  add(queue_samples, 1);
  add(queue_total, waiting);
  if (waiting > get(queue_max)) queue_max.store(waiting, std::memory_order_relaxed);
}

server_counters::server_counters(std::size_t thread_count) {
  for (std::size_t t = 0; t < thread_count; ++t)
    threads.push_back(std::make_unique<thread_stats>());
}

std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  std::uint64_t resident = 0;
  if (!(statm >> pages >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

std::string stats_json(const server_counters& counters,
                       const std::vector<std::unique_ptr<shard>>& shards,
                       const std::string& endpoint) {
  using json = nlohmann::ordered_json;
  std::uint64_t keys = 0;
  std::uint64_t bytes = 0;
  for (const auto& s : shards) {
    keys += s->keys();
    bytes += s->bytes();
  }
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  json ops = json::object();
  for (std::size_t code = 0; code < proto::k_op_count; ++code) {
    std::uint64_t op_requests = 0;
    std::uint64_t op_errors = 0;
    std::uint64_t in = 0;
    std::uint64_t out = 0;
    latency_histogram::counts service{};
    for (const auto& t : counters.threads) {
      const op_counters& c = t->ops[code];
      op_requests += get(c.requests);
      op_errors += get(c.errors);
      in += get(c.bytes_in);
      out += get(c.bytes_out);
      c.service.add_to(service);
    }
    requests += op_requests;
    errors += op_errors;
    if (code == 0 && op_requests == 0) continue;  // no unreadable request: nothing to say
    const std::string name =
        code == 0 ? "unreadable" : proto::op_name(static_cast<proto::op>(code));
    ops[name] = {{"requests", op_requests},
                 {"errors", op_errors},
                 {"bytes_in", in},
                 {"bytes_out", out},
                 {"p50_us", latency_histogram::quantile_us(service, 0.5)},
                 {"p99_us", latency_histogram::quantile_us(service, 0.99)}};
  }
  std::uint64_t samples = 0;
  std::uint64_t waiting = 0;
  std::uint64_t deepest = 0;
  std::uint64_t updater_calls = 0;
  std::uint64_t updater_errors = 0;
  std::uint64_t filter_calls = 0;
  std::uint64_t filter_errors = 0;
  for (const auto& t : counters.threads) {
    samples += get(t->queue_samples);
    waiting += get(t->queue_total);
    deepest = std::max(deepest, get(t->queue_max));
    updater_calls += get(t->updater_calls);
    updater_errors += get(t->updater_errors);
    filter_calls += get(t->filter_calls);
    filter_errors += get(t->filter_errors);
  }
  const double uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - counters.started).count();
  json out = {
      {"endpoint", endpoint},
      {"threads", counters.threads.size()},
      {"uptime_seconds", uptime},
      {"keys", keys},
      {"bytes", bytes},
      {"resident_bytes", resident_bytes()},
      {"requests", requests},
      {"errors", errors},
      {"zmq_errors", get(counters.zmq_errors)},
      {"refused_clients", get(counters.refused_clients)},
      {"queue",
       {{"mean", samples == 0 ? 0.0 : static_cast<double>(waiting) / static_cast<double>(samples)},
        {"max", deepest}}},
      {"plugins",
       {{"updater_calls", updater_calls},
        {"updater_errors", updater_errors},
        {"filter_calls", filter_calls},
        {"filter_errors", filter_errors}}},
      {"ops", std::move(ops)},
  };
  return out.dump();
}

}  // namespace paracel::server
