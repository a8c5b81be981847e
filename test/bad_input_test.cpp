// Garbage on the wire: every malformed message gets an error reply (or is dropped when it
// cannot even be addressed), and the server keeps serving correct requests afterwards. Also
// every finding of the fuzz targets, as a readable case.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>
#include <zmq_addon.hpp>

#include "paracel/config.hpp"
#include "paracel/ps_client.hpp"
#include "proto/message.hpp"
#include "support/local_cluster.hpp"

namespace {

using paracel::status;
using paracel::proto::op;

class BadInput : public ::testing::Test {
 protected:
  BadInput() : socket_(context_, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::rcvtimeo, 5000);
    socket_.connect(cluster_.endpoints()[0]);
  }

  // Sends raw frames; returns the reply frames (empty if none within 5 s).
  std::vector<zmq::message_t> exchange(const std::vector<std::string>& frames) {
    std::vector<zmq::message_t> out;
    for (const auto& f : frames) out.emplace_back(f.data(), f.size());
    zmq::send_multipart(socket_, out);
    std::vector<zmq::message_t> reply;
    (void)zmq::recv_multipart(socket_, std::back_inserter(reply));
    return reply;
  }
  status reply_status(const std::vector<std::string>& frames, std::string* message = nullptr) {
    auto reply = exchange(frames);
    EXPECT_FALSE(reply.empty()) << "no reply";
    if (reply.empty()) return status::internal_error;
    const auto h = paracel::proto::decode_header(reply[0]);
    if (message && reply.size() > 1) *message = std::string(paracel::proto::view(reply[1]));
    return h.st;
  }
  static std::string header(op code, std::uint64_t id = 1) {
    paracel::proto::header h;
    h.code = code;
    h.id = id;
    auto m = paracel::proto::encode_header(h);
    return std::string(static_cast<const char*>(m.data()), m.size());
  }
  void expect_still_serving() {
    paracel::client_options options;
    options.deadline = std::chrono::milliseconds(5000);
    paracel::ps_client ps(cluster_.endpoints(), options);
    ps.push("alive", 42);
    EXPECT_EQ(ps.pull<int>("alive"), 42);
  }

  paracel::testing::local_cluster cluster_{1, 2};
  zmq::context_t context_;
  zmq::socket_t socket_;
};

TEST_F(BadInput, MalformedHeadersGetBadRequest) {
  std::string message;
  EXPECT_EQ(reply_status({"garbage"}, &message), status::bad_request);
  EXPECT_NE(message.find("malformed header"), std::string::npos) << message;
  EXPECT_EQ(reply_status({""}), status::bad_request);
  EXPECT_EQ(reply_status({header(op::pull).substr(0, 5)}), status::bad_request);
  expect_still_serving();
}

TEST_F(BadInput, WrongVersionAndUnknownOpAreNamed) {
  msgpack::sbuffer v2;
  msgpack::pack(v2, std::make_tuple(2, 2, 9, 0));
  std::string message;
  EXPECT_EQ(reply_status({std::string(v2.data(), v2.size()), "k"}, &message),
            status::version_mismatch);
  EXPECT_NE(message.find("version 2"), std::string::npos) << message;
  msgpack::sbuffer unknown;
  msgpack::pack(unknown, std::make_tuple(1, 200, 9, 0));
  EXPECT_EQ(reply_status({std::string(unknown.data(), unknown.size())}, &message),
            status::unknown_op);
  EXPECT_NE(message.find("200"), std::string::npos) << message;
  expect_still_serving();
}

TEST_F(BadInput, WrongPayloadsGetBadRequest) {
  std::string message;
  EXPECT_EQ(reply_status({header(op::pull)}, &message), status::bad_request);  // no key
  EXPECT_NE(message.find("pull expects 1"), std::string::npos) << message;
  EXPECT_EQ(reply_status({header(op::push), "k"}), status::bad_request);
  EXPECT_EQ(reply_status({header(op::pull_multi), "\xc1"}), status::bad_request);
  EXPECT_EQ(reply_status({header(op::pull_multi), std::string("\xdd\xff\xff\xff\xff", 5)}),
            status::bad_request);
  EXPECT_EQ(reply_status({header(op::push_multi), "\x91\xa1k", "\x90"}), status::bad_request);
  EXPECT_EQ(reply_status({header(op::top_k), "\x92\xa1x\x01"}), status::bad_request);
  EXPECT_EQ(reply_status({header(op::incr), "k", "\xa1x"}), status::bad_request);
  EXPECT_EQ(reply_status({header(op::update), "k", "\x01", "no_such_updater"}, &message),
            status::plugin_error);
  EXPECT_NE(message.find("not registered"), std::string::npos) << message;
  expect_still_serving();
}

TEST_F(BadInput, RandomFramesNeverKillTheServer) {
  std::mt19937 rng(7);
  const op codes[] = {op::pull,   op::pull_multi,       op::push,     op::push_multi,
                      op::update, op::update_multi,     op::pull_all, op::top_k,
                      op::incr,   op::register_updater, op::stats,    op::remove_filtered};
  for (int i = 0; i < 1500; ++i) {
    std::vector<std::string> frames;
    // Half the messages carry a valid header so that the payload parsers get fuzzed too.
    if (rng() % 2) frames.push_back(header(codes[rng() % std::size(codes)], i + 1));
    const int extra = rng() % 4;
    for (int f = 0; f < extra || frames.empty(); ++f) {
      std::string frame(rng() % 40, '\0');
      for (auto& c : frame) c = static_cast<char>(rng());
      frames.push_back(frame);
    }
    auto reply = exchange(frames);
    ASSERT_FALSE(reply.empty()) << "no reply to message " << i;
  }
  expect_still_serving();
}

TEST(BadInputLimits, OversizedRequestsAreRefused) {
  paracel::server::server_options options;
  options.max_request_bytes = 4096;
  paracel::server::server server(options);
  paracel::client_options client_options;
  client_options.deadline = std::chrono::milliseconds(2000);
  paracel::ps_client ps({server.endpoint()}, client_options);
  ps.push("small", std::vector<double>(10, 1.0));
  // Frames each under the limit but together above it get a too_large reply naming the limit.
  try {
    ps.push(std::string(3000, 'k'), std::string(3000, 'v'));
    FAIL() << "accepted a request above --max_request_bytes";
  } catch (const paracel::server_error& e) {
    EXPECT_EQ(e.code(), paracel::status::too_large);
    EXPECT_NE(std::string(e.what()).find("4096"), std::string::npos) << e.what();
  }
  // A message above the limit is cut off by ZeroMQ: the client sees a deadline error.
  EXPECT_THROW(ps.push("big", std::vector<double>(100000, 1.0)), paracel::timeout_error);
  paracel::ps_client again({server.endpoint()}, client_options);
  EXPECT_EQ(again.pull<std::vector<double>>("small").size(), 10u);
}

// Findings of the fuzz targets (test/fuzz), each also kept in test/fuzz/regressions/.

// fuzz_config: a number beyond double's range made nlohmann::json throw out_of_range, which
// escaped config::parse (only parse_error was caught) and ended the program.
TEST(FuzzFindings, ConfigNumberBeyondDoubleRangeIsANamedError) {
  try {
    (void)paracel::config::parse(R"({"learning_rate": 92e999999999999999999999})", "lr.json");
    FAIL() << "a number beyond double's range was accepted";
  } catch (const paracel::error& e) {
    EXPECT_NE(std::string(e.what()).find("config lr.json is not valid JSON"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("number overflow"), std::string::npos) << e.what();
  }
}

}  // namespace
