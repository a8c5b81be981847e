#include "client/connection.hpp"

#include <iterator>
#include <vector>
#include <zmq_addon.hpp>

#include "core/curve_socket.hpp"
#include "paracel/error.hpp"

namespace paracel::client {

connection::connection(zmq::context_t& context, std::string endpoint, client_traffic& traffic,
                       const client_options& options)
    : endpoint_(std::move(endpoint)),
      traffic_(traffic),
      secure_(options.curve.has_value()),
      heartbeat_timeout_(options.heartbeat_timeout),
      socket_(context, zmq::socket_type::dealer),
      link_(context, socket_) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::sndhwm, 100000);
  socket_.set(zmq::sockopt::rcvhwm, 100000);
  if (options.heartbeat_interval.count() > 0) {
    socket_.set(zmq::sockopt::heartbeat_ivl, static_cast<int>(options.heartbeat_interval.count()));
    socket_.set(zmq::sockopt::heartbeat_timeout,
                static_cast<int>(options.heartbeat_timeout.count()));
    // Asks the server to drop this connection too when this client vanishes.
    socket_.set(zmq::sockopt::heartbeat_ttl, static_cast<int>(options.heartbeat_timeout.count()));
  }
  if (const auto& curve = options.curve) {
    set_curve_key(socket_, ZMQ_CURVE_SERVERKEY, curve->server_public_key);
    set_curve_key(socket_, ZMQ_CURVE_PUBLICKEY, curve->client.public_key);
    set_curve_key(socket_, ZMQ_CURVE_SECRETKEY, curve->client.secret_key);
  }
  try {
    socket_.connect(endpoint_);
  } catch (const zmq::error_t& e) {
    throw error("cannot connect to server " + endpoint_ + ": " + e.what());
  }
}

std::uint64_t connection::send(proto::op code, std::vector<zmq::message_t>& payload,
                               clock::time_point deadline) {
  // A drop seen now took the requests sent before it, not this one: ZeroMQ reconnects.
  if (link_.dropped()) lost_below_ = next_id_;
  const std::uint64_t id = next_id_++;
  proto::header h;
  h.code = code;
  h.id = id;
  const auto remaining =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  socket_.set(zmq::sockopt::sndtimeo,
              static_cast<int>(std::max<std::int64_t>(remaining.count(), 0)));
  zmq::message_t head = proto::encode_header(h);
  const auto more = payload.empty() ? zmq::send_flags::none : zmq::send_flags::sndmore;
  traffic_.requests += 1;
  traffic_.bytes_sent += head.size();
  if (!socket_.send(head, more)) timeout(id, code);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    traffic_.bytes_sent += payload[i].size();
    const auto flags = i + 1 < payload.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
    // Once the first frame is queued the rest of the message always fits.
    (void)socket_.send(payload[i], flags);
  }
  return id;
}

reply connection::await(std::uint64_t id, proto::op code, clock::time_point deadline) {
  for (;;) {
    auto it = ready_.find(id);
    if (it != ready_.end()) {
      reply out = std::move(it->second);
      ready_.erase(it);
      return out;
    }
    receive_one(id, code, deadline);
  }
}

void connection::track_async(std::uint64_t id, std::string what) {
  async_.emplace(id, std::move(what));
}

void connection::drain_async(std::size_t limit, clock::time_point deadline) {
  while (async_.size() > limit) {
    receive_one(0, proto::op::update, deadline);
  }
}

std::optional<connection::async_failure> connection::take_async_error() {
  auto out = std::move(async_error_);
  async_error_.reset();
  return out;
}

