#include "paracel/codec.hpp"

#include <string>

namespace paracel {

namespace detail {

namespace {

// Walks a msgpack value without building it, refusing shapes whose decoding would allocate
// far more than the bytes received: msgpack-c reserves room for every element a container
// claims before it parses them, so 63 nested arrays each claiming a million elements make a
// 1 MiB frame reserve gigabytes. Every claimed element needs at least one byte of its own,
// so a container may claim no more elements than there are bytes after the last position
// known to have been consumed (str/bin/ext payloads tell where the parser is).
class shape_checker : public msgpack::null_visitor {
 public:
  shape_checker(const char* data, std::size_t size) : data_(data), size_(size) {}

  bool visit_str(const char* v, std::uint32_t size) { return consumed(v, size); }
  bool visit_bin(const char* v, std::uint32_t size) { return consumed(v, size); }
  bool visit_ext(const char* v, std::uint32_t size) { return consumed(v, size); }
  bool start_array(std::uint32_t n) { return open(n); }
  bool start_map(std::uint32_t n) { return open(std::uint64_t{n} * 2); }
  bool start_array_item() { return started_one(); }
  bool start_map_key() { return started_one(); }
  bool start_map_value() { return started_one(); }
  bool end_array() { return close(); }
  bool end_map() { return close(); }
  void parse_error(std::size_t, std::size_t at) {
    throw msgpack::parse_error("not a msgpack value (byte " + std::to_string(at) + ")");
  }
  void insufficient_bytes(std::size_t, std::size_t) {
    throw msgpack::insufficient_bytes(
        "truncated msgpack value (a length claims more bytes "
        "than the message has)");
  }

 private:
  bool consumed(const char* v, std::uint32_t size) {
    known_ = static_cast<std::size_t>(v - data_) + size;
    return true;
  }
  bool open(std::uint64_t elements) {
    if (++depth_ > k_max_depth) {
      throw msgpack::depth_size_overflow("msgpack value nested deeper than " +
                                         std::to_string(k_max_depth) + " levels");
    }
    pending_ += elements;
    if (pending_ > size_ - known_) {
      throw msgpack::array_size_overflow(
          "msgpack container claims " + std::to_string(elements) + " elements, more than the " +
          std::to_string(size_ - known_) + " bytes left in the message");
    }
    return true;
  }
  bool started_one() {
    --pending_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  const char* data_;
  std::size_t size_;
  std::size_t known_ = 0;      // bytes certainly consumed so far
  std::uint64_t pending_ = 0;  // elements claimed and not yet started
  int depth_ = 0;
};

}  // namespace

void check_msgpack_shape(const char* data, std::size_t size) {
  shape_checker checker(data, size);
  std::size_t offset = 0;
  if (!msgpack::parse(data, size, offset, checker)) {
    throw msgpack::parse_error("not a msgpack value");
  }
}

}  // namespace detail

std::string describe_encoded(std::string_view bytes) {
  if (bytes.empty()) return "an empty value";
  const auto first = static_cast<unsigned char>(bytes[0]);
  if ((first >= 0xd4 && first <= 0xd8) || (first >= 0xc7 && first <= 0xc9)) {
    // An ext object: a dense vector when its tag is one of ours.
    const std::size_t tag_at = first >= 0xd4 ? 1 : first == 0xc7 ? 2 : first == 0xc8 ? 3 : 5;
    if (bytes.size() > tag_at) {
      switch (static_cast<dense_tag>(bytes[tag_at])) {
        case dense_tag::f64:
          return "std::vector<double>";
        case dense_tag::f32:
          return "std::vector<float>";
        case dense_tag::i32:
          return "std::vector<int32_t>";
        case dense_tag::i64:
          return "std::vector<int64_t>";
      }
    }
  }
  try {
    detail::check_msgpack_shape(bytes.data(), bytes.size());
    std::size_t offset = 0;
    const auto handle = msgpack::unpack(bytes.data(), bytes.size(), offset, detail::reference_bulk,
                                        nullptr, detail::limit_for(bytes.size()));
    const msgpack::object& o = handle.get();
    switch (o.type) {
      case msgpack::type::NIL:
        return "msgpack nil";
      case msgpack::type::BOOLEAN:
        return "a msgpack boolean";
      case msgpack::type::POSITIVE_INTEGER:
      case msgpack::type::NEGATIVE_INTEGER:
        return "a msgpack integer";
      case msgpack::type::FLOAT32:
      case msgpack::type::FLOAT64:
        return "a msgpack float";
      case msgpack::type::STR:
        return "a msgpack string";
      case msgpack::type::BIN:
        return "msgpack binary data";
      case msgpack::type::ARRAY:
        return "a msgpack array of " + std::to_string(o.via.array.size) + " elements";
      case msgpack::type::MAP:
        return "a msgpack map of " + std::to_string(o.via.map.size) + " pairs";
      case msgpack::type::EXT:
        return "a msgpack ext object of type " + std::to_string(o.via.ext.type());
    }
  } catch (const std::exception&) {
  }
  return std::to_string(bytes.size()) + " bytes that are not a msgpack value";
}

}  // namespace paracel
