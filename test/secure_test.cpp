// Secure mode (docs/security.md): CURVE servers with a ZAP allowlist. An allowlisted client
// works for every op; a client with an unknown key, without CURVE, or with a wrong server key
// is refused within its deadline while the server keeps serving others; a plaintext request
// is dropped; certificates round-trip, and loose permissions or malformed keys are named.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <zmq_addon.hpp>

#include "paracel/curve.hpp"
#include "paracel/ps_client.hpp"
#include "proto/message.hpp"
#include "server/server.hpp"

namespace {

using namespace std::chrono_literals;
using paracel::builtin;

class Secure : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!paracel::curve_available()) GTEST_FAIL() << "libzmq without CURVE";
    server_keys_ = paracel::make_curve_pair();
    allowed_ = paracel::make_curve_pair();
    paracel::server::server_options options;
    options.threads = 2;
    options.curve = server_keys_;
    options.curve_allowed = {allowed_.public_key};
    server_ = std::make_unique<paracel::server::server>(options);
  }

  paracel::client_options client(const paracel::curve_pair& keys, const std::string& server_key,
                                 std::chrono::milliseconds deadline = 5000ms) {
    paracel::client_options options;
    options.deadline = deadline;
    options.curve = paracel::curve_client_keys{keys, server_key};
    return options;
  }

  // Connecting with `options` fails with a deadline error that names the server and the
  // handshake, within about the deadline.
  void expect_refused(const paracel::client_options& options) {
    const auto start = std::chrono::steady_clock::now();
    try {
      paracel::ps_client ps({server_->endpoint()}, options);
      FAIL() << "a refused client got in";
    } catch (const paracel::timeout_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(server_->endpoint()), std::string::npos) << what;
      if (options.curve) {
        EXPECT_NE(what.find("CURVE handshake"), std::string::npos) << what;
      }
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, options.deadline + 2s);
  }

  void expect_still_serving() {
    paracel::ps_client ps({server_->endpoint()}, client(allowed_, server_keys_.public_key));
    ps.push("alive", 1);
    EXPECT_EQ(ps.pull<int>("alive"), 1);
  }

  std::uint64_t refused() {
    return nlohmann::json::parse(server_->stats())["refused_clients"].get<std::uint64_t>();
  }

  paracel::curve_pair server_keys_;
  paracel::curve_pair allowed_;
  std::unique_ptr<paracel::server::server> server_;
};

TEST_F(Secure, AllowlistedClientWorksForEveryOp) {
  paracel::ps_client ps({server_->endpoint()}, client(allowed_, server_keys_.public_key));
  ps.push("a", 1.5);
  ps.push_multi({"v1", "v2"}, std::vector<std::vector<double>>{{1, 2}, {3, 4}});
  EXPECT_DOUBLE_EQ(ps.pull<double>("a"), 1.5);
  EXPECT_EQ(ps.pull_multi<std::vector<double>>({"v1", "v2"})[1], (std::vector<double>{3, 4}));
  ps.bupdate("a", 1.0, builtin::add);
  ps.update("a", 1.0, builtin::add);
  ps.flush();
  ps.bupdate_multi({"v1"}, std::vector<std::vector<double>>{{1, 1}}, builtin::add);
  EXPECT_DOUBLE_EQ(ps.pull<double>("a"), 3.5);
  EXPECT_EQ(ps.pull<std::vector<double>>("v1"), (std::vector<double>{2, 3}));
  EXPECT_TRUE(ps.contains("a"));
  EXPECT_EQ(ps.incr("n", 5), 5);
  EXPECT_EQ(ps.pull_all<std::vector<double>>(paracel::prefix_filter("v")).size(), 2u);
  EXPECT_EQ(ps.top_k<double>(1, paracel::prefix_filter("a")).at(0).first, "a");
  EXPECT_EQ(ps.remove_filtered(paracel::prefix_filter("v")), 2u);
  EXPECT_TRUE(ps.remove("a"));
  ps.clock_register("t", 1, 0);
  EXPECT_EQ(ps.clock_commit("t", 0), 1);
  EXPECT_EQ(ps.clock_wait("t", 1, 1000ms), 1);
  ps.clock_finish("t", 0);
  EXPECT_EQ(ps.stats().at(0).ops.at("push"), 1u);
  EXPECT_EQ(refused(), 0u);
}

