#include "server/server.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <stdexcept>
#include <zmq_addon.hpp>

#include "core/curve_socket.hpp"
#include "paracel/log.hpp"

namespace paracel::server {

namespace {

std::uint16_t port_of(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  return static_cast<std::uint16_t>(std::stoul(endpoint.substr(colon + 1)));
}

std::string advertised_host(const server_options& options) {
  if (!options.advertise_host.empty()) return options.advertise_host;
  if (options.bind_address != "*" && options.bind_address != "0.0.0.0") return options.bind_address;
  char name[256] = {0};
  if (gethostname(name, sizeof(name) - 1) != 0) return "127.0.0.1";
  return name;
}

}  // namespace

server::server(server_options options)
    : options_(std::move(options)),
      context_(options_.io_threads),
      registry_(options_.plugin_dirs),
      counters_(options_.threads) {
  if (options_.threads == 0) throw error("a server needs at least one thread");
  // The ZAP handler is bound before any server socket, so that no handshake ever goes
  // unchecked.
  if (options_.secure()) {
    zap_ =
        std::make_unique<zap_handler>(context_, options_.curve_allowed, counters_.refused_clients);
  }
  for (std::size_t t = 0; t < options_.threads; ++t) {
    shards_.push_back(std::make_unique<shard>());
    zmq::socket_t socket(context_, zmq::socket_type::router);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(options_.max_request_bytes));
    // Replies to a client that went away are dropped, never queued without bound.
    socket.set(zmq::sockopt::sndhwm, 100000);
    socket.set(zmq::sockopt::rcvhwm, 100000);
    if (options_.secure()) {
      socket.set(zmq::sockopt::curve_server, true);
      set_curve_key(socket, ZMQ_CURVE_SECRETKEY, options_.curve.secret_key);
    }
    const std::string port = (t == 0 && options_.port != 0) ? std::to_string(options_.port) : "*";
    const std::string address = "tcp://" + options_.bind_address + ":" + port;
    try {
      socket.bind(address);
    } catch (const zmq::error_t& e) {
      throw error("cannot bind " + address + ": " + e.what() +
                  (port == "*" ? "" : " (is the port in use? use port 0 for a free one)"));
    }
    const std::string bound = socket.get(zmq::sockopt::last_endpoint);
    ports_.push_back(port_of(bound));
    if (t == 0)
      endpoint_ = "tcp://" + advertised_host(options_) + ":" + std::to_string(ports_.back());
    sockets_.push_back(std::move(socket));
  }
  for (std::size_t t = 0; t < options_.threads; ++t) {
    threads_.emplace_back([this, t] { serve(t); });
  }
}

server::~server() { stop(); }

void server::stop() {
  std::call_once(stopped_, [this] {
    context_.shutdown();  // every blocking call in the serving threads returns ETERM
    for (auto& thread : threads_) thread.join();
    if (zap_) zap_->join();
    context_.close();
  });
}

namespace {

void send_to(zmq::socket_t& socket, const zmq::message_t& identity,
             std::vector<zmq::message_t>& frames) {
  zmq::message_t head(identity.data(), identity.size());
  socket.send(head, zmq::send_flags::sndmore);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    socket.send(frames[i],
                i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
}

// Receives the requests waiting on `socket` into `batch` (at most its capacity): waits for
// the first one at most until `until` (forever when it is max()), takes the rest without
// waiting. Returns how many it received.
std::size_t receive_batch(zmq::socket_t& socket, std::vector<std::vector<zmq::message_t>>& batch,
                          std::chrono::steady_clock::time_point until) {
  std::size_t received = 0;
  auto flags = zmq::recv_flags::none;
  if (until != std::chrono::steady_clock::time_point::max()) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    zmq::pollitem_t item{static_cast<void*>(socket), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1,
                  std::max(wait, std::chrono::milliseconds(0)) + std::chrono::milliseconds(1)) ==
        0) {
      return 0;
    }
    flags = zmq::recv_flags::dontwait;
  }
  for (auto& request : batch) {
    request.clear();
    try {
      if (!zmq::recv_multipart(socket, std::back_inserter(request), flags)) break;
    } catch (const zmq::error_t&) {
      if (received == 0) throw;
      break;  // serve what was received; the next call meets the error again
    }
    ++received;
    flags = zmq::recv_flags::dontwait;
  }
  return received;
}

}  // namespace

void server::serve(std::size_t t) {
  zmq::socket_t& socket = sockets_[t];
  std::vector<outgoing> outbox;
  thread_stats& stats = *counters_.threads[t];
  handler_context context{*shards_[t],
                          shards_,
                          registry_,
                          counters_,
                          stats,
                          endpoint_,
                          ports_,
                          options_.max_request_bytes,
                          t == 0 ? &clocks_ : nullptr,
                          {},
                          &outbox,
                          options_.checkpoint_dir};
  // Requests are taken in batches of what is waiting, so that the batch's size measures the
  // queue (stats: queue) at no cost.
  std::vector<std::vector<zmq::message_t>> batch(k_batch);
  std::vector<zmq::message_t> reply;
  // A failed send or receive loses one message, not the server: counted in stats, and the
  // first one logged so that an operator learns of it. False once the context is shut down.
  auto guarded = [&](const auto& step) {
    try {
      step();
      return true;
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) return false;
      if (counters_.zmq_errors.fetch_add(1, std::memory_order_relaxed) == 0) {
        log::error("thread ", t, ": ZeroMQ error ", e.num(), " (", e.what(),
                   "); further ZeroMQ errors are only counted (stats: zmq_errors)");
      }
      return true;
    }
  };
  for (bool running = true; running;) {
    std::size_t received = 0;
    running = guarded([&] {
      // Thread 0 wakes up for the deadlines of parked clock waits.
      const auto until =
          context.clocks ? clocks_.next_deadline() : std::chrono::steady_clock::time_point::max();
      received = receive_batch(socket, batch, until);
    });
    if (received > 0) stats.record_queue(received);
    for (std::size_t i = 0; i < received && running; ++i) {
      auto& request = batch[i];
      if (request.size() < 2) continue;
      running = guarded([&] {
        context.identity = proto::view(request[0]);
        handle_request(context, std::span(request).subspan(1), reply);
        if (!reply.empty()) send_to(socket, request[0], reply);
      });
    }
    if (context.clocks) clocks_.expire(std::chrono::steady_clock::now(), outbox);
    for (auto& message : outbox) {
      if (!running) break;
      running = guarded([&] {
        const zmq::message_t identity(message.identity.data(), message.identity.size());
        send_to(socket, identity, message.frames);
      });
    }
    outbox.clear();
  }
  socket.close();
}

std::string server::stats() const { return stats_json(counters_, shards_, endpoint_); }

}  // namespace paracel::server
