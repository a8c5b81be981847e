// Setting CURVE keys on a ZeroMQ socket (internal to the client and the server).
#pragma once

#include <string>
#include <zmq.hpp>

#include "paracel/error.hpp"

namespace paracel {

// `option` is ZMQ_CURVE_SECRETKEY, ZMQ_CURVE_PUBLICKEY or ZMQ_CURVE_SERVERKEY; `z85` a
// 40-character key, passed with its terminating NUL as libzmq expects Z85 text.
inline void set_curve_key(zmq::socket_t& socket, int option, const std::string& z85) {
  if (zmq_setsockopt(socket.handle(), option, z85.c_str(), z85.size() + 1) != 0) {
    throw error(std::string("cannot set a CURVE key on a socket: ") + zmq_strerror(zmq_errno()));
  }
}

}  // namespace paracel