TEST_F(Secure, UnknownClientKeyIsRefusedAndTheServerKeepsServing) {
  expect_refused(client(paracel::make_curve_pair(), server_keys_.public_key, 1000ms));
  EXPECT_GE(refused(), 1u);  // the allowlist said no (the client retries: maybe more than once)
  expect_still_serving();
}

TEST_F(Secure, ClientWithoutCurveIsRefused) {
  paracel::client_options plain;
  plain.deadline = 1000ms;
  expect_refused(plain);
  expect_still_serving();
}

TEST_F(Secure, WrongServerKeyIsRefused) {
  expect_refused(client(allowed_, paracel::make_curve_pair().public_key, 1000ms));
  expect_still_serving();
}

TEST_F(Secure, PlaintextRequestIsDropped) {
  zmq::context_t context;
  zmq::socket_t raw(context, zmq::socket_type::dealer);
  raw.set(zmq::sockopt::linger, 0);
  raw.connect(server_->endpoint());
  paracel::proto::header h;
  h.code = paracel::proto::op::hello;
  h.id = 1;
  zmq::message_t head = paracel::proto::encode_header(h);
  (void)raw.send(head, zmq::send_flags::dontwait);
  zmq::pollitem_t item{static_cast<void*>(raw), 0, ZMQ_POLLIN, 0};
  EXPECT_EQ(zmq::poll(&item, 1, 500ms), 0) << "a secure server answered plaintext";
  expect_still_serving();
}

class Certificates : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("paracel-keys-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "allow");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(Certificates, RoundTripAndAllowlist) {
  const auto keys = paracel::make_curve_pair();
  paracel::write_certificate(path("server.key"), keys);
  const auto secret = paracel::read_certificate(path("server.key_secret"), true);
  EXPECT_EQ(secret.public_key, keys.public_key);
  EXPECT_EQ(secret.secret_key, keys.secret_key);
  const auto shown = paracel::read_certificate(path("server.key"), false);
  EXPECT_EQ(shown.public_key, keys.public_key);
  EXPECT_TRUE(shown.secret_key.empty());

  const auto a = paracel::make_curve_pair();
  const auto b = paracel::make_curve_pair();
  paracel::write_certificate(path("allow/a.key"), a);  // its _secret lies beside: skipped
  paracel::write_certificate(path("allow/b.key"), b);
  EXPECT_EQ(paracel::read_allowlist(path("allow")),
            (std::set<std::string>{a.public_key, b.public_key}));
}

TEST_F(Certificates, LooseOrMalformedKeyFilesAreNamed) {
  paracel::write_certificate(path("c.key"), paracel::make_curve_pair());
  ::chmod(path("c.key_secret").c_str(), 0644);
  try {
    paracel::read_certificate(path("c.key_secret"), true);
    FAIL() << "a world-readable secret key was accepted";
  } catch (const paracel::error& e) {
    EXPECT_NE(std::string(e.what()).find("chmod 600 " + path("c.key_secret")), std::string::npos)
        << e.what();
  }
  std::ofstream(path("bad.key")) << "curve\n    public-key = \"too short\"\n";
  EXPECT_THROW(paracel::read_certificate(path("bad.key"), false), paracel::error);
  std::ofstream(path("empty.key")) << "metadata\n";
  try {
    paracel::read_certificate(path("empty.key"), false);
    FAIL();
  } catch (const paracel::error& e) {
    EXPECT_NE(std::string(e.what()).find("has no public-key"), std::string::npos) << e.what();
  }
  EXPECT_THROW(paracel::read_certificate(path("missing.key"), false), paracel::error);
  EXPECT_THROW(paracel::read_allowlist(path("no-such-folder")), paracel::error);
}

}  // namespace
