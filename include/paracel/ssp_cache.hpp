// The worker side of bounded staleness (SSP): values this worker read or wrote, each stamped
// with the minimum clock over all workers that was known when it was fetched.
//
// A value fetched when the minimum clock was m includes every update made at clocks < m
// (a worker's commit flushes its updates first). A worker at clock c with staleness s needs
// every update of clocks <= c - s - 1, so a cached value serves it iff its stamp >= c - s.
// Not thread-safe: one per paralg, like the paralg itself.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace paracel {

class ssp_cache {
 public:
  // The encoded value of `key` if its stamp is at least `needed`, else nullptr. The pointer
  // stays valid until the next change to the cache.
  const std::string* fresh(const std::string& key, std::int64_t needed) const {
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.stamp < needed) return nullptr;
    return &it->second.bytes;
  }
  const std::string& store(const std::string& key, std::string bytes, std::int64_t stamp) {
    auto& entry = entries_[key];
    entry.bytes = std::move(bytes);
    entry.stamp = stamp;
    return entry.bytes;
  }
  // Forgets `key`: the next read fetches it (so that it sees this worker's own update).
  void invalidate(const std::string& key) { entries_.erase(key); }
  void clear() { entries_.clear(); }
  std::size_t size() const { return entries_.size(); }

 private:
  struct entry {
    std::string bytes;
    std::int64_t stamp = 0;
  };
  std::unordered_map<std::string, entry> entries_;
};

}  // namespace paracel
