// The ZAP handler of a secure server (ZeroMQ's authentication protocol, RFC 27): a thread
// with a REP socket on inproc://zeromq.zap.01 in the server's context, which libzmq asks
// about every CURVE handshake. It admits a client whose public key is in the allowlist and
// refuses any other (CURVE alone encrypts: without a handler, any client that knows the
// server's public key gets in). Bound by the constructor, before the server binds anything;
// the thread ends when the context shuts down.
#pragma once

#include <atomic>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <zmq.hpp>

namespace paracel::server {

class zap_handler {
 public:
  // Counts each refusal in `refused` (the server's stats).
  zap_handler(zmq::context_t& context, std::set<std::string> allowed_z85_keys,
              std::atomic<std::uint64_t>& refused);
  // Shuts the context down if nobody did (a server whose construction failed), then joins.
  ~zap_handler();
  zap_handler(const zap_handler&) = delete;
  zap_handler& operator=(const zap_handler&) = delete;

  void join();  // once the context is shutting down

 private:
  void serve();

  zmq::context_t& context_;
  zmq::socket_t socket_;
  std::set<std::string> allowed_;
  std::atomic<std::uint64_t>& refused_;
  std::thread thread_;
};

}  // namespace paracel::server
