// libFuzzer target: the wire decoders alone (header, key/value lists, argument tuples) and
// the value codec, on one frame of arbitrary bytes. Bad input must be a paracel::error; an
// allocation the frame cannot justify trips -malloc_limit_mb.
#include <cstdint>
#include <map>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "paracel/codec.hpp"
#include "paracel/error.hpp"
#include "proto/message.hpp"

namespace {

// The wire decoders answer bad bytes with a paracel::error only.
template <class F>
void expect_clean(F&& decode) {
  try {
    decode();
  } catch (const paracel::error&) {
  }
}

// paracel::decode<T> is documented to throw msgpack's own errors: type_error for a value of
// another type, unpack_error (and its subclasses) for bytes that are not a msgpack value.
template <class F>
void expect_documented(F&& decode) {
  try {
    decode();
  } catch (const msgpack::type_error&) {
  } catch (const msgpack::unpack_error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace proto = paracel::proto;
  const zmq::message_t frame(data, size);
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  expect_clean([&] { (void)proto::decode_header(frame); });
  expect_clean([&] { (void)proto::decode_list(frame); });
  expect_clean([&] {
    (void)proto::decode_args<std::uint64_t, std::uint64_t, std::uint64_t, std::string>(frame);
  });
  expect_clean([&] { (void)proto::decode_args<std::vector<std::uint16_t>>(frame); });
  expect_clean([&] { (void)proto::decode_args<std::string, std::string>(frame); });
  expect_documented([&] { (void)paracel::decode<std::vector<double>>(bytes); });
  expect_documented([&] { (void)paracel::decode<std::vector<float>>(bytes); });
  expect_documented([&] { (void)paracel::decode<std::map<std::string, std::int64_t>>(bytes); });
  expect_documented([&] { (void)paracel::decode<std::string>(bytes); });
  expect_documented([&] { (void)paracel::decode<double>(bytes); });
  return 0;
}
