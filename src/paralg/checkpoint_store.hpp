// A folder of checkpoints (docs/checkpoints.md): one sub-folder per checkpoint, named
// ckpt-<clock>, holding the servers' shard files, the workers' state files and, written
// last, MANIFEST.json. A checkpoint without a manifest was interrupted and is never used.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "paracel/checkpoint.hpp"
#include "paracel/ps_client.hpp"

namespace paracel::checkpoint {

inline constexpr const char* k_manifest_file = "MANIFEST.json";

struct manifest {
  std::string program;  // the worker program's file name: a checkpoint resumes only it
  std::int64_t clock = 0;
  int workers = 0;
  std::vector<std::string> servers;       // the endpoints that wrote the shards
  std::vector<checkpoint_record> shards;  // server-major, thread-minor
  std::vector<checkpoint_record> states;  // by worker

  std::string to_json() const;
  // `where` names the text in errors.
  static manifest parse(const std::string& json_text, const std::string& where);
};

std::string folder_name(std::int64_t clock);

// Writes the manifest into root/folder durably: the commit point of that checkpoint.
void commit(const std::string& root, const std::string& folder, const manifest& m);

// The newest checkpoint of `root` that has a manifest; nullopt if none does. Throws
// paracel::error when root is not a readable folder.
std::optional<std::string> newest_complete(const std::string& root);

// The manifest of root/folder; throws paracel::error naming what is missing or malformed.
manifest read_manifest(const std::string& root, const std::string& folder);

// Pushes every entry of the shard files `shards[first]`, `shards[first + step]`, ... of the
// checkpoint folder `path` to the servers of `ps` (through their ring, however many there
// are), each file checked against its record first; returns the entries pushed.
std::uint64_t restore_shards(ps_client& ps, const std::string& path,
                             const std::vector<checkpoint_record>& shards, std::size_t first,
                             std::size_t step);

// Keeps the newest `keep` complete checkpoints and removes older ones, and every incomplete
// checkpoint older than the newest complete one. Returns the folders it removed.
std::vector<std::string> prune(const std::string& root, int keep);

}  // namespace paracel::checkpoint
