// checkpoint::restore_shards (paralg/checkpoint_store.hpp): apart from the store, which the
// fuzz targets compile without the client.
#include "core/checkpoint_file.hpp"
#include "paralg/checkpoint_store.hpp"

namespace paracel::checkpoint {

std::uint64_t restore_shards(ps_client& ps, const std::string& path,
                             const std::vector<checkpoint_record>& shards, std::size_t first,
                             std::size_t step) {
  // Entries of one request: enough to keep the servers busy, bounded in memory.
  constexpr std::size_t k_batch_bytes = std::size_t{4} << 20;
  std::vector<std::string> keys;
  std::vector<std::string> values;
  std::size_t batch_bytes = 0;
  std::uint64_t pushed = 0;
  auto send = [&] {
    if (keys.empty()) return;
    ps.push_multi_bytes(keys, std::move(values));
    pushed += keys.size();
    keys.clear();
    values.clear();
    batch_bytes = 0;
  };
  for (std::size_t i = first; i < shards.size(); i += step) {
    const std::string file = path + "/" + shards[i].file;
    const std::string bytes = read_verified(file, shards[i]);
    read_shard(bytes, file, [&](std::string_view k, std::string_view v) {
      keys.emplace_back(k);
      values.emplace_back(v);
      batch_bytes += k.size() + v.size();
      if (batch_bytes >= k_batch_bytes) send();
    });
    send();
  }
  return pushed;
}

}  // namespace paracel::checkpoint
