// The worker side of bounded staleness (SSP): this worker's clock, the slowest worker's clock
// as last heard, and a cache of values stamped with the minimum clock known when each was
// fetched. Internal to paralg (which documents the rules); not thread-safe, one per paralg.
//
// A value fetched when the minimum clock was m includes every update made at clocks < m (a
// worker's commit flushes its updates first). A worker at clock c with staleness s needs
// every update of clocks <= c - s - 1, so a cached value serves it iff its stamp >= c - s;
// otherwise the read waits until the minimum reaches c - s, then fetches.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "paracel/paralg.hpp"

namespace paracel {

class ssp_reader {
 public:
  // What the reader asks of the parameter server; paralg passes its client, the unit test
  // a model of one.
  struct server {
    // Blocks until the minimum clock is >= target; returns it.
    std::function<std::int64_t(std::int64_t target)> wait_for_min;
    std::function<std::optional<std::string>(const std::string& key)> pull;
    std::function<void(const std::vector<std::string>& keys,
                       const std::function<void(std::size_t, std::optional<std::string_view>)>&)>
        pull_multi;
  };

  ssp_reader(int staleness, server source) : staleness_(staleness), server_(std::move(source)) {}

  // s >= 0: reads follow the bound; s < 0: they always fetch and never wait.
  bool bounded() const { return staleness_ >= 0; }
  int clock() const { return clock_; }
  const ssp_stats& stats() const { return stats_; }

  // Blocks until the slowest worker reached clock c - s (unless already known).
  void wait_for_reads();
  // The encoded value of `key`, from the cache when fresh enough; nullptr when it does not
  // exist. Valid until the cache changes.
  const std::string* read(const std::string& key);
  // The encoded values of `keys`, fetching every stale one in one request; calls
  // missing(key) (which must throw) for a key that does not exist.
  std::vector<const std::string*> read_multi(
      const std::vector<std::string>& keys, const std::function<void(const std::string&)>& missing);
  // This worker committed its clock; the server answered with the minimum clock.
  void committed(std::int64_t minimum) {
    known_min_ = minimum;
    ++clock_;
  }
  // A job resumed from a checkpoint at `clock` starts there (the cache is empty).
  void start_at(int clock) { clock_ = clock; }
  // Forgets `key`: the next read fetches it (so that it sees this worker's own update).
  void forget(const std::string& key) { cache_.erase(key); }
  // Every worker's updates are applied: cached values may be older than the store.
  void forget_all() { cache_.clear(); }
  std::size_t cached() const { return cache_.size(); }

 private:
  struct entry {
    std::string bytes;
    std::int64_t stamp = 0;
  };
  const std::string* fresh(const std::string& key) const;

  int staleness_;
  server server_;
  int clock_ = 0;
  std::int64_t known_min_ = 0;  // the slowest worker's clock, as last heard
  std::unordered_map<std::string, entry> cache_;
  ssp_stats stats_;
};

}  // namespace paracel
