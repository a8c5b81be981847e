// A parameter server: a shard of the global key-value store, served by several threads.
//
// Each thread owns one shard of this server's keys (paracel::shard_of) and one ROUTER
// socket on its own port, so requests never contend on a lock. Thread 0's port is the
// server's public endpoint: a client says hello there and learns the other ports.
// Construction binds every socket and starts the threads; stop() (or the destructor) shuts
// the context down, which wakes every thread, and joins them. stop() is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "paracel/curve.hpp"
#include "server/plugin_registry.hpp"
#include "server/request_handler.hpp"
#include "server/server_stats.hpp"
#include "server/shard.hpp"
#include "server/zap_handler.hpp"

namespace paracel::server {

struct server_options {
  std::string bind_address = "127.0.0.1";  // an IP or interface name; "*" for all
  // Host put in the reported endpoint; empty: the bind address, or this host's name when
  // binding to all interfaces.
  std::string advertise_host;
  std::uint16_t port = 0;  // of thread 0; 0 picks a free port
  std::size_t threads = 2;
  std::vector<std::string> plugin_dirs;
  std::size_t max_request_bytes = std::size_t{512} << 20;
  int io_threads = 1;  // ZeroMQ I/O threads
  // Secure mode (docs/security.md): with a key pair, every socket is a CURVE server and only
  // the clients whose public keys are in curve_allowed get in. Empty: plain TCP.
  curve_pair curve;
  std::set<std::string> curve_allowed;
  // Where the checkpoint op writes (docs/checkpoints.md); empty: the op is refused.
  std::string checkpoint_dir;
  bool secure() const { return !curve.secret_key.empty(); }
};

class server {
 public:
  explicit server(server_options options);  // throws paracel::error when it cannot bind
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // The endpoint clients connect to, e.g. "tcp://127.0.0.1:40123".
  const std::string& endpoint() const { return endpoint_; }
  const server_options& options() const { return options_; }
  // Its statistics as one JSON object (what the stats op answers).
  std::string stats() const;
  void stop();

 private:
  void serve(std::size_t thread);

  static constexpr std::size_t k_batch = 64;  // requests taken off a socket at once

  server_options options_;
  zmq::context_t context_;
  plugin_registry registry_;
  server_counters counters_;
  std::unique_ptr<zap_handler> zap_;  // secure mode only
  clock_service clocks_;              // used by thread 0 only
  std::vector<std::unique_ptr<shard>> shards_;
  std::vector<zmq::socket_t> sockets_;
  std::vector<std::uint16_t> ports_;
  std::string endpoint_;
  std::vector<std::thread> threads_;
  std::once_flag stopped_;
};

}  // namespace paracel::server
