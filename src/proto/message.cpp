#include "proto/message.hpp"

#include <cstdlib>

namespace paracel::proto {

const char* op_name(op code) {
  switch (code) {
    case op::hello:
      return "hello";
    case op::pull:
      return "pull";
    case op::pull_multi:
      return "pull_multi";
    case op::push:
      return "push";
    case op::push_multi:
      return "push_multi";
    case op::update:
      return "update";
    case op::update_multi:
      return "update_multi";
    case op::contains:
      return "contains";
    case op::remove:
      return "remove";
    case op::pull_all:
      return "pull_all";
    case op::remove_filtered:
      return "remove_filtered";
    case op::top_k:
      return "top_k";
    case op::incr:
      return "incr";
    case op::register_updater:
      return "register_updater";
    case op::unregister_updater:
      return "unregister_updater";
    case op::register_filter:
      return "register_filter";
    case op::unregister_filter:
      return "unregister_filter";
    case op::stats:
      return "stats";
    case op::clock_register:
      return "clock_register";
    case op::clock_commit:
      return "clock_commit";
    case op::clock_wait:
      return "clock_wait";
    case op::clock_finish:
      return "clock_finish";
    case op::checkpoint:
      return "checkpoint";
    case op::end_:
      break;
  }
  return "unknown";
}

zmq::message_t encode_header(const header& h) {
  msgpack::sbuffer buffer(16);
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_array(4);
  pk.pack_uint8(h.version);
  pk.pack_uint8(static_cast<std::uint8_t>(h.code));
  pk.pack_uint64(h.id);
  pk.pack_uint8(static_cast<std::uint8_t>(h.st));
  return zmq::message_t(buffer.data(), buffer.size());
}

namespace {

// Parses the header without allocating: it is on every message's path.
struct header_visitor : msgpack::null_visitor {
  std::uint64_t fields[4] = {0, 0, 0, 0};
  int count = 0;
  bool shape_ok = true;
  int depth = 0;

  bool start_array(std::uint32_t n) {
    if (++depth > 1 || n != 4) shape_ok = false;
    return shape_ok;
  }
  bool visit_positive_integer(std::uint64_t v) {
    if (depth != 1 || count >= 4) return shape_ok = false;
    fields[count++] = v;
    return true;
  }
  bool visit_negative_integer(std::int64_t) { return shape_ok = false; }
  bool visit_nil() { return shape_ok = false; }
  bool visit_boolean(bool) { return shape_ok = false; }
  bool visit_float32(float) { return shape_ok = false; }
  bool visit_float64(double) { return shape_ok = false; }
  bool visit_str(const char*, std::uint32_t) { return shape_ok = false; }
  bool visit_bin(const char*, std::uint32_t) { return shape_ok = false; }
  bool visit_ext(const char*, std::uint32_t) { return shape_ok = false; }
  bool start_map(std::uint32_t) { return shape_ok = false; }
  void parse_error(std::size_t, std::size_t) { shape_ok = false; }
  void insufficient_bytes(std::size_t, std::size_t) { shape_ok = false; }
};

}  // namespace

header decode_header(const zmq::message_t& frame) {
  header_visitor visitor;
  std::size_t offset = 0;
  bool parsed = false;
  try {
    parsed = msgpack::parse(static_cast<const char*>(frame.data()), frame.size(), offset, visitor);
  } catch (const std::exception&) {
    parsed = false;
  }
  if (!parsed || !visitor.shape_ok || visitor.count != 4 || offset != frame.size()) {
    throw protocol_error(status::bad_request,
                         "malformed header frame (" + std::to_string(frame.size()) +
                             " bytes): expected msgpack [version, op, id, status]");
  }
  header h;
  h.id = visitor.fields[2];
  const bool op_known = visitor.fields[1] != 0 && visitor.fields[1] < k_op_count;
  if (op_known) h.code = static_cast<op>(visitor.fields[1]);
  if (visitor.fields[0] != k_version) {
    throw protocol_error(status::version_mismatch,
                         "protocol version " + std::to_string(visitor.fields[0]) +
                             " is not supported (this side speaks version " +
                             std::to_string(k_version) + ")",
                         h);
  }
  if (!op_known) {
    throw protocol_error(status::unknown_op, "unknown opcode " + std::to_string(visitor.fields[1]),
                         h);
  }
  if (visitor.fields[3] > static_cast<std::uint64_t>(status::deadline_exceeded)) {
    throw protocol_error(status::bad_request, "unknown status " + std::to_string(visitor.fields[3]),
                         h);
  }
  h.version = static_cast<std::uint8_t>(visitor.fields[0]);
  h.st = static_cast<status>(visitor.fields[3]);
  return h;
}

zmq::message_t to_message(msgpack::sbuffer&& buffer) {
  const std::size_t size = buffer.size();
  char* data = buffer.release();
  return zmq::message_t(
      data, size, [](void* p, void*) { std::free(p); }, nullptr);
}

msgpack::object_handle unpack_frame(const zmq::message_t& frame) {
  std::size_t offset = 0;
  try {
    detail::check_msgpack_shape(static_cast<const char*>(frame.data()), frame.size());
    auto handle = msgpack::unpack(static_cast<const char*>(frame.data()), frame.size(), offset,
                                  detail::reference_bulk, nullptr, detail::limit_for(frame.size()));
    if (offset != frame.size()) {
      throw protocol_error(status::bad_request, "trailing bytes after a msgpack payload frame");
    }
    return handle;
  } catch (const protocol_error&) {
    throw;
  } catch (const std::exception& e) {
    throw protocol_error(status::bad_request,
                         std::string("payload frame is not valid msgpack: ") + e.what());
  }
}

zmq::message_t encode_list(const std::vector<std::string_view>& items, bool binary) {
  std::size_t bytes = 8;
  for (auto item : items) bytes += item.size() + 5;
  msgpack::sbuffer buffer(bytes);
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_array(static_cast<std::uint32_t>(items.size()));
  for (auto item : items) {
    const auto n = static_cast<std::uint32_t>(item.size());
    if (binary) {
      pk.pack_bin(n);
      pk.pack_bin_body(item.data(), n);
    } else {
      pk.pack_str(n);
      pk.pack_str_body(item.data(), n);
    }
  }
  return to_message(std::move(buffer));
}

zmq::message_t encode_optional_list(const std::vector<std::optional<std::string_view>>& items) {
  std::size_t bytes = 8;
  for (const auto& item : items) bytes += (item ? item->size() : 0) + 5;
  msgpack::sbuffer buffer(bytes);
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_array(static_cast<std::uint32_t>(items.size()));
  for (const auto& item : items) {
    if (!item) {
      pk.pack_nil();
      continue;
    }
    const auto n = static_cast<std::uint32_t>(item->size());
    pk.pack_bin(n);
    pk.pack_bin_body(item->data(), n);
  }
  return to_message(std::move(buffer));
}

namespace {

// Collects the items of one msgpack array of byte strings (str or bin) and nils in a single
// pass, as views into the frame: no msgpack object zone and no separate shape check, which
// together cost more than the rest of a 1000-row pull_multi's decoding. The array's claimed
// length is checked against the bytes left before anything is reserved.
class list_collector : public msgpack::null_visitor {
 public:
  list_collector(std::vector<std::optional<std::string_view>>& items, std::size_t frame_bytes)
      : items_(items), frame_bytes_(frame_bytes) {}

