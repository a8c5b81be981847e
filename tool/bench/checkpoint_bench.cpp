// checkpoint_bench: what a checkpoint of a large model costs (docs/checkpoints.md), against
// what the disk and the network do anyway, in the same process and folder:
//   - writing: every shard of --servers x --threads written at once (ps_client::checkpoint),
//     against plain sequential writers of the same files' sizes, as many at once, each with
//     fsync (what `dd conv=fsync` per file does), run before and after the checkpoint: the
//     faster of the two (the virtual disks of VMs vary by 2x from one write to the next);
//   - resuming: reading, checking and decoding the shard files and pushing every entry back
//     through a client (what paralg's resume does), against pushing the same model in the
//     first place.
// Prints one line: CHECKPOINT_BENCH {json}.
//
//   checkpoint_bench --megabytes 1024 --value_kb 64 --dir /var/tmp/paracel-ckpt-bench
#include <fcntl.h>
#include <gflags/gflags.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "paracel/ps_client.hpp"
#include "paralg/checkpoint_store.hpp"
#include "server/server.hpp"

DEFINE_uint64(megabytes, 1024, "size of the model's values, MiB");
DEFINE_uint64(value_kb, 64, "size of one value (a dense vector of doubles), KiB");
DEFINE_uint32(servers, 2, "in-process servers");
DEFINE_uint32(threads, 2, "threads (shards) per server");
DEFINE_string(dir, "/var/tmp/paracel-checkpoint-bench", "scratch folder (removed at the end)");

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// One dd-style writer: `bytes` written sequentially in 4 MiB writes, then fsync.
void sequential_write(const std::string& path, std::uint64_t bytes) {
  const std::string block(std::size_t{4} << 20, 'x');
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + path);
  for (std::uint64_t done = 0; done < bytes; done += block.size()) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), bytes - done));
    if (::write(fd, block.data(), n) != static_cast<ssize_t>(n))
      throw std::runtime_error("short write to " + path);
  }
  if (::fsync(fd) != 0) throw std::runtime_error("fsync failed on " + path);
  ::close(fd);
}

// The baseline: one writer per file size, all at once; seconds until all are done.
double parallel_writes(const std::string& folder, const std::vector<std::uint64_t>& sizes) {
  const auto start = clock_type::now();
  std::vector<std::thread> writers;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    writers.emplace_back(
        [&, i] { sequential_write(folder + "/dd-" + std::to_string(i), sizes[i]); });
  }
  for (auto& w : writers) w.join();
  const double seconds = seconds_since(start);
  for (std::size_t i = 0; i < sizes.size(); ++i) fs::remove(folder + "/dd-" + std::to_string(i));
  return seconds;
}

std::uint64_t peak_rss_kb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  fs::remove_all(FLAGS_dir);
  fs::create_directories(FLAGS_dir);
  std::vector<std::unique_ptr<paracel::server::server>> servers;
  std::vector<std::string> endpoints;
  for (std::uint32_t i = 0; i < FLAGS_servers; ++i) {
    paracel::server::server_options options;
    options.threads = FLAGS_threads;
    options.checkpoint_dir = FLAGS_dir;
    servers.push_back(std::make_unique<paracel::server::server>(options));
    endpoints.push_back(servers.back()->endpoint());
  }
  paracel::ps_client ps(endpoints);

  const std::size_t dim = FLAGS_value_kb * 1024 / sizeof(double);
  const std::uint64_t keys = FLAGS_megabytes * 1024 / FLAGS_value_kb;
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;
  const auto push_start = clock_type::now();
  for (std::uint64_t k = 0; k < keys; ++k) {
    names.push_back("w/" + std::to_string(k));
    values.emplace_back(dim, static_cast<double>(k));
    if (names.size() == 64 || k + 1 == keys) {
      ps.push_multi(names, values);
      names.clear();
      values.clear();
    }
  }
  const double push_seconds = seconds_since(push_start);
  // The shards' sizes are known only after the checkpoint: a first baseline with the keys
  // spread evenly, the second with the real sizes.
  const std::uint64_t model_bytes = FLAGS_megabytes << 20;
  const std::size_t files = std::size_t{FLAGS_servers} * FLAGS_threads;
  double dd_seconds =
      parallel_writes(FLAGS_dir, std::vector<std::uint64_t>(files, model_bytes / files));
  const std::uint64_t rss_before = peak_rss_kb();

  const auto write_start = clock_type::now();
  const auto records = ps.checkpoint("ckpt-0000000001", 1);
  const double write_seconds = seconds_since(write_start);
  const std::uint64_t rss_after = peak_rss_kb();
  std::uint64_t bytes = 0;
  std::vector<std::uint64_t> sizes;
  for (const auto& r : records) {
    bytes += r.bytes;
    sizes.push_back(r.bytes);
  }
  dd_seconds = std::min(dd_seconds * static_cast<double>(bytes) / static_cast<double>(model_bytes),
                        parallel_writes(FLAGS_dir, sizes));

  // Resume into fresh servers with paralg's own restore (one reader here).
  std::vector<std::unique_ptr<paracel::server::server>> fresh;
  std::vector<std::string> fresh_endpoints;
  for (std::uint32_t i = 0; i < FLAGS_servers; ++i) {
    paracel::server::server_options options;
    options.threads = FLAGS_threads;
    fresh.push_back(std::make_unique<paracel::server::server>(options));
    fresh_endpoints.push_back(fresh.back()->endpoint());
  }
  servers.clear();
  paracel::ps_client target(fresh_endpoints);
  const auto restore_start = clock_type::now();
  const std::uint64_t restored =
      paracel::checkpoint::restore_shards(target, FLAGS_dir + "/ckpt-0000000001", records, 0, 1);
  const double restore_seconds = seconds_since(restore_start);
  fs::remove_all(FLAGS_dir);
  if (restored != keys) {
    std::fprintf(stderr, "restored %llu keys of %llu\n", static_cast<unsigned long long>(restored),
                 static_cast<unsigned long long>(keys));
    return 1;
  }
  const double mib = static_cast<double>(bytes) / (1 << 20);
  std::printf(
      "CHECKPOINT_BENCH {\"bytes\": %llu, \"files\": %zu, \"write_seconds\": %.4f, "
      "\"dd_seconds\": %.4f, \"write_mib_s\": %.1f, \"dd_mib_s\": %.1f, \"restore_seconds\": %.4f, "
      "\"push_seconds\": %.4f, \"peak_rss_growth_mib\": %.1f}\n",
      static_cast<unsigned long long>(bytes), records.size(), write_seconds, dd_seconds,
      mib / write_seconds, mib / dd_seconds, restore_seconds, push_seconds,
      static_cast<double>(rss_after - rss_before) / 1024);
  return 0;
}
