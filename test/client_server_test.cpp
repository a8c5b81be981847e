// The client API against real servers on loopback, one operation at a time.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "paracel/ps_client.hpp"
#include "support/local_cluster.hpp"

namespace {

using paracel::builtin;

struct sample {
  std::string name;
  std::vector<double> weights;
  bool operator==(const sample&) const = default;
  MSGPACK_DEFINE(name, weights);
};

class ClientServer : public ::testing::Test {
 protected:
  paracel::testing::local_cluster cluster_{3, 2};
  paracel::ps_client ps_{cluster_.endpoints()};
};

TEST_F(ClientServer, PushPullRemoveContains) {
  ps_.push("d", 2.5);
  ps_.push("s", std::string("text"));
  ps_.push("v", std::vector<double>{1, 2, 3});
  ps_.push("m", std::map<std::string, int>{{"a", 1}});
  ps_.push("st", sample{"x", {0.5}});
  EXPECT_DOUBLE_EQ(ps_.pull<double>("d"), 2.5);
  EXPECT_EQ(ps_.pull<std::string>("s"), "text");
  EXPECT_EQ(ps_.pull<std::vector<double>>("v"), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ((ps_.pull<std::map<std::string, int>>("m")), (std::map<std::string, int>{{"a", 1}}));
  EXPECT_EQ(ps_.pull<sample>("st"), (sample{"x", {0.5}}));
  EXPECT_TRUE(ps_.contains("d"));
  EXPECT_TRUE(ps_.remove("d"));
  EXPECT_FALSE(ps_.remove("d"));
  EXPECT_FALSE(ps_.contains("d"));
}

TEST_F(ClientServer, MissingKeyIsNotFoundNotADefault) {
  EXPECT_FALSE(ps_.try_pull<int>("nope"));
  try {
    ps_.pull<int>("nope");
    FAIL() << "no exception";
  } catch (const paracel::key_not_found& e) {
    EXPECT_EQ(e.key(), "nope");
    EXPECT_EQ(e.code(), paracel::status::not_found);
    EXPECT_NE(std::string(e.what()).find("tcp://127.0.0.1:"), std::string::npos);
  }
  ps_.push("present", 1);
  EXPECT_THROW(ps_.pull_multi<int>({"present", "absent"}), paracel::key_not_found);
}

TEST_F(ClientServer, MultiKeyOpsSpanAllServersInOrder) {
  std::vector<std::string> keys;
  std::vector<int> values;
  for (int i = 0; i < 500; ++i) {
    keys.push_back("k" + std::to_string(i));
    values.push_back(i * i);
  }
  ps_.push_multi(keys, values);
  EXPECT_EQ(ps_.pull_multi<int>(keys), values);
  // Every server got a share.
  for (const auto& s : ps_.stats()) EXPECT_GT(s.keys, 50u) << s.endpoint;
  ps_.bupdate_multi(keys, std::vector<int>(keys.size(), 1), builtin::add);
  auto after = ps_.pull_multi<int>(keys);
  for (int i = 0; i < 500; ++i) EXPECT_EQ(after[i], i * i + 1);
}

TEST_F(ClientServer, PullMultiIntoAReusedBufferKeepsItsRows) {
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) keys.push_back("row" + std::to_string(i));
  std::vector<std::vector<double>> rows(keys.size());
  for (int i = 0; i < 300; ++i) rows[i] = {double(i), double(-i), 0.5};
  ps_.push_multi(keys, rows);
  std::vector<std::vector<double>> buffer;
  ps_.pull_multi(keys, buffer);
  EXPECT_EQ(buffer, rows);
  std::vector<const double*> storage;
  for (const auto& row : buffer) storage.push_back(row.data());
  ps_.bupdate_multi(keys, std::vector<std::vector<double>>(keys.size(), {1, 1, 1}), builtin::add);
  ps_.pull_multi(keys, buffer);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(buffer[i], (std::vector<double>{i + 1.0, 1.0 - i, 1.5})) << i;
    EXPECT_EQ(buffer[i].data(), storage[i]) << "row " << i << " was reallocated";
  }
  // A shorter key list shrinks the buffer; a wrong type still names the key.
  ps_.pull_multi(std::vector<std::string>{"row7"}, buffer);
  ASSERT_EQ(buffer.size(), 1u);
  EXPECT_EQ(buffer[0], (std::vector<double>{8, -6, 1.5}));
  ps_.push("text", std::string("x"));
  try {
    ps_.pull_multi(std::vector<std::string>{"row1", "text"}, buffer);
    FAIL() << "no error";
  } catch (const paracel::type_error& e) {
    EXPECT_EQ(e.key(), "text");
    EXPECT_NE(std::string(e.what()).find(ps_.server_endpoint(ps_.server_of("text"))),
              std::string::npos);
  }
}

