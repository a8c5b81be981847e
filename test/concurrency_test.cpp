// Many client threads against several multi-threaded servers: no update may be lost, and
// bulk reads must agree with a model kept locally.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "paracel/ps_client.hpp"
#include "support/local_cluster.hpp"

namespace {

using paracel::builtin;

constexpr int k_threads = 8;
constexpr int k_rounds = 300;
constexpr int k_counters = 16;
constexpr std::size_t k_dim = 32;

TEST(Concurrency, NoLostUpdatesUnderContention) {
  paracel::testing::local_cluster cluster(3, 3);
  std::vector<std::thread> workers;
  std::vector<std::string> counter_keys;
  for (int c = 0; c < k_counters; ++c) counter_keys.push_back("counter_" + std::to_string(c));
  for (int t = 0; t < k_threads; ++t) {
    workers.emplace_back([&, t] {
      paracel::ps_client ps(cluster.endpoints());
      std::vector<double> delta(k_dim);
      for (std::size_t i = 0; i < k_dim; ++i) delta[i] = t + 0.001 * i;
      for (int r = 0; r < k_rounds; ++r) {
        ps.bupdate(counter_keys[r % k_counters], std::int64_t{1}, builtin::add);
        ps.update("shared_vector", delta, builtin::add);
        ps.update("shared_map",
                  std::unordered_map<std::string, double>{{"t" + std::to_string(t), 1.0}},
                  builtin::add);
        if (r % 10 == 0) {
          ps.bupdate_multi(counter_keys, std::vector<std::int64_t>(k_counters, 1), builtin::add);
        }
      }
      ps.flush();
    });
  }
  for (auto& w : workers) w.join();

  paracel::ps_client ps(cluster.endpoints());
  std::int64_t total = 0;
  for (auto& key : counter_keys) total += ps.pull<std::int64_t>(key);
  EXPECT_EQ(total, std::int64_t{k_threads} * k_rounds +
                       std::int64_t{k_threads} * (k_rounds / 10) * k_counters);

  const auto vec = ps.pull<std::vector<double>>("shared_vector");
  ASSERT_EQ(vec.size(), k_dim);
  for (std::size_t i = 0; i < k_dim; ++i) {
    double expected = 0;
    for (int t = 0; t < k_threads; ++t) expected += k_rounds * (t + 0.001 * i);
    EXPECT_NEAR(vec[i], expected, 1e-6 * expected) << i;
  }
  const auto map = ps.pull<std::unordered_map<std::string, double>>("shared_map");
  ASSERT_EQ(map.size(), static_cast<std::size_t>(k_threads));
  for (auto& [k, v] : map) EXPECT_DOUBLE_EQ(v, k_rounds) << k;
}

TEST(Concurrency, BulkReadsMatchALocalModel) {
  paracel::testing::local_cluster cluster(3, 2);
  std::vector<std::map<std::string, double>> models(k_threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < k_threads; ++t) {
    workers.emplace_back([&, t] {
      paracel::ps_client ps(cluster.endpoints());
      std::mt19937 rng(1234 + t);
      auto& model = models[t];
      for (int r = 0; r < 400; ++r) {
        const std::string key =
            (rng() % 2 ? "w_" : "b_") + std::to_string(t) + "_" + std::to_string(rng() % 120);
        switch (rng() % 4) {
          case 0:
          case 1: {
            const double v = static_cast<double>(rng() % 100000) / 7.0;
            ps.push(key, v);
            model[key] = v;
            break;
          }
          case 2: {
            ps.bupdate(key, 1.0, builtin::add);
            model[key] += 1.0;  // a missing key starts at the delta, as 0 + 1
            break;
          }
          default:
            EXPECT_EQ(ps.remove(key), model.erase(key) == 1) << key;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  std::map<std::string, double> model;
  for (auto& m : models) model.insert(m.begin(), m.end());

  paracel::ps_client ps(cluster.endpoints());
  auto all = ps.pull_all<double>();
  ASSERT_EQ(all.size(), model.size());
  for (auto& [k, v] : model) EXPECT_DOUBLE_EQ(all.at(k), v) << k;

  ps.register_filter("libtest_plugin.so", "weights_only");
  auto weights = ps.pull_all<double>("weights_only");
  std::size_t expected_weights = 0;
  for (auto& [k, v] : model) expected_weights += k.starts_with("w_");
  EXPECT_EQ(weights.size(), expected_weights);

  std::vector<std::pair<double, std::string>> ranked;
  for (auto& [k, v] : model) ranked.emplace_back(-v, k);
  std::sort(ranked.begin(), ranked.end());
  auto top = ps.top_k<double>(25);
  ASSERT_EQ(top.size(), std::min<std::size_t>(25, ranked.size()));
  for (std::size_t i = 0; i < top.size(); ++i) EXPECT_EQ(top[i].first, ranked[i].second) << i;

  EXPECT_EQ(ps.remove_filtered("weights_only"), expected_weights);
  EXPECT_EQ(ps.pull_all<double>().size(), model.size() - expected_weights);
}

}  // namespace
