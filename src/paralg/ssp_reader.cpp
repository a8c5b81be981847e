#include "paralg/ssp_reader.hpp"

#include <chrono>

namespace paracel {

const std::string* ssp_reader::fresh(const std::string& key) const {
  auto it = cache_.find(key);
  if (it == cache_.end() || it->second.stamp < clock_ - staleness_) return nullptr;
  return &it->second.bytes;
}

void ssp_reader::wait_for_reads() {
  const std::int64_t needed = clock_ - staleness_;
  if (!bounded() || known_min_ >= needed) return;
  const auto start = std::chrono::steady_clock::now();
  known_min_ = server_.wait_for_min(needed);
  stats_.waits += 1;
  stats_.wait_time += std::chrono::steady_clock::now() - start;
}

const std::string* ssp_reader::read(const std::string& key) {
  stats_.reads += 1;
  if (const std::string* hit = fresh(key)) {
    stats_.cache_hits += 1;
    return hit;
  }
  wait_for_reads();
  // Stamped with the minimum known before fetching: the value includes all updates of
  // clocks below it.
  const std::int64_t stamp = known_min_;
  auto bytes = server_.pull(key);
  if (!bytes) {
    cache_.erase(key);
    return nullptr;
  }
  auto& e = cache_[key];
  e.bytes = std::move(*bytes);
  e.stamp = stamp;
  return &e.bytes;
}

std::vector<const std::string*> ssp_reader::read_multi(
    const std::vector<std::string>& keys, const std::function<void(const std::string&)>& missing) {
  std::vector<const std::string*> out(keys.size(), nullptr);
  std::vector<std::string> stale;
  std::vector<std::size_t> stale_at;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if ((out[i] = fresh(keys[i])) == nullptr) {
      stale.push_back(keys[i]);
      stale_at.push_back(i);
    }
  }
  stats_.reads += keys.size();
  stats_.cache_hits += keys.size() - stale.size();
  if (stale.empty()) return out;
  wait_for_reads();
  const std::int64_t stamp = known_min_;
  server_.pull_multi(stale, [&](std::size_t i, std::optional<std::string_view> bytes) {
    if (!bytes) {
      missing(stale[i]);
      throw error("key '" + stale[i] + "' not found");
    }
    auto& e = cache_[stale[i]];  // unordered_map: earlier pointers into it stay valid
    e.bytes = std::string(*bytes);
    e.stamp = stamp;
    out[stale_at[i]] = &e.bytes;
  });
  return out;
}

}  // namespace paracel
