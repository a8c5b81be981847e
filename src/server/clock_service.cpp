#include "server/clock_service.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace paracel::server {

using proto::op;
using proto::protocol_error;

namespace {

proto::header reply_header(std::uint64_t id, op code, status st) {
  proto::header h;
  h.code = code;
  h.id = id;
  h.st = st;
  return h;
}

// clock_register's arguments: workers, worker, total, and (a resumed job's) start clock,
// which older clients do not send: -1.
std::tuple<std::int32_t, std::int32_t, std::int64_t, std::int64_t> decode_register(
    const zmq::message_t& args) {
  const auto handle = proto::unpack_frame(args);
  const msgpack::object& o = handle.get();
  try {
    if (o.type == msgpack::type::ARRAY && o.via.array.size == 4) {
      return o.as<std::tuple<std::int32_t, std::int32_t, std::int64_t, std::int64_t>>();
    }
    auto [workers, worker, total] = o.as<std::tuple<std::int32_t, std::int32_t, std::int64_t>>();
    return {workers, worker, total, -1};
  } catch (const msgpack::type_error&) {
    throw protocol_error(status::bad_request, "clock_register arguments have the wrong shape");
  }
}

}  // namespace

clock_service::table_type& clock_service::table(const proto::header& h, const std::string& name) {
  auto it = tables_.find(name);
  if (it == tables_.end()) {
    throw protocol_error(status::bad_request,
                         std::string(proto::op_name(h.code)) + " on clock table '" + name +
                             "' before clock_register: the workers must register first",
                         h);
  }
  return it->second;
}

void clock_service::drop_if_done(const std::string& name) {
  auto it = tables_.find(name);
  if (it != tables_.end() && it->second.done()) tables_.erase(it);
}

bool clock_service::handle(const proto::header& h, std::string_view identity,
                           std::span<zmq::message_t> in, std::vector<zmq::message_t>& reply,
                           std::vector<outgoing>& outbox) {
  // Frames: the table's name, then the op's arguments.
  if (in.size() != 2) {
    throw protocol_error(
        status::bad_request,
        std::string(proto::op_name(h.code)) + " expects 2 payload frames (table name, arguments)",
        h);
  }
  try {
    return handle_op(h, std::string(proto::view(in[0])), identity, in[1], reply, outbox);
  } catch (const std::out_of_range& e) {
    throw protocol_error(status::bad_request, e.what(), h);
  } catch (const std::invalid_argument& e) {
    throw protocol_error(status::bad_request, e.what(), h);
  }
}

bool clock_service::handle_op(const proto::header& h, const std::string& name,
                              std::string_view identity, const zmq::message_t& args,
                              std::vector<zmq::message_t>& reply, std::vector<outgoing>& outbox) {
  switch (h.code) {
    case op::clock_register: {
      auto [workers, worker, total, start] = decode_register(args);
      auto& t = tables_.try_emplace(name, workers).first->second;
      if (t.workers() != workers) {
        throw protocol_error(status::conflict,
                             "clock table '" + name + "' has " + std::to_string(t.workers()) +
                                 " workers; a worker registered with " + std::to_string(workers),
                             h);
      }
      if (total >= 0) t.set_total(worker, total);
      if (start >= 0) t.start_at(worker, start);
      release(t, t.finish_check(), outbox);
      return true;
    }
    case op::clock_commit: {
      auto [worker] = proto::decode_args<std::int32_t>(args);
      auto& t = table(h, name);
      release(t, t.commit(worker), outbox);
      reply.push_back(proto::encode_args(t.min_clock()));
      return true;
    }
    case op::clock_finish: {
      auto [worker] = proto::decode_args<std::int32_t>(args);
      auto& t = table(h, name);
      release(t, t.finish(worker), outbox);
      drop_if_done(name);
      return true;
    }
    case op::clock_wait: {
      auto [target, timeout_ms] = proto::decode_args<std::int64_t, std::int64_t>(args);
      auto& t = table(h, name);
      const auto deadline = std::chrono::steady_clock::now() +
                            std::chrono::milliseconds(std::max<std::int64_t>(timeout_ms, 0));
      if (t.wait(waiter{std::string(identity), h.id, target}, target, deadline)) {
        reply.push_back(proto::encode_args(t.min_clock()));
        return true;
      }
      return false;
    }
    default:
      throw protocol_error(status::unknown_op, "not a clock op", h);
  }
}

void clock_service::release(const table_type& table, std::vector<waiter> released,
                            std::vector<outgoing>& outbox) {
  for (auto& w : released) {
    outgoing out{std::move(w.identity), {}};
    out.frames.push_back(proto::encode_header(reply_header(w.id, op::clock_wait, status::ok)));
    out.frames.push_back(proto::encode_args(table.min_clock()));
    outbox.push_back(std::move(out));
  }
}

void clock_service::expire(time_point now, std::vector<outgoing>& outbox) {
  for (auto& [name, table] : tables_) {
    for (auto& w : table.expire(now)) {
      const int slowest = table.slowest();
      const std::string message =
          "clock table '" + name + "': wait for minimum clock " + std::to_string(w.target) +
          " timed out at minimum " + std::to_string(table.min_clock()) + "; slowest worker: " +
          (slowest < 0
               ? std::string("none")
               : std::to_string(slowest) + " at clock " + std::to_string(table.clock_of(slowest)));
      outgoing out{std::move(w.identity), {}};
      out.frames.push_back(
          proto::encode_header(reply_header(w.id, op::clock_wait, status::deadline_exceeded)));
      out.frames.emplace_back(message.data(), message.size());
      outbox.push_back(std::move(out));
    }
  }
}

clock_service::time_point clock_service::next_deadline() const {
  time_point next = time_point::max();
  for (const auto& [name, table] : tables_) next = std::min(next, table.next_deadline());
  return next;
}

}  // namespace paracel::server
