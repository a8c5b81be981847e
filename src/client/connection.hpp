// One pipelined DEALER connection from a client to one server thread. Requests carry
// increasing ids; replies may come back in any order and are matched by id, so many
// requests can be in flight. Every wait is bounded by a deadline, and ends at once when
// ZeroMQ drops the connection (missed heartbeats, a closed peer). Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>
#include <zmq.hpp>

#include "client/link_monitor.hpp"
#include "paracel/ps_client.hpp"
#include "proto/message.hpp"

namespace paracel::client {

using clock = std::chrono::steady_clock;

struct reply {
  proto::header header;
  std::vector<zmq::message_t> payload;  // frames after the header
};

class connection {
 public:
  // `traffic` (shared by a client's connections, outliving them) counts what goes through;
  // options.curve makes the connection a CURVE client of a secure server, and
  // options.heartbeat_* set its heartbeats.
  connection(zmq::context_t& context, std::string endpoint, client_traffic& traffic,
             const client_options& options);

  const std::string& endpoint() const { return endpoint_; }

  // Queues a request; returns its id. Throws timeout_error if it cannot be queued in time.
  std::uint64_t send(proto::op code, std::vector<zmq::message_t>& payload,
                     clock::time_point deadline);
  // The reply to request `id` (of op `code`), whatever its status. Throws timeout_error.
  reply await(std::uint64_t id, proto::op code, clock::time_point deadline);

  // Fire-and-forget requests whose acks are checked later; `what` describes one in errors.
  void track_async(std::uint64_t id, std::string what);
  bool is_async_pending(std::uint64_t id) const { return async_.count(id) != 0; }
  std::size_t async_in_flight() const { return async_.size(); }
  // Receives acks until at most `limit` async requests are in flight.
  void drain_async(std::size_t limit, clock::time_point deadline);
  // The first failure among acknowledged async requests since the last call, if any.
  struct async_failure {
    status code;
    std::string message;
  };
  std::optional<async_failure> take_async_error();

 private:
  // Waits for one reply (or throws timeout_error) and files it by id; returns early when
  // the connection was dropped, after filing the replies that came before.
  void receive_one(std::uint64_t awaited, proto::op code, clock::time_point deadline);
  // Files the next reply waiting on the socket; false if none is.
  bool file_waiting_reply(std::uint64_t awaited);
  // Throws timeout_error when the reply awaited (or, for awaited == 0, an async ack) was
  // lost with a dropped connection.
  void throw_if_lost(std::uint64_t awaited, proto::op code);
  [[noreturn]] void timeout(std::uint64_t id, proto::op code);

  std::string endpoint_;
  client_traffic& traffic_;
  bool secure_;
  std::chrono::milliseconds heartbeat_timeout_;
  zmq::socket_t socket_;
  link_monitor link_;  // after socket_: monitors it from before it connects
  std::uint64_t next_id_ = 1;
  std::uint64_t lost_below_ = 0;  // requests with smaller ids went with a dropped connection
  std::unordered_map<std::uint64_t, reply> ready_;
  std::unordered_map<std::uint64_t, std::string> async_;
  std::unordered_set<std::uint64_t> abandoned_;  // timed out: their replies are dropped
  std::optional<async_failure> async_error_;
};

}  // namespace paracel::client