  bool visit_nil() { return item(std::nullopt); }
  bool visit_str(const char* v, std::uint32_t size) { return item(std::string_view(v, size)); }
  bool visit_bin(const char* v, std::uint32_t size) { return item(std::string_view(v, size)); }
  bool visit_boolean(bool) { return other(); }
  bool visit_positive_integer(std::uint64_t) { return other(); }
  bool visit_negative_integer(std::int64_t) { return other(); }
  bool visit_float32(float) { return other(); }
  bool visit_float64(double) { return other(); }
  bool visit_ext(const char*, std::uint32_t) { return other(); }
  bool start_array(std::uint32_t n) {
    if (in_array_) return other();
    if (seen_array_) not_a_list();
    if (n > frame_bytes_) {
      throw protocol_error(status::bad_request,
                           "payload frame is not valid msgpack: an array claims " +
                               std::to_string(n) + " items in a frame of " +
                               std::to_string(frame_bytes_) + " bytes");
    }
    in_array_ = seen_array_ = true;
    items_.reserve(n);
    return true;
  }
  bool end_array() {
    in_array_ = false;
    return true;
  }
  bool start_map(std::uint32_t) { return other(); }
  void parse_error(std::size_t, std::size_t at) {
    throw protocol_error(status::bad_request,
                         "payload frame is not valid msgpack (byte " + std::to_string(at) + ")");
  }
  void insufficient_bytes(std::size_t, std::size_t) {
    throw protocol_error(status::bad_request,
                         "payload frame is not valid msgpack: truncated (a length claims more "
                         "bytes than the frame has)");
  }
  bool seen_array() const { return seen_array_; }

 private:
  bool item(std::optional<std::string_view> value) {
    if (!in_array_) not_a_list();
    items_.push_back(value);
    return true;
  }
  bool other() {
    if (!in_array_) not_a_list();
    throw protocol_error(status::bad_request,
                         "list item " + std::to_string(items_.size()) + " is not a byte string");
  }
  [[noreturn]] static void not_a_list() {
    throw protocol_error(status::bad_request, "expected a msgpack array of byte strings");
  }

  std::vector<std::optional<std::string_view>>& items_;
  std::size_t frame_bytes_;
  bool in_array_ = false;
  bool seen_array_ = false;
};

}  // namespace

list_view decode_list(const zmq::message_t& frame) {
  list_view out;
  list_collector collector(out.items, frame.size());
  std::size_t offset = 0;
  const auto* data = static_cast<const char*>(frame.data());
  if (!msgpack::parse(data, frame.size(), offset, collector) || !collector.seen_array()) {
    throw protocol_error(status::bad_request, "expected a msgpack array of byte strings");
  }
  if (offset != frame.size()) {
    throw protocol_error(status::bad_request, "trailing bytes after a msgpack payload frame");
  }
  return out;
}

}  // namespace paracel::proto
