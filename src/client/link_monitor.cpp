#include "client/link_monitor.hpp"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>

#include "paracel/error.hpp"

namespace paracel::client {

namespace {
std::atomic<std::uint64_t> next_monitor{0};
}

link_monitor::link_monitor(zmq::context_t& context, zmq::socket_t& watched)
    : events_(context, zmq::socket_type::pair) {
  const std::string address = "inproc://paracel-link-" + std::to_string(next_monitor++);
  if (zmq_socket_monitor(watched.handle(), address.c_str(),
                         ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED) != 0) {
    throw error(std::string("cannot monitor a client connection: ") + zmq_strerror(zmq_errno()));
  }
  events_.set(zmq::sockopt::linger, 0);
  events_.connect(address);
}

bool link_monitor::dropped() {
  bool out = false;
  for (;;) {
    // An event is two frames: 16-bit event code and 32-bit value, then the peer's address.
    zmq::message_t event;
    if (!events_.recv(event, zmq::recv_flags::dontwait)) return out;
    zmq::message_t address;
    (void)events_.recv(address, zmq::recv_flags::dontwait);
    std::uint16_t code = 0;
    if (event.size() >= sizeof(code)) std::memcpy(&code, event.data(), sizeof(code));
    if (code == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
      established_ = true;
    } else if (code == ZMQ_EVENT_DISCONNECTED && established_) {
      established_ = false;
      out = true;
    }
  }
}

}  // namespace paracel::client