TEST_F(ClientServer, TinyBatchesStillCoverEveryKey) {
  paracel::client_options options;
  options.batch_bytes = 64;
  paracel::ps_client small(cluster_.endpoints(), options);
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) keys.push_back("b" + std::to_string(i));
  small.push_multi(keys, std::vector<double>(keys.size(), 1.5));
  std::vector<int> seen(keys.size(), 0);
  small.pull_multi_bytes(keys, [&](std::size_t i, std::optional<std::string_view> v) {
    EXPECT_TRUE(v) << keys[i];
    ++seen[i];
  });
  EXPECT_EQ(seen, std::vector<int>(keys.size(), 1));
  const auto stats = small.stats();
  std::uint64_t requests = 0;
  for (const auto& s : stats) requests += s.ops.at("pull_multi");
  EXPECT_GT(requests, 20u);  // really cut into small batches
}

TEST_F(ClientServer, UpdatesWithBuiltinsAndPlugins) {
  ps_.bupdate("counter", 5, builtin::add);  // missing key takes the delta
  ps_.bupdate("counter", 2, builtin::add);
  EXPECT_EQ(ps_.pull<int>("counter"), 7);
  ps_.push("w", std::vector<double>{1, 1});
  for (int i = 0; i < 100; ++i) ps_.update("w", std::vector<double>{0.5, -1}, builtin::add);
  ps_.flush();
  EXPECT_EQ(ps_.pull<std::vector<double>>("w"), (std::vector<double>{51, -99}));

  ps_.register_updater("libtest_plugin.so", "scaled_add");
  ps_.push("x", 1.0);
  ps_.bupdate("x", 2.0, "scaled_add");
  EXPECT_DOUBLE_EQ(ps_.pull<double>("x"), 5.0);
  ps_.unregister_updater("scaled_add");
  EXPECT_THROW(ps_.bupdate("x", 2.0, "scaled_add"), paracel::server_error);
}

TEST_F(ClientServer, UpdateErrorsNameKeyUpdaterAndServer) {
  ps_.push("text", std::string("hello"));
  try {
    ps_.bupdate("text", 1.0, builtin::add);
    FAIL() << "no exception";
  } catch (const paracel::server_error& e) {
    EXPECT_EQ(e.code(), paracel::status::type_mismatch);
    const std::string what = e.what();
    EXPECT_NE(what.find("'text'"), std::string::npos) << what;
    EXPECT_NE(what.find("paracel.add.double"), std::string::npos) << what;
    EXPECT_NE(what.find("tcp://"), std::string::npos) << what;
  }
  // An async failure surfaces at flush(), with its own status.
  ps_.update("text", 1.0, builtin::add);
  try {
    ps_.flush();
    FAIL() << "no exception";
  } catch (const paracel::server_error& e) {
    EXPECT_EQ(e.code(), paracel::status::type_mismatch);
  }
  ps_.flush();  // reported once
}

// A typed read of a value stored as another type is a paracel::type_error naming the key,
// both types and the server, whichever read found it.
TEST_F(ClientServer, ReadingAnotherTypeIsATypeErrorNamingKeyTypesAndServer) {
  ps_.push("name", std::string("paracel"));
  ps_.push("w", std::vector<double>{1, 2});
  const std::string endpoint = ps_.server_endpoint(ps_.server_of("name"));
  try {
    ps_.pull<double>("name");
    FAIL() << "no error";
  } catch (const paracel::type_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.key(), "name");
    EXPECT_EQ(e.code(), paracel::status::type_mismatch);
    EXPECT_NE(what.find("a msgpack string"), std::string::npos) << what;
    EXPECT_NE(what.find("double"), std::string::npos) << what;
    EXPECT_NE(what.find(endpoint), std::string::npos) << what;
  }
  try {
    ps_.pull_multi<std::vector<float>>({"w"});
    FAIL() << "no error";
  } catch (const paracel::type_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("holds std::vector<double>"), std::string::npos) << what;
    EXPECT_NE(what.find("std::vector<float>"), std::string::npos) << what;
  }
  EXPECT_THROW(ps_.try_pull<int>("w"), paracel::type_error);
  EXPECT_THROW(ps_.pull_all<int>(), paracel::type_error);
  // Every Paracel exception is a paracel::error.
  EXPECT_THROW(ps_.pull<int>("name"), paracel::error);
}

// The built-in prefix filter works wherever a registered filter's name does, with no plugin.
TEST_F(ClientServer, PrefixFilterNeedsNoPlugin) {
  for (int i = 0; i < 30; ++i) ps_.push("job/" + std::to_string(i), std::int64_t{i});
  for (int i = 0; i < 20; ++i) ps_.push("other/" + std::to_string(i), std::int64_t{100 + i});
  const auto job = ps_.pull_all<std::int64_t>(paracel::prefix_filter("job/"));
  ASSERT_EQ(job.size(), 30u);
  for (const auto& [key, value] : job) EXPECT_EQ(key, "job/" + std::to_string(value));
  const auto top = ps_.top_k<std::int64_t>(3, paracel::prefix_filter("job/"));
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0], (std::pair<std::string, std::int64_t>{"job/29", 29}));
  EXPECT_EQ(ps_.remove_filtered(paracel::prefix_filter("job/")), 30u);
  EXPECT_EQ(ps_.pull_all<std::int64_t>().size(), 20u);
  EXPECT_EQ(ps_.pull_all<std::int64_t>(paracel::prefix_filter("")).size(), 20u);
}

