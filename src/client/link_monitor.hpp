// Watches the connection of one client socket through a ZeroMQ socket monitor. ZeroMQ drops
// a connection whose peer stopped answering heartbeats (or closed it) and reconnects by
// itself, telling the socket's user nothing; the replies to requests sent before the drop
// will never come, so a caller waiting for them would only learn it at its deadline.
#pragma once

#include <zmq.hpp>

namespace paracel::client {

class link_monitor {
 public:
  // Starts monitoring `watched`; call before it connects, so no event is missed.
  link_monitor(zmq::context_t& context, zmq::socket_t& watched);

  // The socket the events arrive on, to poll beside the watched one.
  zmq::socket_t& events() { return events_; }
  // Reads the events waiting; true if an established connection was dropped since the last
  // call. A connection that never completed its handshake (a refused CURVE client) does not
  // count: its requests were never delivered and its error is the deadline's.
  bool dropped();

 private:
  zmq::socket_t events_;
  bool established_ = false;
};

}  // namespace paracel::client
