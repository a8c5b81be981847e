#include "paracel/codec.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

struct point {
  double x = 0;
  double y = 0;
  std::string label;
  bool operator==(const point&) const = default;
  MSGPACK_DEFINE(x, y, label);
};

template <class T>
T round_trip(const T& value) {
  return paracel::decode<T>(paracel::encode(value));
}

TEST(Codec, RoundTripsScalarsStringsAndContainers) {
  EXPECT_EQ(round_trip(42), 42);
  EXPECT_EQ(round_trip(std::int64_t{-1} << 40), std::int64_t{-1} << 40);
  EXPECT_DOUBLE_EQ(round_trip(3.25), 3.25);
  EXPECT_EQ(round_trip(std::string("hello\0world", 11)), std::string("hello\0world", 11));
  const std::map<std::string, double> m = {{"a", 1.5}, {"b", -2}};
  EXPECT_EQ(round_trip(m), m);
  const std::unordered_map<std::string, int> um = {{"x", 1}, {"y", 2}};
  EXPECT_EQ(round_trip(um), um);
  const std::pair<std::string, std::vector<int>> p = {"k", {1, 2, 3}};
  EXPECT_EQ(round_trip(p), p);
  const std::vector<std::string> words = {"a", "", "ccc"};
  EXPECT_EQ(round_trip(words), words);
}

TEST(Codec, RoundTripsUserStructs) {
  const point p{1.5, -2.5, "origin"};
  EXPECT_EQ(round_trip(p), p);
  const std::vector<point> ps = {p, {0, 0, ""}};
  EXPECT_EQ(round_trip(ps), ps);
}

TEST(Codec, DenseVectorsAreRawLittleEndianBlobs) {
  std::vector<double> v(1000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.5 * static_cast<double>(i) - 7;
  const std::string bytes = paracel::encode(v);
  // A msgpack ext header (at most 6 bytes) followed by the raw doubles, byte for byte.
  const std::size_t payload = v.size() * sizeof(double);
  ASSERT_LE(bytes.size(), payload + 6);
  EXPECT_EQ(bytes.substr(bytes.size() - payload),
            std::string(reinterpret_cast<const char*>(v.data()), payload));
  EXPECT_EQ(paracel::decode<std::vector<double>>(bytes), v);

  EXPECT_EQ(round_trip(std::vector<float>{1.f, -2.f}), (std::vector<float>{1.f, -2.f}));
  EXPECT_EQ(round_trip(std::vector<std::int32_t>{7, -8}), (std::vector<std::int32_t>{7, -8}));
  EXPECT_EQ(round_trip(std::vector<std::int64_t>{1LL << 50}),
            (std::vector<std::int64_t>{1LL << 50}));
  EXPECT_TRUE(round_trip(std::vector<double>{}).empty());
}

// decode_into copies the blob with one memcpy: from any alignment, into a row of any size.
TEST(Codec, DenseDecodeIntoResizesAndReadsUnalignedBytes) {
  std::vector<double> v(33);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 1.25 * static_cast<double>(i) - 3;
  for (std::size_t shift = 0; shift < 8; ++shift) {
    const std::string stored = std::string(shift, 'x') + paracel::encode(v);
    const std::string_view bytes = std::string_view(stored).substr(shift);
    std::vector<double> longer(100, 9.0);
    std::vector<double> shorter(3, 9.0);
    paracel::decode_into(bytes, longer);
    paracel::decode_into(bytes, shorter);
    EXPECT_EQ(longer, v) << "shift " << shift;
    EXPECT_EQ(shorter, v) << "shift " << shift;
  }
  std::vector<std::int32_t> row{1, 2, 3};
  paracel::decode_into(paracel::encode(std::vector<std::int32_t>{}), row);
  EXPECT_TRUE(row.empty());
}

TEST(Codec, DenseDecodeAcceptsPlainMsgpackArrays) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, std::vector<double>{1.0, 2.0, 3.0});
  EXPECT_EQ(paracel::decode<std::vector<double>>({buffer.data(), buffer.size()}),
            (std::vector<double>{1.0, 2.0, 3.0}));
}