TEST_F(ClientServer, IncrCountsAndRejectsNonIntegers) {
  EXPECT_EQ(ps_.incr("clock"), 1);
  EXPECT_EQ(ps_.incr("clock", 10), 11);
  EXPECT_EQ(ps_.pull<std::int64_t>("clock"), 11);
  ps_.push("f", 1.5);
  EXPECT_THROW(ps_.incr("f"), paracel::server_error);
}

TEST_F(ClientServer, PullAllFiltersRemoveFilteredAndTopK) {
  std::map<std::string, double> model;
  for (int i = 0; i < 400; ++i) {
    const std::string key = (i % 2 ? "w_" : "b_") + std::to_string(i);
    model[key] = (i * 37) % 101 + 0.5;
    ps_.push(key, model[key]);
  }
  auto all = ps_.pull_all<double>();
  EXPECT_EQ(all.size(), model.size());
  for (auto& [k, v] : model) EXPECT_DOUBLE_EQ(all.at(k), v);

  ps_.register_filter("libtest_plugin.so", "weights_only");
  auto weights = ps_.pull_all<double>("weights_only");
  EXPECT_EQ(weights.size(), 200u);
  for (auto& [k, v] : weights) EXPECT_TRUE(k.starts_with("w_")) << k;

  std::vector<std::pair<double, std::string>> ranked;
  for (auto& [k, v] : model) ranked.emplace_back(-v, k);
  std::sort(ranked.begin(), ranked.end());
  auto top = ps_.top_k<double>(10);
  ASSERT_EQ(top.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(top[i].first, ranked[i].second);
    EXPECT_DOUBLE_EQ(top[i].second, -ranked[i].first);
  }
  auto top_w = ps_.top_k<double>(5, "weights_only");
  for (auto& [k, v] : top_w) EXPECT_TRUE(k.starts_with("w_"));

  EXPECT_EQ(ps_.remove_filtered("weights_only"), 200u);
  auto rest = ps_.pull_all<double>();
  EXPECT_EQ(rest.size(), 200u);
  for (auto& [k, v] : rest) EXPECT_TRUE(k.starts_with("b_"));
}

TEST_F(ClientServer, PullAllPagesThroughLargeStores) {
  paracel::client_options options;
  options.page_bytes = 1024;
  paracel::ps_client paged(cluster_.endpoints(), options);
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; ++i) keys.push_back("p" + std::to_string(i));
  paged.push_multi(keys, std::vector<int>(keys.size(), 3));
  const auto before = paged.stats();
  auto all = paged.pull_all<int>();
  EXPECT_EQ(all.size(), 5000u);
  std::uint64_t pages = 0;
  for (const auto& s : paged.stats()) pages += s.ops.at("pull_all");
  for (const auto& s : before) pages -= s.ops.at("pull_all");
  EXPECT_GT(pages, 20u);  // really paged, not one giant message
}

TEST_F(ClientServer, TopKOfNonNumbersIsATypeMismatch) {
  ps_.push("s", std::string("x"));
  EXPECT_THROW(ps_.top_k<double>(3), paracel::server_error);
}

TEST_F(ClientServer, StatsCountOpsKeysAndBytes) {
  ps_.push("a", 1);
  ps_.pull<int>("a");
  std::uint64_t keys = 0, pushes = 0, pulls = 0, bytes = 0;
  for (const auto& s : ps_.stats()) {
    keys += s.keys;
    bytes += s.bytes;
    pushes += s.ops.at("push");
    pulls += s.ops.at("pull");
  }
  EXPECT_EQ(keys, 1u);
  EXPECT_EQ(bytes, 2u);  // "a" + msgpack fixint
  EXPECT_EQ(pushes, 1u);
  EXPECT_EQ(pulls, 1u);
}

TEST_F(ClientServer, RegisteringARefusedPluginIsAClearError) {
  try {
    ps_.register_updater("/etc/passwd", "x");
    FAIL() << "no exception";
  } catch (const paracel::server_error& e) {
    EXPECT_EQ(e.code(), paracel::status::plugin_error);
    EXPECT_NE(std::string(e.what()).find("outside"), std::string::npos) << e.what();
  }
}

TEST(ClientServerSetup, UnreachableServerTimesOutNamingIt) {
  paracel::client_options options;
  options.deadline = std::chrono::milliseconds(300);
  try {
    paracel::ps_client ps({"tcp://127.0.0.1:1"}, options);
    FAIL() << "connected to nothing";
  } catch (const paracel::timeout_error& e) {
    EXPECT_NE(std::string(e.what()).find("tcp://127.0.0.1:1"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("hello"), std::string::npos);
  }
}

}  // namespace
