// paracel_server: runs one parameter server until SIGTERM or SIGINT.
// Prints "PARACEL_SERVER_ENDPOINT <endpoint>" on stdout once it serves, and writes the
// endpoint to --endpoint_file (atomically) when asked, so that a launcher can collect it.
#include <gflags/gflags.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

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

namespace {

std::vector<std::string> split_dirs(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string dir; std::getline(in, dir, ':');) {
    if (!dir.empty()) out.push_back(dir);
  }
  return out;
}

void write_endpoint_file(const std::string& path, const std::string& endpoint) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    out << endpoint << '\n';
    if (!out) throw paracel::error("cannot write endpoint file " + temporary);
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage("paracel_server [flags]: serve a shard of the parameter store");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  if (FLAGS_threads == 0 || FLAGS_port > 65535) {
    std::cerr << "paracel_server: --threads must be >= 1 and --port <= 65535\n";
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
  for (const auto& dir : options.plugin_dirs) {
    if (!std::filesystem::is_directory(dir)) {
      std::cerr << "paracel_server: plugin directory " << dir << " does not exist\n";
      return 2;
    }
  }
  try {
    paracel::server::server server(options);
    if (!FLAGS_endpoint_file.empty()) write_endpoint_file(FLAGS_endpoint_file, server.endpoint());
    std::cout << "PARACEL_SERVER_ENDPOINT " << server.endpoint() << std::endl;
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server.stop();
  } catch (const std::exception& e) {
    std::cerr << "paracel_server: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
