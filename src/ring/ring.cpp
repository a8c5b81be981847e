#include "paracel/ring.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cassert>
#include <string>

namespace paracel {

namespace {
// Distinct seed so that the shard inside a server is independent of the server choice.
constexpr std::uint64_t k_shard_seed = 0x5ada7a11u;
}  // namespace

std::uint64_t stable_hash(std::string_view bytes, std::uint64_t seed) {
  return XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed);
}

hash_ring::hash_ring(std::size_t servers, std::size_t virtual_nodes) : servers_(servers) {
  assert(servers > 0 && virtual_nodes > 0);
  points_.reserve(servers * virtual_nodes);
  // Points are named by server index, not endpoint: endpoints use ephemeral ports, and the
  // placement must not change between runs.
  for (std::uint32_t s = 0; s < servers; ++s) {
    for (std::size_t v = 0; v < virtual_nodes; ++v) {
      const std::string label = "server-" + std::to_string(s) + "#" + std::to_string(v);
      points_.emplace_back(stable_hash(label), s);
    }
  }
  std::sort(points_.begin(), points_.end());
}

std::size_t hash_ring::server_of(std::string_view key) const {
  if (servers_ == 1) return 0;
  const std::uint64_t h = stable_hash(key);
  auto it = std::lower_bound(points_.begin(), points_.end(), std::make_pair(h, std::uint32_t{0}));
  if (it == points_.end()) it = points_.begin();
  return it->second;
}

std::size_t shard_of(std::string_view key, std::size_t shards) {
  if (shards <= 1) return 0;
  return stable_hash(key, k_shard_seed) % shards;
}

}  // namespace paracel
