// paracel_server: runs one parameter server until SIGTERM or SIGINT.
// Prints "PARACEL_SERVER_ENDPOINT <endpoint>" on stdout once it serves, and writes the
// endpoint to --endpoint_file (atomically) when asked, so that a launcher can collect it.
// With --stats_every it logs its statistics (one JSON object) every so many seconds; with
// --stats_dir it writes them into that folder when it stops, as server-<host>-<port>.json
// (docs/observability.md).
#include <gflags/gflags.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "paracel/curve.hpp"
#include "paracel/log.hpp"
#include "server/server.hpp"

DEFINE_string(bind, "127.0.0.1", "address or interface to bind; * for all interfaces");
DEFINE_string(advertise, "",
              "host name or address clients should use; default: the bind address, or this "
              "host's name when binding to all interfaces");
DEFINE_uint32(port, 0, "port of the server's endpoint; 0 picks a free port");
DEFINE_uint32(threads, 2, "request-serving threads (each owns a shard of this server's keys)");
DEFINE_string(plugin_dirs, "",
              "colon-separated directories from which updater/filter plugins may be loaded");
DEFINE_uint64(max_request_bytes, std::uint64_t{512} << 20, "largest request accepted, in bytes");
DEFINE_string(endpoint_file, "", "also write the bound endpoint to this file");
DEFINE_int32(io_threads, 1, "ZeroMQ I/O threads");
DEFINE_bool(secure, false,
            "CURVE encryption and authentication (docs/security.md): needs --curve_secret and "
            "--curve_allow");
DEFINE_string(curve_secret, "", "the server's secret certificate (ZPL, mode 600)");
DEFINE_string(curve_allow, "", "folder of the public certificates of the clients let in");
DEFINE_string(make_keys, "",
              "write a new CURVE key pair as certificates PATH and PATH_secret, then exit");
DEFINE_double(stats_every, 0, "log the server's statistics every so many seconds; 0: never");
DEFINE_string(stats_dir, "",
              "when it stops, write the server's statistics (JSON) into this folder as "
              "server-<host>-<port>.json");
DEFINE_string(checkpoint_dir, "",
              "folder (shared with the workers) where the checkpoint op writes this server's "
              "shards; empty: checkpoints are refused");

namespace {

std::vector<std::string> split_dirs(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string dir; std::getline(in, dir, ':');) {
    if (!dir.empty()) out.push_back(dir);
  }
  return out;
}

// Writes `text` to `path` through a temporary file, so that a reader sees all of it or none.
void write_atomically(const std::string& path, const std::string& text, const char* what) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    out << text << '\n';
    if (!out) throw paracel::error(std::string("cannot write ") + what + " " + temporary);
  }
  std::filesystem::rename(temporary, path);
}

// <dir>/server-<host>-<port>.json for the endpoint tcp://<host>:<port>.
std::string stats_path(const std::string& dir, const std::string& endpoint) {
  std::string name =
      endpoint.substr(endpoint.find("://") == std::string::npos ? 0 : endpoint.find("://") + 3);
  for (char& c : name) {
    if (c == ':' || c == '/') c = '-';
  }
  return dir + "/server-" + name + ".json";
}

// Waits for SIGTERM or SIGINT, logging the statistics every --stats_every seconds meanwhile.
void serve_until_stopped(const sigset_t& stop_signals, const paracel::server::server& server) {
  if (FLAGS_stats_every <= 0) {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    return;
  }
  const auto period = std::chrono::duration<double>(FLAGS_stats_every);
  const auto whole = std::chrono::duration_cast<std::chrono::seconds>(period);
  const timespec interval{
      static_cast<time_t>(whole.count()),
      static_cast<long>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(period - whole).count())};
  for (;;) {
    if (sigtimedwait(&stop_signals, nullptr, &interval) >= 0) return;
    if (errno != EAGAIN && errno != EINTR) return;
    if (errno == EAGAIN) paracel::log::info("stats ", server.stats());
  }
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage("paracel_server [flags]: serve a shard of the parameter store");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  paracel::log::set_identity("paracel_server");
  if (!FLAGS_make_keys.empty()) {
    try {
      paracel::write_certificate(FLAGS_make_keys, paracel::make_curve_pair());
    } catch (const std::exception& e) {
      paracel::log::error(e.what());
      return 1;
    }
    return 0;
  }
  if (FLAGS_secure != (!FLAGS_curve_secret.empty() || !FLAGS_curve_allow.empty()) ||
      (FLAGS_secure && (FLAGS_curve_secret.empty() || FLAGS_curve_allow.empty()))) {
    paracel::log::error(
        "--secure needs both --curve_secret and --curve_allow, and they need --secure");
    return 2;
  }
  if (FLAGS_threads == 0 || FLAGS_port > 65535 || FLAGS_stats_every < 0) {
    paracel::log::error("--threads must be >= 1, --port <= 65535 and --stats_every >= 0");
    return 2;
  }
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  paracel::server::server_options options;
  options.bind_address = FLAGS_bind;
  options.advertise_host = FLAGS_advertise;
  options.port = static_cast<std::uint16_t>(FLAGS_port);
  options.threads = FLAGS_threads;
  options.plugin_dirs = split_dirs(FLAGS_plugin_dirs);
  options.max_request_bytes = FLAGS_max_request_bytes;
  options.io_threads = FLAGS_io_threads;
  if (FLAGS_secure) {
    try {
      options.curve = paracel::read_certificate(FLAGS_curve_secret, true);
      options.curve_allowed = paracel::read_allowlist(FLAGS_curve_allow);
    } catch (const std::exception& e) {
      paracel::log::error(e.what());
      return 2;
    }
    if (options.curve_allowed.empty()) {
      paracel::log::error("--curve_allow ", FLAGS_curve_allow,
                          " holds no certificate: no client could get in");
      return 2;
    }
  }
  if (!FLAGS_checkpoint_dir.empty()) {
    std::error_code failed;
    std::filesystem::create_directories(FLAGS_checkpoint_dir, failed);
    if (failed || !std::filesystem::is_directory(FLAGS_checkpoint_dir)) {
      paracel::log::error("--checkpoint_dir ", FLAGS_checkpoint_dir, " cannot be created",
                          failed ? ": " + failed.message() : std::string());
      return 2;
    }
    options.checkpoint_dir = std::filesystem::absolute(FLAGS_checkpoint_dir).string();
  }
  for (const auto& dir : options.plugin_dirs) {
    if (!std::filesystem::is_directory(dir)) {
      paracel::log::error("plugin directory ", dir, " does not exist");
      return 2;
    }
  }
  try {
    paracel::server::server server(options);
    paracel::log::set_identity("server " + server.endpoint());
    if (!FLAGS_endpoint_file.empty())
      write_atomically(FLAGS_endpoint_file, server.endpoint(), "endpoint file");
    std::cout << "PARACEL_SERVER_ENDPOINT " << server.endpoint() << std::endl;
    serve_until_stopped(stop_signals, server);
    server.stop();
    if (!FLAGS_stats_dir.empty()) {
      try {
        write_atomically(stats_path(FLAGS_stats_dir, server.endpoint()), server.stats(),
                         "stats file");
      } catch (const std::exception& e) {  // the job is over: statistics are not worth failing it
        paracel::log::warn(e.what());
      }
    }
  } catch (const std::exception& e) {
    paracel::log::error(e.what());
    return 1;
  }
  return 0;
}
