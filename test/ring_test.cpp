#include "paracel/ring.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace {

TEST(StableHash, MatchesTheXxh3Specification) {
  // Reference values of XXH3_64bits from the xxHash specification's test vectors: a key must
  // hash the same on every platform and build, or it would move between servers.
  EXPECT_EQ(paracel::stable_hash(""), 0x2D06800538D394C2ULL);
  EXPECT_NE(paracel::stable_hash("a"), paracel::stable_hash("b"));
  EXPECT_NE(paracel::stable_hash("a", 1), paracel::stable_hash("a", 2));
}

TEST(HashRing, FixedPlacementsAreStable) {
  // Placements recorded once; they change only if the ring's layout or hash changes, which
  // would silently remap every existing model. Update them only with a protocol version bump.
  paracel::hash_ring ring(4);
  const std::map<std::string, std::size_t> expected = {
      {"w_0", 1}, {"w_1", 2}, {"user_42", 0}, {"item:7", 2}, {"", 3}};
  for (const auto& [key, server] : expected) EXPECT_EQ(ring.server_of(key), server) << key;
}

TEST(HashRing, SingleServerOwnsEverything) {
  paracel::hash_ring ring(1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(ring.server_of("k" + std::to_string(i)), 0u);
}

TEST(HashRing, BalancesKeysAcrossServers) {
  for (std::size_t servers : {2u, 3u, 5u, 8u}) {
    paracel::hash_ring ring(servers);
    std::vector<std::size_t> counts(servers, 0);
    const std::size_t keys = 200000;
    for (std::size_t i = 0; i < keys; ++i) ++counts[ring.server_of("key_" + std::to_string(i))];
    const double mean = static_cast<double>(keys) / servers;
    for (std::size_t s = 0; s < servers; ++s) {
      EXPECT_NEAR(counts[s], mean, 0.15 * mean) << servers << " servers, server " << s;
    }
  }
}

TEST(HashRing, AddingAServerMovesKeysOnlyToIt) {
  paracel::hash_ring before(4);
  paracel::hash_ring after(5);
  std::size_t moved = 0;
  const std::size_t keys = 100000;
  for (std::size_t i = 0; i < keys; ++i) {
    const std::string key = "key_" + std::to_string(i);
    if (before.server_of(key) != after.server_of(key)) {
      ++moved;
      EXPECT_EQ(after.server_of(key), 4u) << key;
    }
  }
  EXPECT_NEAR(static_cast<double>(moved) / keys, 0.2, 0.05);
}

TEST(ShardOf, SpreadsKeysOverShards) {
  std::vector<std::size_t> counts(4, 0);
  for (int i = 0; i < 40000; ++i) ++counts[paracel::shard_of("k" + std::to_string(i), 4)];
  for (auto c : counts) EXPECT_NEAR(c, 10000, 1000);
  EXPECT_EQ(paracel::shard_of("anything", 1), 0u);
}

}  // namespace