void connection::receive_one(std::uint64_t awaited, proto::op code, clock::time_point deadline) {
  throw_if_lost(awaited, code);
  const auto remaining =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  if (remaining.count() <= 0) timeout(awaited, code);
  zmq::pollitem_t items[] = {{static_cast<void*>(socket_), 0, ZMQ_POLLIN, 0},
                             {static_cast<void*>(link_.events()), 0, ZMQ_POLLIN, 0}};
  const auto waiting_since = clock::now();
  const bool ready = zmq::poll(items, 2, remaining) != 0;
  traffic_.blocked += clock::now() - waiting_since;
  if (!ready) timeout(awaited, code);
  if ((items[1].revents & ZMQ_POLLIN) != 0 && link_.dropped()) {
    lost_below_ = next_id_;
    // Replies that arrived before the drop are still queued: they count.
    while (file_waiting_reply(awaited)) {
    }
    return;  // the caller finds its reply filed, or the next call throws
  }
  if ((items[0].revents & ZMQ_POLLIN) != 0) (void)file_waiting_reply(awaited);
}

void connection::throw_if_lost(std::uint64_t awaited, proto::op code) {
  if (awaited != 0) {
    if (awaited >= lost_below_) return;
    async_.erase(awaited);
  } else {
    std::vector<std::uint64_t> lost;
    for (const auto& entry : async_)
      if (entry.first < lost_below_) lost.push_back(entry.first);
    if (lost.empty()) return;
    for (auto id : lost) async_.erase(id);
  }
  throw timeout_error("server " + endpoint_ + " dropped the connection while " +
                      (awaited != 0 ? proto::op_name(code) : std::string("async updates")) +
                      " waited for a reply: it stopped answering heartbeats for " +
                      std::to_string(heartbeat_timeout_.count()) +
                      " ms (stopped, hung or unreachable) or closed the connection (it exited)");
}

bool connection::file_waiting_reply(std::uint64_t awaited) {
  std::vector<zmq::message_t> frames;
  if (!zmq::recv_multipart(socket_, std::back_inserter(frames), zmq::recv_flags::dontwait))
    return false;
  for (const auto& frame : frames) traffic_.bytes_received += frame.size();
  proto::header h;
  try {
    h = proto::decode_header(frames.at(0));
  } catch (const std::exception& e) {
    throw error("server " + endpoint_ + " sent a reply that is not Paracel protocol: " + e.what());
  }
  if (h.id == 0) {  // ids start at 1: the server could not even read our header
    const std::string message = frames.size() > 1 ? std::string(proto::view(frames[1])) : "";
    throw error("server " + endpoint_ + " could not parse a request (" + status_name(h.st) +
                "): " + message);
  }
  if (abandoned_.erase(h.id) != 0) return true;
  auto async = async_.find(h.id);
  if (async != async_.end()) {
    const bool awaited_now = h.id == awaited;  // then the caller checks the status itself
    if (!awaited_now && h.st != status::ok && !async_error_) {
      const std::string message = frames.size() > 1 ? std::string(proto::view(frames[1])) : "";
      async_error_ = async_failure{h.st, async->second + " failed on server " + endpoint_ + " (" +
                                             status_name(h.st) + "): " + message};
    }
    async_.erase(async);
    if (!awaited_now) return true;
  }
  reply r{h, {}};
  for (std::size_t i = 1; i < frames.size(); ++i) r.payload.push_back(std::move(frames[i]));
  ready_.emplace(h.id, std::move(r));
  return true;
}

void connection::timeout(std::uint64_t id, proto::op code) {
  if (id != 0) abandoned_.insert(id);
  // A refused CURVE handshake looks like silence: ZeroMQ retries it and tells the socket
  // nothing, so the deadline is where it shows.
  throw timeout_error("server " + endpoint_ + " did not answer " + proto::op_name(code) +
                      " before the deadline; it may be dead, overloaded, or the request may "
                      "exceed its --max_request_bytes" +
                      (secure_ ? std::string(", or the CURVE handshake failed: a wrong server "
                                             "public key, this client's key not in the "
                                             "server's allowlist, or a server not in secure "
                                             "mode")
                               : std::string()));
}

}  // namespace paracel::client
