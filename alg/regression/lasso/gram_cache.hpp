// The entries x_j'x_k of the Gram matrix (summed over all workers' rows) that coordinate
// descent has needed so far. A round's updates are sequential through these entries, so a
// pair is computed (and sent) once, then reused by every later pass over the same rounds.
// Every worker holds the same entries: they are added after the same rounds everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace paracel::alg {

class gram_cache {
 public:
  // Bounded so that a wide problem whose passes keep meeting new pairs cannot exhaust
  // memory (16 M entries, about 0.5 GiB); when full it starts again (deterministically, so
  // every worker still holds the same entries).
  static constexpr std::size_t k_capacity = std::size_t{1} << 24;

  static std::uint64_t pair(int j, int k) {
    const auto lo = static_cast<std::uint64_t>(j < k ? j : k);
    const auto hi = static_cast<std::uint64_t>(j < k ? k : j);
    return hi << 32 | lo;
  }
  static int first(std::uint64_t p) { return static_cast<int>(p & 0xffffffffu); }
  static int second(std::uint64_t p) { return static_cast<int>(p >> 32); }

  // The entry, or nullptr when not yet known.
  const double* find(std::uint64_t p) const {
    const auto it = entries_.find(p);
    return it == entries_.end() ? nullptr : &it->second;
  }
  void insert(std::uint64_t p, double value) {
    if (entries_.size() >= k_capacity) entries_.clear();
    entries_.emplace(p, value);
  }

 private:
  std::unordered_map<std::uint64_t, double> entries_;
};

}  // namespace paracel::alg
