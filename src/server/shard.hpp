// One shard of a server's key-value store. Each server thread owns exactly one shard and is
// the only one to touch its map, so the hot path takes no lock. keys() and bytes() may be
// read from any thread (for stats).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/string_hash.hpp"

namespace paracel::server {

// Where a paged scan resumes. A rehash between pages restarts the shard from bucket 0:
// keys may then repeat (the client's map absorbs them) but none present all along is missed.
struct scan_cursor {
  std::uint64_t bucket = 0;
  std::uint64_t bucket_count = 0;
};

class shard {
 public:
  using map_type = std::unordered_map<std::string, std::string, string_hash, std::equal_to<>>;
  using key_predicate = std::function<bool(std::string_view)>;

  const std::string* find(std::string_view key) const;
  void put(std::string_view key, std::string_view value);
  // Replaces the value of an existing entry (returned by find_mutable) and keeps accounting.
  void replace(std::string& slot, std::string&& value);
  std::string* find_mutable(std::string_view key);
  bool erase(std::string_view key);
  std::uint64_t erase_if(const key_predicate& keep);

  // Visits entries from `cursor` until about `max_bytes` were visited; returns the cursor to
  // resume from, or nullopt when the shard is exhausted.
  std::optional<scan_cursor> scan(
      scan_cursor cursor, std::size_t max_bytes,
      const std::function<void(const std::string&, const std::string&)>& visit) const;
  template <class F>
  void for_each(F&& visit) const {
    for (const auto& [k, v] : map_) visit(k, v);
  }

  std::uint64_t keys() const { return keys_.load(std::memory_order_relaxed); }
  std::uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

 private:
  void account(std::int64_t key_delta, std::int64_t byte_delta);

  map_type map_;
  std::atomic<std::uint64_t> keys_{0};
  std::atomic<std::uint64_t> bytes_{0};
};

}  // namespace paracel::server
