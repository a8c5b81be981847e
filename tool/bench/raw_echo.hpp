// The baseline for ps_bench: a bare ZeroMQ ROUTER that answers every request with a reply
// of a fixed size, and a DEALER client for it. No protocol, no store: what moving the same
// bytes over the same sockets costs.
#pragma once

#include <cstddef>
#include <string>
#include <thread>
#include <zmq.hpp>

namespace paracel::bench {

class raw_echo_server {
 public:
  explicit raw_echo_server(std::size_t reply_bytes);
  ~raw_echo_server();
  const std::string& endpoint() const { return endpoint_; }

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_;
  std::string endpoint_;
  std::string reply_;
  std::thread thread_;
};

class raw_echo_client {
 public:
  explicit raw_echo_client(const std::string& endpoint);
  // One request of `request_bytes`, then its reply.
  void round_trip(const std::string& request);

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_;
};

}  // namespace paracel::bench
