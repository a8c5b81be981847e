#include "server/value_ops.hpp"

#include <msgpack.hpp>

namespace paracel::server {

status run_updater(const plugin& updater, std::string_view old_value, std::string_view delta,
                   std::string& result, std::string& error_text) {
  paracel_sink sink{&result, [](void* context, const char* data, std::size_t size) {
                      static_cast<std::string*>(context)->assign(data, size);
                    }};
  char error[512] = {0};
  const int code = updater.entry->update(old_value.data(), old_value.size(), delta.data(),
                                         delta.size(), &sink, error, sizeof(error));
  if (code == 0) return status::ok;
  error_text = error[0] ? error : "the updater failed without a message";
  if (code < 0 || code > static_cast<int>(status::internal_error)) return status::plugin_error;
  return static_cast<status>(code);
}

namespace {

// Reads one scalar without allocating; anything but a lone number is rejected.
struct number_visitor : msgpack::null_visitor {
  std::optional<double> value;
  bool visit_positive_integer(std::uint64_t v) { return set(static_cast<double>(v)); }
  bool visit_negative_integer(std::int64_t v) { return set(static_cast<double>(v)); }
  bool visit_float32(float v) { return set(v); }
  bool visit_float64(double v) { return set(v); }
  bool visit_nil() { return fail(); }
  bool visit_boolean(bool) { return fail(); }
  bool visit_str(const char*, std::uint32_t) { return fail(); }
  bool visit_bin(const char*, std::uint32_t) { return fail(); }
  bool visit_ext(const char*, std::uint32_t) { return fail(); }
  bool start_array(std::uint32_t) { return fail(); }
  bool start_map(std::uint32_t) { return fail(); }
  void parse_error(std::size_t, std::size_t) { value.reset(); }
  void insufficient_bytes(std::size_t, std::size_t) { value.reset(); }

  bool set(double v) {
    value = v;
    return true;
  }
  bool fail() {
    value.reset();
    return false;
  }
};

}  // namespace

std::optional<double> numeric_value(std::string_view bytes) {
  number_visitor visitor;
  std::size_t offset = 0;
  try {
    if (!msgpack::parse(bytes.data(), bytes.size(), offset, visitor) || offset != bytes.size()) {
      return std::nullopt;
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return visitor.value;
}

}  // namespace paracel::server
