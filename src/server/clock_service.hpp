// The SSP clock ops of one server thread: named clock_tables (one per paralg, so that jobs
// and successive algorithms sharing servers never mix clocks) whose parked waits are
// answered later, from the thread's event loop, when a commit or finish lifts the minimum
// clock or a deadline passes. A table is dropped once all its workers finished. Owned by
// thread 0 of a server; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "proto/message.hpp"
#include "server/clock_table.hpp"

namespace paracel::server {

// A message to send to a peer other than the one being answered.
struct outgoing {
  std::string identity;
  std::vector<zmq::message_t> frames;
};

class clock_service {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  // Handles one clock op. Returns false when the request was parked (no reply now);
  // otherwise `reply` gets the payload frames. Released waits go to `outbox`.
  // Throws op-level errors as protocol_error.
  bool handle(const proto::header& h, std::string_view identity, std::span<zmq::message_t> in,
              std::vector<zmq::message_t>& reply, std::vector<outgoing>& outbox);
  // Answers the waits whose deadline passed with deadline_exceeded.
  void expire(time_point now, std::vector<outgoing>& outbox);
  time_point next_deadline() const;

 private:
  struct waiter {
    std::string identity;
    std::uint64_t id = 0;
    std::int64_t target = 0;
  };
  using table_type = clock_table<waiter>;
  bool handle_op(const proto::header& h, const std::string& name, std::string_view identity,
                 const zmq::message_t& args, std::vector<zmq::message_t>& reply,
                 std::vector<outgoing>& outbox);
  static void release(const table_type& table, std::vector<waiter> released,
                      std::vector<outgoing>& outbox);
  table_type& table(const proto::header& h, const std::string& name);
  void drop_if_done(const std::string& name);

  std::unordered_map<std::string, table_type> tables_;
};

}  // namespace paracel::server
