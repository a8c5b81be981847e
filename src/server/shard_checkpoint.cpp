#include "server/shard_checkpoint.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "paracel/log.hpp"

namespace paracel::server {

namespace {

// A client names the checkpoint's folder, never a path: the server writes only below the
// folder its operator gave it.
bool plain_name(const std::string& name) {
  if (name.empty() || name.size() > 100 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

// Fault injection for the tests (test/checkpoint): PARACEL_CHECKPOINT_PAUSE_MS makes every
// shard write pause halfway through its entries, its temp file open, so that a test can kill the
// server in the middle of a checkpoint.
std::chrono::milliseconds pause_for_tests() {
  static const auto pause = [] {
    const char* ms = std::getenv("PARACEL_CHECKPOINT_PAUSE_MS");
    return std::chrono::milliseconds(ms == nullptr ? 0 : std::atol(ms));
  }();
  return pause;
}

std::int32_t thread_of(const handler_context& ctx) {
  for (std::size_t t = 0; t < ctx.all_shards.size(); ++t) {
    if (ctx.all_shards[t].get() == &ctx.own_shard) return static_cast<std::int32_t>(t);
  }
  throw error("checkpoint: this thread's shard is not among the server's shards");
}

}  // namespace

checkpoint::file_record write_shard_checkpoint(handler_context& ctx, const std::string& folder,
                                               std::int64_t clock, std::int32_t server) {
  if (ctx.checkpoint_dir.empty()) {
    throw status_error(status::bad_request,
                       "this server takes no checkpoints: start it with --checkpoint_dir "
                       "(prun.py --checkpoint_dir)");
  }
  if (!plain_name(folder)) {
    throw status_error(
        status::bad_request,
        "checkpoint folder '" + folder + "' is not a plain name (letters, digits, '_', '-', '.')");
  }
  if (server < 0) throw status_error(status::bad_request, "checkpoint: negative server index");
  const std::string path = (std::filesystem::path(ctx.checkpoint_dir) / folder).string();
  std::error_code failed;
  std::filesystem::create_directories(path, failed);
  if (failed) throw error("checkpoint: cannot create " + path + ": " + failed.message());
  const std::int32_t thread = thread_of(ctx);
  const std::string file =
      "server-" + std::to_string(server) + "-" + std::to_string(thread) + ".shard";
  const shard& own = ctx.own_shard;
  const std::uint64_t halfway = own.keys() / 2;
  std::uint64_t visited = 0;
  auto record = checkpoint::write_shard(
      path, file, {clock, server, thread, own.keys()}, [&](const auto& visit) {
        own.for_each([&](const auto& k, const auto& v) {
          visit(k, v);
          if (++visited == halfway && pause_for_tests().count() > 0)
            std::this_thread::sleep_for(pause_for_tests());
        });
      });
  log::info("checkpoint ", folder, "/", file, ": ", record.keys, " keys, ", record.bytes, " bytes");
  return record;
}

}  // namespace paracel::server
