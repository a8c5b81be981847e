// The files of a checkpoint (docs/checkpoints.md): durable writes and shard files.
//
// A file is written whole or not at all: into "<name>.tmp", fsync'd, renamed over <name>, and
// its folder fsync'd, so that a crash leaves either the previous file or the new one. The
// writer reports the file's size and XXH3-64 checksum; the manifest records them, and a reader
// refuses a file whose size or checksum differ.
//
// A shard file is a msgpack stream: a header map {format: "paracel-shard", version, clock,
// server, thread, keys}, then one [key (str), value (bin)] array per entry. A reader decodes
// it under the wire decoder's limits, so a forged file cannot make it allocate without bound.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "paracel/checkpoint.hpp"

namespace paracel::checkpoint {

inline constexpr std::string_view k_shard_format = "paracel-shard";
inline constexpr std::int64_t k_format_version = 1;

using file_record = paracel::checkpoint_record;

// The checksum of `bytes` as the manifest writes it.
std::string checksum(std::string_view bytes);

// Writes `folder`/`file` durably (see above) through buffered appends. Throws paracel::error
// naming the path on any failed write, fsync or rename; the destructor removes an
// uncommitted temp file.
class durable_file {
 public:
  durable_file(std::string folder, std::string file);
  ~durable_file();
  durable_file(const durable_file&) = delete;
  durable_file& operator=(const durable_file&) = delete;

  void append(std::string_view bytes);
  // Flushes, fsyncs, renames into place and fsyncs the folder. keys is copied into the record.
  file_record commit(std::uint64_t keys = 0);

 private:
  void flush();

  std::string folder_;
  std::string file_;
  std::string temp_path_;
  int fd_ = -1;
  std::string buffer_;
  std::uint64_t bytes_ = 0;
  void* hash_state_ = nullptr;  // XXH3_state_t
  bool committed_ = false;
};

void write_file(const std::string& folder, const std::string& file, std::string_view bytes);

// A file's bytes after checking them against `expected` (size, then checksum). Throws
// paracel::error naming the path and what is wrong.
std::string read_verified(const std::string& path, const file_record& expected);

struct shard_header {
  std::int64_t clock = 0;
  std::int32_t server = 0;
  std::int32_t thread = 0;
  std::uint64_t keys = 0;
};

using entry_source =
    std::function<void(const std::function<void(std::string_view key, std::string_view value)>&)>;
// Writes a shard file of the entries `source` visits; `header.keys` must be their count.
file_record write_shard(const std::string& folder, const std::string& file,
                        const shard_header& header, const entry_source& source);

// Decodes a shard file's bytes (read_verified's result); `where` names it in errors. Calls
// visit(key, value) for every entry; returns the header.
shard_header read_shard(std::string_view bytes, const std::string& where,
                        const std::function<void(std::string_view, std::string_view)>& visit);

}  // namespace paracel::checkpoint
