// ps_bench: parameter-server operations against a raw ZeroMQ echo moving the same bytes,
// measured in the same process, interleaved, median of --reps repetitions.
//
//   ps_bench [--reps 3] [--seconds 1] [--dim 32] [--batch 1000] [--server_threads 2]
//            [--large_dim 100000] [--only TEXT] [--format markdown|json]
//
// Prints a markdown table (each row a Paracel rate, the baseline rate, and their ratio), or
// one JSON object per row for tool/bench/run.py.
#include <gflags/gflags.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "paracel/curve.hpp"
#include "paracel/ps_client.hpp"
#include "raw_echo.hpp"
#include "server/server.hpp"

DEFINE_uint32(reps, 3, "repetitions of each measurement (the median is reported)");
DEFINE_double(seconds, 1.0, "duration of one measurement");
DEFINE_uint32(dim, 32, "vector dimension of each value");
DEFINE_uint32(batch, 1000, "keys per batched request");
DEFINE_uint32(server_threads, 2, "threads of the Paracel server");
DEFINE_string(only, "", "run only the workloads whose name contains this text");
DEFINE_uint32(large_dim, 100000, "dimension of the large dense vector (100,000 doubles: 800 KB)");
DEFINE_string(format, "markdown", "markdown or json");

namespace {

using clock_type = std::chrono::steady_clock;

// Runs `op` repeatedly for --seconds; returns operations per second.
double rate(const std::function<void()>& op) {
  const auto budget = std::chrono::duration<double>(FLAGS_seconds);
  const auto start = clock_type::now();
  std::size_t n = 0;
  while (clock_type::now() - start < budget) {
    op();
    ++n;
  }
  return n / std::chrono::duration<double>(clock_type::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct row {
  std::string name;
  std::string unit;
  double paracel;
  double baseline;
};

// Measures a Paracel op and its baseline alternately, --reps times each.
std::optional<row> compare(const std::string& name, const std::string& unit, double per_op,
                           const std::function<void()>& paracel_op,
                           const std::function<void()>& baseline_op) {
  if (name.find(FLAGS_only) == std::string::npos) return std::nullopt;
  std::vector<double> p;
  std::vector<double> b;
  for (std::uint32_t r = 0; r < FLAGS_reps; ++r) {
    p.push_back(rate(paracel_op) * per_op);
    b.push_back(rate(baseline_op) * per_op);
  }
  return row{name, unit, median(p), median(b)};
}

}  // namespace

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  paracel::server::server_options options;
  options.threads = FLAGS_server_threads;
  paracel::server::server server(options);
  paracel::ps_client ps({server.endpoint()});

  const std::vector<double> value(FLAGS_dim, 0.5);
  const std::string encoded = paracel::encode(value);
  ps.push("w", value);
  std::vector<std::string> keys;
  for (std::uint32_t i = 0; i < FLAGS_batch; ++i) keys.push_back("row_" + std::to_string(i));
  ps.push_multi(keys, std::vector<std::vector<double>>(keys.size(), value));
  const std::vector<double> large(FLAGS_large_dim, 0.25);
  const std::string large_encoded = paracel::encode(large);
  ps.push("large", large);

  // Baselines sized like the Paracel messages: request key -> reply value, and so on.
  paracel::bench::raw_echo_server value_echo(encoded.size());
  paracel::bench::raw_echo_server empty_echo(0);
  paracel::bench::raw_echo_server batch_echo((encoded.size() + 2) * FLAGS_batch);
  paracel::bench::raw_echo_server large_echo(large_encoded.size());
  paracel::bench::raw_echo_client to_value(value_echo.endpoint());
  paracel::bench::raw_echo_client to_empty(empty_echo.endpoint());
  paracel::bench::raw_echo_client to_batch(batch_echo.endpoint());
  paracel::bench::raw_echo_client to_large(large_echo.endpoint());
  const std::string key_request(16, 'k');
  const std::string update_request(encoded.size() + 32, 'u');
  std::size_t key_bytes = 0;
  for (auto& k : keys) key_bytes += k.size() + 1;
  const std::string batch_keys(key_bytes, 'k');
  std::string batch_update(key_bytes + (encoded.size() + 2) * FLAGS_batch, 'u');

  std::vector<row> rows;
  auto add = [&](std::optional<row> r) {
    if (r) rows.push_back(*r);
  };
  add(compare(
      "pull, 1 key, dim " + std::to_string(FLAGS_dim), "ops/s", 1,
      [&] { ps.pull<std::vector<double>>("w"); }, [&] { to_value.round_trip(key_request); }));
  add(compare(
      "bupdate (add), 1 key, dim " + std::to_string(FLAGS_dim), "ops/s", 1,
      [&] { ps.bupdate("w", value, paracel::builtin::add); },
      [&] { to_empty.round_trip(update_request); }));
  const std::vector<std::vector<double>> deltas(keys.size(), value);
  add(compare(
      "pull_multi, " + std::to_string(FLAGS_batch) + " keys", "rows/s", FLAGS_batch,
      [&] { ps.pull_multi<std::vector<double>>(keys); }, [&] { to_batch.round_trip(batch_keys); }));
  // The same rows read into one buffer, call after call, as a training loop does.
  std::vector<std::vector<double>> rows_buffer;
  add(compare(
      "pull_multi into a reused buffer, " + std::to_string(FLAGS_batch) + " keys", "rows/s",
      FLAGS_batch, [&] { ps.pull_multi(keys, rows_buffer); },
      [&] { to_batch.round_trip(batch_keys); }));
  add(compare(
      "bupdate_multi, " + std::to_string(FLAGS_batch) + " keys", "rows/s", FLAGS_batch,
      [&] { ps.bupdate_multi(keys, deltas, paracel::builtin::add); },
      [&] { to_empty.round_trip(batch_update); }));
  const double megabytes = static_cast<double>(large_encoded.size()) / 1e6;
  add(compare(
      "pull, 1 key, " + std::to_string(large_encoded.size() / 1000) + " KB dense vector", "MB/s",
      megabytes, [&] { ps.pull<std::vector<double>>("large"); },
      [&] { to_large.round_trip(key_request); }));
  // Secure mode (CURVE + allowlist) against the same ops on plain TCP.
  {
    paracel::server::server_options secure_options = options;
    secure_options.curve = paracel::make_curve_pair();
    const paracel::curve_pair client_keys = paracel::make_curve_pair();
    secure_options.curve_allowed = {client_keys.public_key};
    paracel::server::server secure_server(secure_options);
    paracel::client_options secure_client;
    secure_client.curve = paracel::curve_client_keys{client_keys, secure_options.curve.public_key};
    paracel::ps_client sps({secure_server.endpoint()}, secure_client);
    sps.push("w", value);
    sps.push("large", large);
    sps.push_multi(keys, std::vector<std::vector<double>>(keys.size(), value));
    const std::string label = "secure (CURVE) vs plain: ";
    add(compare(
        label + "pull, 1 key, dim " + std::to_string(FLAGS_dim), "ops/s", 1,
        [&] { sps.pull<std::vector<double>>("w"); }, [&] { ps.pull<std::vector<double>>("w"); }));
    add(compare(
        label + "pull_multi, " + std::to_string(FLAGS_batch) + " keys", "rows/s", FLAGS_batch,
        [&] { sps.pull_multi<std::vector<double>>(keys); },
        [&] { ps.pull_multi<std::vector<double>>(keys); }));
    add(compare(
        label + "pull, 1 key, " + std::to_string(large_encoded.size() / 1000) + " KB dense vector",
        "MB/s", megabytes, [&] { sps.pull<std::vector<double>>("large"); },
        [&] { ps.pull<std::vector<double>>("large"); }));
  }
  // Async updates: the same server op without waiting for each ack (baseline: sync bupdate).
  if (std::string("async update").find(FLAGS_only) != std::string::npos) {
    std::vector<double> a;
    std::vector<double> s;
    for (std::uint32_t r = 0; r < FLAGS_reps; ++r) {
      a.push_back(rate([&] {
                    for (int i = 0; i < 100; ++i) ps.update("w", value, paracel::builtin::add);
                    ps.flush();
                  }) *
                  100);
      s.push_back(rate([&] { ps.bupdate("w", value, paracel::builtin::add); }));
    }
    rows.push_back({"async update vs bupdate, dim " + std::to_string(FLAGS_dim), "ops/s", median(a),
                    median(s)});
  }

  if (FLAGS_format == "json") {
    for (const auto& r : rows) {
      std::printf(
          "{\"operation\": \"%s\", \"unit\": \"%s\", \"paracel\": %.6g, \"baseline\": %.6g}\n",
          r.name.c_str(), r.unit.c_str(), r.paracel, r.baseline);
    }
    return 0;
  }
  std::printf("| operation | Paracel | baseline | ratio |\n|---|---:|---:|---:|\n");
  for (const auto& r : rows) {
    std::printf("| %s | %.4g %s | %.4g %s | %.2fx |\n", r.name.c_str(), r.paracel, r.unit.c_str(),
                r.baseline, r.unit.c_str(), r.paracel / r.baseline);
  }
  if (!rows.empty() && rows[0].name.starts_with("pull, 1 key")) {
    std::printf("\nsingle-key pull RTT: %.1f us (raw echo %.1f us)\n", 1e6 / rows[0].paracel,
                1e6 / rows[0].baseline);
  }
  return 0;
}
