#include "raw_echo.hpp"

#include <iterator>
#include <vector>
#include <zmq_addon.hpp>

namespace paracel::bench {

raw_echo_server::raw_echo_server(std::size_t reply_bytes)
    : socket_(context_, zmq::socket_type::router), reply_(reply_bytes, 'r') {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind("tcp://127.0.0.1:*");
  endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  thread_ = std::thread([this] {
    std::vector<zmq::message_t> frames;
    try {
      for (;;) {
        frames.clear();
        if (!zmq::recv_multipart(socket_, std::back_inserter(frames))) continue;
        socket_.send(frames[0], zmq::send_flags::sndmore);
        socket_.send(zmq::buffer(reply_), zmq::send_flags::none);
      }
    } catch (const zmq::error_t&) {
    }
    socket_.close();
  });
}

raw_echo_server::~raw_echo_server() {
  context_.shutdown();
  thread_.join();
  context_.close();
}

raw_echo_client::raw_echo_client(const std::string& endpoint)
    : socket_(context_, zmq::socket_type::dealer) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.connect(endpoint);
}

void raw_echo_client::round_trip(const std::string& request) {
  socket_.send(zmq::buffer(request), zmq::send_flags::none);
  zmq::message_t reply;
  (void)socket_.recv(reply);
}

}  // namespace paracel::bench
