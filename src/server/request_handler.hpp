// Turns one request into its reply for one server thread. Never throws: a malformed request,
// an unknown op or a failing plugin becomes an error reply naming the problem.
#pragma once

#include <cstdint>
#include <span>
#include <vector>
#include <zmq.hpp>

#include "proto/message.hpp"
#include "server/clock_service.hpp"
#include "server/plugin_registry.hpp"
#include "server/server_stats.hpp"
#include "server/shard.hpp"

namespace paracel::server {

// What the handler of one thread may touch.
struct handler_context {
  shard& own_shard;
  const std::vector<std::unique_ptr<shard>>& all_shards;  // read-only use: stats
  plugin_registry& registry;
  const server_counters& counters;          // read-only use: stats
  thread_stats& own_stats;                  // this thread's counters
  const std::string& endpoint;              // the server's, for stats
  const std::vector<std::uint16_t>& ports;  // of every server thread, for hello
  std::size_t max_request_bytes;
  clock_service* clocks = nullptr;          // thread 0 only: the SSP clock table
  std::string_view identity;                // of the peer being answered
  std::vector<outgoing>* outbox = nullptr;  // messages to other peers (released clock waits)
  // Where the checkpoint op writes (paracel_server --checkpoint_dir); empty: refused.
  std::string_view checkpoint_dir = {};
};

// `request` is the message without the ROUTER identity frame; `reply` receives the frames
// to send back after the identity, or stays empty when the request was parked (clock_wait).
void handle_request(handler_context& context, std::span<zmq::message_t> request,
                    std::vector<zmq::message_t>& reply);

}  // namespace paracel::server
