// The wire protocol between ps_client and paracel_server.
//
// A request or reply is a ZeroMQ multipart message: frame 0 is a msgpack header
// [version, op, request id, status], the following frames are the op's payload (see
// docs/protocol.md). Replies echo the request's op and id; a reply whose status is not ok
// carries one payload frame: the error message. Stateless helpers; thread-safe.
#pragma once

#include <cstdint>
#include <msgpack.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>
#include <zmq.hpp>

#include "paracel/codec.hpp"
#include "paracel/error.hpp"

namespace paracel::proto {

inline constexpr std::uint8_t k_version = 1;

// Opcodes. Part of the wire protocol: append only.
enum class op : std::uint8_t {
  hello = 1,
  pull,
  pull_multi,
  push,
  push_multi,
  update,
  update_multi,
  contains,
  remove,
  pull_all,
  remove_filtered,
  top_k,
  incr,
  register_updater,
  unregister_updater,
  register_filter,
  unregister_filter,
  stats,
  clock_register,  // SSP clock table: on thread 0 of the server that hosts it
  clock_commit,
  clock_wait,
  clock_finish,
  checkpoint,  // write this thread's shard into the server's checkpoint folder
  end_,        // one past the last opcode
};

inline constexpr std::size_t k_op_count = static_cast<std::size_t>(op::end_);

const char* op_name(op code);

struct header {
  std::uint8_t version = k_version;
  op code = op::hello;
  std::uint64_t id = 0;
  status st = status::ok;
};

// A message that cannot be understood; `code` is the status to reply with.
// `partial` is the header when it could be read (so the error reply can echo op and id).
class protocol_error : public status_error {
 public:
  protocol_error(status code, const std::string& message, std::optional<header> partial = {})
      : status_error(code, message), partial_(partial) {}
  const std::optional<header>& partial() const { return partial_; }

 private:
  std::optional<header> partial_;
};

zmq::message_t encode_header(const header& h);
// Throws protocol_error: bad_request if not a header, version_mismatch, unknown_op.
header decode_header(const zmq::message_t& frame);

// Moves a packed buffer into a ZeroMQ message without copying it.
zmq::message_t to_message(msgpack::sbuffer&& buffer);

// A frame holding a msgpack tuple of small arguments (counts, names, cursors).
template <class... Ts>
zmq::message_t encode_args(const Ts&... args) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, std::forward_as_tuple(args...));
  return to_message(std::move(buffer));
}

// Unpacks `frame` with limits scaled to its size; bulk data references the frame.
msgpack::object_handle unpack_frame(const zmq::message_t& frame);

template <class... Ts>
std::tuple<Ts...> decode_args(const zmq::message_t& frame) {
  std::tuple<Ts...> out;
  try {
    unpack_frame(frame).get().convert(out);
  } catch (const msgpack::type_error&) {
    throw protocol_error(status::bad_request, "arguments frame has the wrong shape");
  }
  return out;
}

// A list of optional byte strings (keys or values) as a msgpack array of str/bin/nil.
zmq::message_t encode_list(const std::vector<std::string_view>& items, bool binary);
zmq::message_t encode_optional_list(const std::vector<std::optional<std::string_view>>& items);

// Views into `frame`; valid while `frame` lives.
struct list_view {
  std::vector<std::optional<std::string_view>> items;
};
list_view decode_list(const zmq::message_t& frame);

inline std::string_view view(const zmq::message_t& frame) {
  return {static_cast<const char*>(frame.data()), frame.size()};
}

}  // namespace paracel::proto