TEST(Codec, WrongTypeThrowsTypeError) {
  EXPECT_THROW(paracel::decode<double>(paracel::encode(std::string("x"))), msgpack::type_error);
  // A vector<float> blob is not a vector<double>.
  EXPECT_THROW(paracel::decode<std::vector<double>>(paracel::encode(std::vector<float>{1.f})),
               msgpack::type_error);
  EXPECT_THROW(paracel::decode<int>(paracel::encode(2.5)), msgpack::type_error);
}

TEST(Codec, GarbageThrowsInsteadOfCrashing) {
  EXPECT_ANY_THROW(paracel::decode<int>(""));
  EXPECT_ANY_THROW(paracel::decode<int>(std::string("\x01\x02", 2)));  // trailing bytes
  // An array header that claims 2^32-1 elements in a 5-byte buffer.
  EXPECT_ANY_THROW(paracel::decode<std::vector<int>>(std::string("\xdd\xff\xff\xff\xff", 5)));
  EXPECT_ANY_THROW(paracel::decode<std::string>(std::string("\xdb\x00\x00\x10\x00", 5)));
}

// Nesting within the limit decodes; deeper, or containers claiming more elements than the
// bytes left, are refused before msgpack-c reserves anything.
TEST(Codec, ShapeCheckRefusesBombsAndKeepsRealValues) {
  using nested = std::vector<std::vector<std::vector<int>>>;
  const nested value{{{1, 2}, {3}}, {{4}}};
  EXPECT_EQ(paracel::decode<nested>(paracel::encode(value)), value);
  const std::map<std::string, std::vector<double>> map{{"a", {1.0}}, {"b", {}}};
  EXPECT_NO_THROW(paracel::detail::check_msgpack_shape(paracel::encode(map).data(),
                                                       paracel::encode(map).size()));
  std::string deep(paracel::detail::k_max_depth, '\x91');
  deep += '\xc0';
  EXPECT_NO_THROW(paracel::detail::check_msgpack_shape(deep.data(), deep.size()));
  deep.insert(0, 1, '\x91');
  EXPECT_THROW(paracel::detail::check_msgpack_shape(deep.data(), deep.size()),
               msgpack::depth_size_overflow);
  std::string bomb;
  for (int level = 0; level < 63; ++level) bomb += std::string("\xdd\x00\x0f\xff\xff", 5);
  bomb.resize(1u << 20, '\xc0');
  EXPECT_THROW(paracel::decode<std::vector<std::vector<int>>>(bomb), msgpack::array_size_overflow);
  // Two arrays whose claims each fit but together exceed the bytes: still refused.
  const std::string pair("\x92\x95\xc0\xc0", 4);
  EXPECT_THROW(paracel::detail::check_msgpack_shape(pair.data(), pair.size()),
               msgpack::array_size_overflow);
}

TEST(Codec, DescribesWhatBytesHold) {
  EXPECT_EQ(paracel::describe_encoded(paracel::encode(std::vector<double>{1})),
            "std::vector<double>");
  EXPECT_EQ(paracel::describe_encoded(paracel::encode(std::vector<std::int64_t>{})),
            "std::vector<int64_t>");
  EXPECT_EQ(paracel::describe_encoded(paracel::encode(std::string("x"))), "a msgpack string");
  EXPECT_EQ(paracel::describe_encoded(paracel::encode(3)), "a msgpack integer");
  EXPECT_EQ(paracel::describe_encoded(paracel::encode(std::vector<std::string>{"a", "b"})),
            "a msgpack array of 2 elements");
  EXPECT_EQ(paracel::describe_encoded(std::string("\xc1", 1)),
            "1 bytes that are not a msgpack value");
}

}  // namespace
