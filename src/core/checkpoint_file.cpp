#include "core/checkpoint_file.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <msgpack.hpp>

#include "paracel/codec.hpp"
#include "paracel/error.hpp"

namespace paracel::checkpoint {

namespace {

constexpr std::size_t k_buffer_bytes = std::size_t{4} << 20;

std::string hex64(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(value));
  return text;
}

[[noreturn]] void fail_io(const std::string& what, const std::string& path) {
  throw error("checkpoint: cannot " + what + " " + path + ": " + std::strerror(errno));
}

void fsync_folder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) fail_io("open folder", folder);
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) fail_io("fsync folder", folder);
}

XXH3_state_t* state_of(void* p) { return static_cast<XXH3_state_t*>(p); }

}  // namespace

std::string checksum(std::string_view bytes) {
  return hex64(XXH3_64bits(bytes.data(), bytes.size()));
}

durable_file::durable_file(std::string folder, std::string file)
    : folder_(std::move(folder)),
      file_(std::move(file)),
      temp_path_(folder_ + "/" + file_ + ".tmp") {
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) fail_io("create", temp_path_);
  hash_state_ = XXH3_createState();
  if (hash_state_ == nullptr) throw std::bad_alloc();
  XXH3_64bits_reset(state_of(hash_state_));
  buffer_.reserve(k_buffer_bytes);
}

durable_file::~durable_file() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
  XXH3_freeState(state_of(hash_state_));
}

void durable_file::append(std::string_view bytes) {
  XXH3_64bits_update(state_of(hash_state_), bytes.data(), bytes.size());
  bytes_ += bytes.size();
  buffer_.append(bytes);
  if (buffer_.size() >= k_buffer_bytes) flush();
}

void durable_file::flush() {
  const char* at = buffer_.data();
  std::size_t left = buffer_.size();
  while (left > 0) {
    const ssize_t wrote = ::write(fd_, at, left);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      fail_io("write", temp_path_);  // ENOSPC, EIO, ...: never a silently short file
    }
    at += wrote;
    left -= static_cast<std::size_t>(wrote);
  }
  buffer_.clear();
}

file_record durable_file::commit(std::uint64_t keys) {
  flush();
  if (::fsync(fd_) != 0) fail_io("fsync", temp_path_);
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) fail_io("close", temp_path_);
  const std::string path = folder_ + "/" + file_;
  if (::rename(temp_path_.c_str(), path.c_str()) != 0) fail_io("rename into", path);
  committed_ = true;
  fsync_folder(folder_);
  return {file_, bytes_, hex64(XXH3_64bits_digest(state_of(hash_state_))), keys};
}

void write_file(const std::string& folder, const std::string& file, std::string_view bytes) {
  durable_file out(folder, file);
  out.append(bytes);
  out.commit();
}

std::string read_verified(const std::string& path, const file_record& expected) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_io("read", path);
  std::string bytes;
  // One read per 4 MiB into a buffer sized by the manifest (plus one byte, to see a file
  // that grew); never more than that, whatever the file holds.
  bytes.resize(static_cast<std::size_t>(expected.bytes) + 1);
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + got, std::min(bytes.size() - got, k_buffer_bytes));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      fail_io("read", path);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  bytes.resize(got);
  if (bytes.size() != expected.bytes) {
    throw error("checkpoint: " + path + " has " +
                (bytes.size() > expected.bytes ? "more than " + std::to_string(expected.bytes)
                                               : std::to_string(bytes.size())) +
                " bytes; the manifest says " + std::to_string(expected.bytes) +
                " (truncated or replaced)");
  }
  const std::string sum = checksum(bytes);
  if (sum != expected.xxh3) {
    throw error("checkpoint: " + path + " is corrupt: checksum " + sum + ", the manifest says " +
                expected.xxh3);
  }
  return bytes;
}

