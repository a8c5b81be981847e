#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/message.hpp"

namespace {

using paracel::status;
using paracel::proto::decode_header;
using paracel::proto::header;
using paracel::proto::op;
using paracel::proto::protocol_error;

zmq::message_t bytes(const std::string& s) { return zmq::message_t(s.data(), s.size()); }

status error_of(const zmq::message_t& frame) {
  try {
    decode_header(frame);
  } catch (const protocol_error& e) {
    return e.code();
  }
  return status::ok;
}

TEST(Header, RoundTrips) {
  header h;
  h.code = op::update_multi;
  h.id = (1ULL << 40) + 7;
  h.st = status::type_mismatch;
  const header back = decode_header(paracel::proto::encode_header(h));
  EXPECT_EQ(back.version, paracel::proto::k_version);
  EXPECT_EQ(back.code, op::update_multi);
  EXPECT_EQ(back.id, h.id);
  EXPECT_EQ(back.st, status::type_mismatch);
}

TEST(Header, IsSmall) { EXPECT_LE(paracel::proto::encode_header({}).size(), 16u); }

TEST(Header, RejectsGarbageAndTruncation) {
  EXPECT_EQ(error_of(bytes("")), status::bad_request);
  EXPECT_EQ(error_of(bytes("hello")), status::bad_request);
  const zmq::message_t good = paracel::proto::encode_header({});
  const std::string full(static_cast<const char*>(good.data()), good.size());
  for (std::size_t n = 0; n < full.size(); ++n) {
    EXPECT_EQ(error_of(bytes(full.substr(0, n))), status::bad_request) << n << " bytes";
  }
  EXPECT_EQ(error_of(bytes(full + "x")), status::bad_request);
}

TEST(Header, RejectsOtherVersionsAndUnknownOpsKeepingTheId) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, std::make_tuple(99, 2, 1234, 0));
  try {
    decode_header(zmq::message_t(buffer.data(), buffer.size()));
    FAIL() << "version 99 accepted";
  } catch (const protocol_error& e) {
    EXPECT_EQ(e.code(), status::version_mismatch);
    ASSERT_TRUE(e.partial());
    EXPECT_EQ(e.partial()->id, 1234u);
  }
  msgpack::sbuffer unknown;
  msgpack::pack(unknown, std::make_tuple(paracel::proto::k_version, 250, 5, 0));
  EXPECT_EQ(error_of(zmq::message_t(unknown.data(), unknown.size())), status::unknown_op);
  msgpack::sbuffer negative;
  msgpack::pack(negative, std::make_tuple(1, -2, 5, 0));
  EXPECT_EQ(error_of(zmq::message_t(negative.data(), negative.size())), status::bad_request);
}

TEST(Lists, RoundTripWithoutCopies) {
  const std::vector<std::string_view> keys = {"a", "", std::string_view("b\0c", 3)};
  const zmq::message_t frame = paracel::proto::encode_list(keys, false);
  auto list = paracel::proto::decode_list(frame);
  ASSERT_EQ(list.items.size(), 3u);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    ASSERT_TRUE(list.items[i]);
    EXPECT_EQ(*list.items[i], keys[i]);
  }
  // Views point into the frame itself.
  const char* begin = static_cast<const char*>(frame.data());
  EXPECT_GE(list.items[0]->data(), begin);
  EXPECT_LT(list.items[0]->data(), begin + frame.size());
}

TEST(Lists, OptionalItemsKeepTheirGaps) {
  const zmq::message_t frame = paracel::proto::encode_optional_list(
      {std::string_view("x"), std::nullopt, std::string_view("z")});
  auto list = paracel::proto::decode_list(frame);
  ASSERT_EQ(list.items.size(), 3u);
  EXPECT_EQ(*list.items[0], "x");
  EXPECT_FALSE(list.items[1]);
  EXPECT_EQ(*list.items[2], "z");
}

TEST(Lists, RejectBadShapesAndHostileLengths) {
  EXPECT_THROW(paracel::proto::decode_list(bytes("\x01")), protocol_error);      // not an array
  EXPECT_THROW(paracel::proto::decode_list(bytes("\x91\x01")), protocol_error);  // [1]
  EXPECT_THROW(paracel::proto::decode_list(bytes("\xdd\xff\xff\xff\xff")), protocol_error);
  EXPECT_THROW(paracel::proto::decode_list(bytes("")), protocol_error);
}

// The one-pass list decoder names what is wrong, before reserving anything a length claims.
TEST(Lists, NameWhatIsWrong) {
  auto message = [](const std::string& frame) {
    try {
      paracel::proto::decode_list(bytes(frame));
    } catch (const protocol_error& e) {
      EXPECT_EQ(e.code(), status::bad_request);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("\x92\xa1x\x91\xa1y").find("list item 1 is not a byte string"),
            std::string::npos);  // ["x", ["y"]]
  EXPECT_NE(message("\x81\xa1k\xa1v").find("expected a msgpack array"), std::string::npos);
  EXPECT_NE(message("\xa1x").find("expected a msgpack array"), std::string::npos);
  EXPECT_NE(message("\x91\xa1x\xc0").find("trailing bytes"), std::string::npos);
  EXPECT_NE(message("\x90\x90").find("trailing bytes"), std::string::npos);
  EXPECT_NE(message("\x91\xa5"
                    "ab")
                .find("truncated"),
            std::string::npos);
  EXPECT_NE(message("\x92\xa1x").find("truncated"), std::string::npos);  // one item short
  EXPECT_NE(message("\xdd\xff\xff\xff\xff").find("claims"), std::string::npos);
  // Empty lists and nil items are fine.
  EXPECT_TRUE(paracel::proto::decode_list(bytes("\x90")).items.empty());
  EXPECT_FALSE(paracel::proto::decode_list(bytes("\x91\xc0")).items.at(0));
}

TEST(Args, RoundTripAndShapeErrors) {
  auto frame = paracel::proto::encode_args(std::uint64_t{5}, std::string("f"));
  auto [k, name] = paracel::proto::decode_args<std::uint64_t, std::string>(frame);
  EXPECT_EQ(k, 5u);
  EXPECT_EQ(name, "f");
  auto wrong = paracel::proto::encode_args(std::string("x"));
  EXPECT_THROW((paracel::proto::decode_args<std::uint64_t, std::string>(wrong)), protocol_error);
}

}  // namespace
