// Key placement: a consistent-hash ring with virtual nodes over XXH3, a hash whose value is
// fixed by its specification, so a key lands on the same server on every build and platform.
// Immutable after construction; safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "paracel/export.hpp"

namespace paracel {

// XXH3 64-bit hash of `bytes`; stable across platforms and releases.
PARACEL_EXPORT std::uint64_t stable_hash(std::string_view bytes, std::uint64_t seed = 0);

class PARACEL_EXPORT hash_ring {
 public:
  static constexpr std::size_t k_default_virtual_nodes = 160;

  // REQUIRES: servers > 0, virtual_nodes > 0.
  explicit hash_ring(std::size_t servers, std::size_t virtual_nodes = k_default_virtual_nodes);

  // Index in [0, servers) of the server that owns `key`.
  std::size_t server_of(std::string_view key) const;
  std::size_t servers() const { return servers_; }

 private:
  std::size_t servers_;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> points_;  // sorted by position
};

// Which of a server's `shards` (one per server thread) owns `key`. Client and server agree
// on this, so each server thread owns its part of the key space without locks.
PARACEL_EXPORT std::size_t shard_of(std::string_view key, std::size_t shards);

}  // namespace paracel
