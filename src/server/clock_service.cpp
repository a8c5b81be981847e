#include "server/clock_service.hpp"

#include <stdexcept>

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

}  // namespace

clock_table<clock_service::waiter>& clock_service::table(const proto::header& h) {
  if (!table_) {
    throw protocol_error(status::bad_request,
                         std::string(proto::op_name(h.code)) +
                             " before clock_register: the workers must register first",
                         h);
  }
  return *table_;
}

bool clock_service::handle(const proto::header& h, std::string_view identity,
                           std::span<zmq::message_t> in, std::vector<zmq::message_t>& reply,
                           std::vector<outgoing>& outbox) {
  if (in.size() != 1) {
    throw protocol_error(status::bad_request,
                         std::string(proto::op_name(h.code)) + " expects 1 payload frame", h);
  }
  try {
    switch (h.code) {
      case op::clock_register: {
        auto [workers, worker, total] =
            proto::decode_args<std::int32_t, std::int32_t, std::int64_t>(in[0]);
        if (!table_) table_.emplace(workers);
        if (table_->workers() != workers) {
          throw protocol_error(status::conflict,
                               "clock table has " + std::to_string(table_->workers()) +
                                   " workers; a worker registered with " + std::to_string(workers),
                               h);
        }
        if (total >= 0) table_->set_total(worker, total);
        release(table_->finish_check(), outbox);
        return true;
      }
      case op::clock_commit: {
        auto [worker] = proto::decode_args<std::int32_t>(in[0]);
        release(table(h).commit(worker), outbox);
        reply.push_back(proto::encode_args(table_->min_clock()));
        return true;
      }
      case op::clock_finish: {
        auto [worker] = proto::decode_args<std::int32_t>(in[0]);
        release(table(h).finish(worker), outbox);
        return true;
      }
      case op::clock_wait: {
        auto [target, timeout_ms] = proto::decode_args<std::int64_t, std::int64_t>(in[0]);
        auto& t = table(h);
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
  } catch (const std::out_of_range& e) {
    throw protocol_error(status::bad_request, e.what(), h);
  } catch (const std::invalid_argument& e) {
    throw protocol_error(status::bad_request, e.what(), h);
  }
}

void clock_service::release(std::vector<waiter> released, std::vector<outgoing>& outbox) const {
  for (auto& w : released) {
    outgoing out{std::move(w.identity), {}};
    out.frames.push_back(proto::encode_header(reply_header(w.id, op::clock_wait, status::ok)));
    out.frames.push_back(proto::encode_args(table_->min_clock()));
    outbox.push_back(std::move(out));
  }
}

void clock_service::expire(time_point now, std::vector<outgoing>& outbox) {
  if (!table_) return;
  for (auto& w : table_->expire(now)) {
    const int slowest = table_->slowest();
    const std::string message =
        "clock wait for minimum clock " + std::to_string(w.target) + " timed out at minimum " +
        std::to_string(table_->min_clock()) + "; slowest worker: " +
        (slowest < 0
             ? std::string("none")
             : std::to_string(slowest) + " at clock " + std::to_string(table_->clock_of(slowest)));
    outgoing out{std::move(w.identity), {}};
    out.frames.push_back(
        proto::encode_header(reply_header(w.id, op::clock_wait, status::deadline_exceeded)));
    out.frames.emplace_back(message.data(), message.size());
    outbox.push_back(std::move(out));
  }
}

clock_service::time_point clock_service::next_deadline() const {
  return table_ ? table_->next_deadline() : time_point::max();
}

}  // namespace paracel::server