file_record write_shard(const std::string& folder, const std::string& file,
                        const shard_header& header, const entry_source& source) {
  durable_file out(folder, file);
  std::string chunk;
  detail::string_writer writer{chunk};
  msgpack::packer<detail::string_writer> pack(writer);
  pack.pack_map(6);
  pack.pack(std::string_view("format"));
  pack.pack(k_shard_format);
  pack.pack(std::string_view("version"));
  pack.pack(k_format_version);
  pack.pack(std::string_view("clock"));
  pack.pack(header.clock);
  pack.pack(std::string_view("server"));
  pack.pack(header.server);
  pack.pack(std::string_view("thread"));
  pack.pack(header.thread);
  pack.pack(std::string_view("keys"));
  pack.pack(header.keys);
  std::uint64_t written = 0;
  source([&](std::string_view key, std::string_view value) {
    pack.pack_array(2);
    pack.pack(key);
    pack.pack_bin(static_cast<std::uint32_t>(value.size()));
    pack.pack_bin_body(value.data(), static_cast<std::uint32_t>(value.size()));
    ++written;
    if (chunk.size() >= k_buffer_bytes) {
      out.append(chunk);
      chunk.clear();
    }
  });
  out.append(chunk);
  if (written != header.keys) {
    throw error("checkpoint: " + file + ": the shard changed while it was written (" +
                std::to_string(written) + " entries, expected " + std::to_string(header.keys) +
                ")");
  }
  return out.commit(written);
}

namespace {

// The next msgpack value of a stream, checked as the wire decoder checks a frame.
msgpack::object_handle next_value(std::string_view bytes, std::size_t& offset,
                                  const std::string& where) {
  const char* at = bytes.data() + offset;
  const std::size_t left = bytes.size() - offset;
  try {
    detail::check_msgpack_shape(at, left);
    std::size_t used = 0;
    auto handle =
        msgpack::unpack(at, left, used, detail::reference_bulk, nullptr, detail::limit_for(left));
    offset += used;
    return handle;
  } catch (const std::exception& e) {
    throw error("checkpoint: " + where + ": undecodable at byte " + std::to_string(offset) + ": " +
                e.what());
  }
}

}  // namespace

shard_header read_shard(std::string_view bytes, const std::string& where,
                        const std::function<void(std::string_view, std::string_view)>& visit) {
  std::size_t offset = 0;
  if (bytes.empty()) throw error("checkpoint: " + where + " is empty");
  shard_header header;
  {
    auto handle = next_value(bytes, offset, where);
    std::string format;
    std::int64_t version = 0;
    try {
      const auto fields = handle.get().as<std::map<std::string, msgpack::object>>();
      fields.at("format").convert(format);
      fields.at("version").convert(version);
      if (format == k_shard_format && version == k_format_version) {
        fields.at("clock").convert(header.clock);
        fields.at("server").convert(header.server);
        fields.at("thread").convert(header.thread);
        fields.at("keys").convert(header.keys);
      }
    } catch (const std::exception& e) {
      throw error("checkpoint: " + where + " has no valid shard header (" + e.what() + ")");
    }
    if (format != k_shard_format || version != k_format_version) {
      throw error("checkpoint: " + where + " is not a " + std::string(k_shard_format) +
                  " file of version " + std::to_string(k_format_version) + " (format '" + format +
                  "', version " + std::to_string(version) + ")");
    }
  }
  std::uint64_t entries = 0;
  while (offset < bytes.size()) {
    auto handle = next_value(bytes, offset, where);
    const msgpack::object& o = handle.get();
    if (o.type != msgpack::type::ARRAY || o.via.array.size != 2 ||
        o.via.array.ptr[0].type != msgpack::type::STR ||
        o.via.array.ptr[1].type != msgpack::type::BIN) {
      throw error("checkpoint: " + where + ": entry " + std::to_string(entries) +
                  " is not a [key, value] pair");
    }
    const auto& key = o.via.array.ptr[0].via.str;
    const auto& value = o.via.array.ptr[1].via.bin;
    visit({key.ptr, key.size}, {value.ptr, value.size});
    ++entries;
  }
  if (entries != header.keys) {
    throw error("checkpoint: " + where + " holds " + std::to_string(entries) +
                " entries; its header says " + std::to_string(header.keys));
  }
  return header;
}

}  // namespace paracel::checkpoint
