// libFuzzer target: the whole request handler of a server thread, fed up to 16 messages of
// 1-4 frames against a fresh shard, plugin registry (an empty plugin folder) and clock
// table. Whatever the bytes, the handler answers or parks: never a crash, a leak, undefined
// behaviour or an allocation beyond -malloc_limit_mb.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>
#include <zmq.hpp>

#include "fuzz_input.hpp"
#include "server/clock_service.hpp"
#include "server/plugin_registry.hpp"
#include "server/request_handler.hpp"
#include "server/server_stats.hpp"
#include "server/shard.hpp"

namespace {

const std::string& plugin_folder() {
  static const std::string folder = [] {
    const auto dir = std::filesystem::temp_directory_path() / "paracel-fuzz-plugins";
    std::filesystem::create_directories(dir);
    return dir.string();
  }();
  return folder;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace paracel::server;
  std::vector<std::unique_ptr<shard>> shards;
  shards.push_back(std::make_unique<shard>());
  plugin_registry registry({plugin_folder()});
  server_counters counters(1);
  clock_service clocks;
  const std::vector<std::uint16_t> ports{5000};
  const std::string endpoint = "tcp://127.0.0.1:5000";
  std::vector<outgoing> outbox;
  handler_context context{*shards[0], shards, registry, counters, *counters.threads[0],
                          endpoint,   ports,  1u << 20, &clocks,  "client",
                          &outbox};
  std::vector<zmq::message_t> reply;
  for (const auto& m : paracel::fuzz::split_messages(data, size, 16)) {
    std::vector<zmq::message_t> frames;
    for (const auto& f : m) frames.emplace_back(f.data(), f.size());
    handle_request(context, frames, reply);
  }
  clocks.expire(std::chrono::steady_clock::now() + std::chrono::hours(24), outbox);
  return 0;
}
