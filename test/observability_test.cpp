// What a server and a client count about themselves: the stats op's exact per-op counts,
// bytes, errors, plugin calls and latency percentiles; the client's traffic counters; the
// latency histogram's buckets; the logger's line format; the worker's iteration metrics file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "paracel/log.hpp"
#include "paracel/ps_client.hpp"
#include "paralg/iteration_log.hpp"
#include "server/server_stats.hpp"
#include "support/local_cluster.hpp"

namespace {

using nlohmann::json;
using paracel::builtin;
using paracel::server::latency_histogram;

// One server, so that every request of the script lands on it.
class ServerStats : public ::testing::Test {
 protected:
  paracel::testing::local_cluster cluster_{1, 2};
  paracel::ps_client ps_{cluster_.endpoints()};

  json stats() { return json::parse(ps_.stats().at(0).json); }
};

TEST_F(ServerStats, CountExactlyTheOpsAScriptedClientSent) {
  const json before = stats();  // the client's hellos (one per server thread)
  for (int i = 0; i < 7; ++i) ps_.push("k" + std::to_string(i), std::vector<double>{1, 2, 3});
  for (int i = 0; i < 5; ++i) (void)ps_.pull<std::vector<double>>("k" + std::to_string(i));
  EXPECT_FALSE(ps_.try_pull<double>("missing"));  // a not_found reply counts as an error
  // 4 keys over 2 threads: one pull_multi per thread that owns any of them.
  (void)ps_.pull_multi<std::vector<double>>({"k0", "k1", "k2", "k3"});
  for (int i = 0; i < 3; ++i) ps_.bupdate("k0", std::vector<double>{1, 1, 1}, builtin::add);
  ps_.bupdate("fresh", 1.0, builtin::add);  // creates the key: no updater call
  const json after = stats();

  auto requests = [&](const char* op) {
    return after["ops"][op]["requests"].get<std::uint64_t>() -
           before["ops"][op]["requests"].get<std::uint64_t>();
  };
  EXPECT_EQ(requests("push"), 7u);
  EXPECT_EQ(requests("pull"), 6u);
  EXPECT_GE(requests("pull_multi"), 1u);
  EXPECT_LE(requests("pull_multi"), 2u);
  EXPECT_EQ(requests("update"), 4u);
  EXPECT_EQ(requests("stats"), 1u);  // `before` itself; `after` is counted once it is answered
  EXPECT_EQ(after["ops"]["pull"]["errors"].get<std::uint64_t>(), 1u);
  EXPECT_EQ(after["errors"].get<std::uint64_t>(), 1u);
  EXPECT_EQ(after["keys"].get<std::uint64_t>(), 8u);  // k0..k6 and fresh
  EXPECT_EQ(after["plugins"]["updater_calls"].get<std::uint64_t>(), 3u);
  EXPECT_EQ(after["plugins"]["updater_errors"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(after["zmq_errors"].get<std::uint64_t>(), 0u);

  const json& push = after["ops"]["push"];
  EXPECT_GT(push["bytes_in"].get<std::uint64_t>(), 7u * 3 * 8);  // 7 values of 3 doubles
  EXPECT_GT(push["bytes_out"].get<std::uint64_t>(), 0u);
  EXPECT_GT(push["p50_us"].get<double>(), 0.0);
  EXPECT_LE(push["p50_us"].get<double>(), push["p99_us"].get<double>());
  EXPECT_GE(after["queue"]["max"].get<std::uint64_t>(), 1u);
  EXPECT_GT(after["resident_bytes"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(after["endpoint"].get<std::string>(), cluster_.endpoints()[0]);

  // The typed view agrees with the document.
  const auto typed = ps_.stats().at(0);
  EXPECT_EQ(typed.ops.at("push"), after["ops"]["push"]["requests"].get<std::uint64_t>());
  EXPECT_EQ(typed.keys, 8u);
}

TEST_F(ServerStats, UpdaterErrorsAreCounted) {
  ps_.push("text", std::string("not a number"));
  EXPECT_THROW(ps_.bupdate("text", 1.0, builtin::add), paracel::server_error);
  const json after = stats();
  EXPECT_EQ(after["plugins"]["updater_calls"].get<std::uint64_t>(), 1u);
  EXPECT_EQ(after["plugins"]["updater_errors"].get<std::uint64_t>(), 1u);
  EXPECT_EQ(after["ops"]["update"]["errors"].get<std::uint64_t>(), 1u);
}

TEST_F(ServerStats, ClientCountsItsOwnTraffic) {
  const paracel::client_traffic start = ps_.traffic();
  ps_.push_multi({"a", "b", "c"}, std::vector<double>{1, 2, 3});
  (void)ps_.pull_multi<double>({"a", "b"});
  (void)ps_.pull<double>("c");
  const paracel::client_traffic& now = ps_.traffic();
  EXPECT_EQ(now.keys_pushed - start.keys_pushed, 3u);
  EXPECT_EQ(now.keys_pulled - start.keys_pulled, 3u);
  EXPECT_GE(now.requests - start.requests, 3u);  // per thread that owns a key, plus the pull
  EXPECT_LE(now.requests - start.requests, 5u);
  EXPECT_GT(now.bytes_sent, start.bytes_sent);
  EXPECT_GT(now.bytes_received, start.bytes_received);
  EXPECT_GT(now.blocked.count(), start.blocked.count());
}

TEST(LatencyHistogram, BucketsAreOrderedAndAtMostAQuarterWide) {
  double previous_edge = 0;
  for (std::size_t b = 0; b + 1 < latency_histogram::k_buckets; ++b) {
    const double edge = latency_histogram::upper_edge_ns(b);
    EXPECT_GT(edge, previous_edge);
    if (b > 0) {
      EXPECT_LE(edge / previous_edge, 1.26) << "bucket " << b;
    }
    previous_edge = edge;
  }
  // Every duration falls in the bucket whose edges enclose it.
  for (std::uint64_t ns : {0ull, 255ull, 256ull, 257ull, 1000ull, 4095ull, 4096ull, 123456789ull}) {
    const std::size_t b = latency_histogram::bucket_of(ns);
    EXPECT_LT(static_cast<double>(ns), latency_histogram::upper_edge_ns(b)) << ns;
    if (b > 0) {
      EXPECT_GE(static_cast<double>(ns), latency_histogram::upper_edge_ns(b - 1)) << ns;
    }
  }
}

TEST(LatencyHistogram, QuantilesOfAKnownSample) {
  latency_histogram h;
  // 98 requests of 10 us, 2 of 1 ms: the median is about 10 us, p99 about 1 ms.
  for (int i = 0; i < 98; ++i) h.add(std::chrono::microseconds(10));
  for (int i = 0; i < 2; ++i) h.add(std::chrono::milliseconds(1));
  latency_histogram::counts totals{};
  h.add_to(totals);
  const double p50 = latency_histogram::quantile_us(totals, 0.5);
  const double p99 = latency_histogram::quantile_us(totals, 0.99);
  EXPECT_GT(p50, 10.0);
  EXPECT_LT(p50, 10.0 * 1.26);
  EXPECT_GT(p99, 1000.0);
  EXPECT_LT(p99, 1000.0 * 1.26);
  EXPECT_EQ(latency_histogram::quantile_us(latency_histogram::counts{}, 0.5), 0.0);
}

TEST(Log, LineCarriesTimeIdentityAndLevel) {
  paracel::log::set_identity("worker 7");
  const std::string line = paracel::log::format_line(paracel::log::level::warn, "slow disk");
  // 2026-12-03T10:22:01.123Z worker 7 WARN slow disk
  ASSERT_GE(line.size(), 25u);
  EXPECT_EQ(line[4], '-');
  EXPECT_EQ(line[10], 'T');
  EXPECT_EQ(line[23], 'Z');
  EXPECT_NE(line.find(" worker 7 WARN slow disk\n"), std::string::npos) << line;
  paracel::log::set_identity("paracel");
}

}  // namespace

namespace {

std::vector<json> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<json> out;
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

TEST(IterationLog, OneLinePerClockWithThatIterationsCounters) {
  const auto folder =
      std::filesystem::temp_directory_path() / ("paracel-iterations-" + std::to_string(::getpid()));
  std::filesystem::remove_all(folder);
  {
    paracel::iteration_log log(folder.string(), 3);
    ASSERT_TRUE(log.enabled());
    paracel::ssp_stats ssp;
    paracel::client_traffic traffic;
    traffic.requests = 100;  // before the loop: not counted
    log.restart(ssp, traffic);
    traffic.requests += 4;
    traffic.bytes_sent += 1000;
    traffic.keys_pushed += 2;
    ssp.waits += 1;
    ssp.wait_time += std::chrono::milliseconds(5);
    traffic.blocked += std::chrono::milliseconds(7);  // 5 of them the SSP wait
    log.report("loss", 0.5);
    log.report("loss", 0.25);  // the last value of the clock wins
    log.record(1, 2, ssp, traffic);
    traffic.requests += 1;
    log.record(2, 2, ssp, traffic);
    log.report("loss", 0.125);
    log.record(2, 2, ssp, traffic, true);
    log.record(3, 2, ssp, traffic);  // a later iteration is not final
  }
  const auto lines = read_lines((folder / "worker-3.jsonl").string());
  std::filesystem::remove_all(folder);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_FALSE(lines[3].contains("final"));
  EXPECT_EQ(lines[3]["clock"], 3);
  const json& first = lines[0];
  EXPECT_EQ(first["worker"], 3);
  EXPECT_EQ(first["clock"], 1);
  EXPECT_EQ(first["total"], 2);
  EXPECT_EQ(first["requests"], 4);
  EXPECT_EQ(first["bytes_sent"], 1000);
  EXPECT_EQ(first["keys_pushed"], 2);
  EXPECT_EQ(first["waits"], 1);
  EXPECT_NEAR(first["wait_seconds"].get<double>(), 0.005, 1e-9);
  EXPECT_NEAR(first["network_seconds"].get<double>(), 0.002, 1e-9);
  EXPECT_EQ(first["report"]["loss"], 0.25);
  EXPECT_FALSE(first.contains("final"));
  EXPECT_EQ(lines[1]["requests"], 1);  // deltas, not totals
  EXPECT_EQ(lines[1]["waits"], 0);
  EXPECT_TRUE(lines[1]["report"].empty());  // reports belong to one line
  const json& final = lines[2];
  EXPECT_EQ(final["final"], true);
  EXPECT_EQ(final["requests"], 5);  // the whole run since restart
  EXPECT_EQ(final["report"]["loss"], 0.125);
  for (const auto& line : lines) {
    EXPECT_GE(line["seconds"].get<double>(), line["compute_seconds"].get<double>());
    EXPECT_GE(line["compute_seconds"].get<double>(), 0.0);
  }
  EXPECT_LE(lines[0]["time"].get<double>(), lines[1]["time"].get<double>());
}

TEST(IterationLog, AnEmptyFolderDisablesIt) {
  paracel::iteration_log log("", 0);
  EXPECT_FALSE(log.enabled());
  log.record(1, 0, {}, {});  // does nothing, throws nothing
}

}  // namespace
