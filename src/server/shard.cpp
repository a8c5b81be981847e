#include "server/shard.hpp"

namespace paracel::server {

const std::string* shard::find(std::string_view key) const {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : &it->second;
}

std::string* shard::find_mutable(std::string_view key) {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : &it->second;
}

void shard::put(std::string_view key, std::string_view value) {
  auto it = map_.find(key);
  if (it == map_.end()) {
    map_.emplace(std::string(key), std::string(value));
    account(1, static_cast<std::int64_t>(key.size() + value.size()));
    return;
  }
  account(0,
          static_cast<std::int64_t>(value.size()) - static_cast<std::int64_t>(it->second.size()));
  it->second.assign(value);
}

void shard::replace(std::string& slot, std::string&& value) {
  account(0, static_cast<std::int64_t>(value.size()) - static_cast<std::int64_t>(slot.size()));
  slot = std::move(value);
}

bool shard::erase(std::string_view key) {
  auto it = map_.find(key);
  if (it == map_.end()) return false;
  account(-1, -static_cast<std::int64_t>(it->first.size() + it->second.size()));
  map_.erase(it);
  return true;
}

std::uint64_t shard::erase_if(const key_predicate& keep) {
  std::uint64_t removed = 0;
  for (auto it = map_.begin(); it != map_.end();) {
    if (keep(it->first)) {
      account(-1, -static_cast<std::int64_t>(it->first.size() + it->second.size()));
      it = map_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

std::optional<scan_cursor> shard::scan(
    scan_cursor cursor, std::size_t max_bytes,
    const std::function<void(const std::string&, const std::string&)>& visit) const {
  const std::uint64_t buckets = map_.bucket_count();
  if (cursor.bucket_count != buckets) cursor = {0, buckets};
  std::size_t seen = 0;
  // Whole buckets only, so that a resumed scan never splits one; at least one entry per page.
  while (cursor.bucket < buckets && (seen < max_bytes || seen == 0)) {
    for (auto it = map_.begin(cursor.bucket); it != map_.end(cursor.bucket); ++it) {
      visit(it->first, it->second);
      seen += it->first.size() + it->second.size() + 1;
    }
    ++cursor.bucket;
  }
  if (cursor.bucket >= buckets) return std::nullopt;
  return cursor;
}

void shard::account(std::int64_t key_delta, std::int64_t byte_delta) {
  // Only the owning thread writes, so load + store is race-free; readers see relaxed values.
  keys_.store(keys_.load(std::memory_order_relaxed) + key_delta, std::memory_order_relaxed);
  bytes_.store(bytes_.load(std::memory_order_relaxed) + byte_delta, std::memory_order_relaxed);
}

}  // namespace paracel::server
