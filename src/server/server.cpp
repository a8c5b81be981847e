#include "server/server.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <stdexcept>
#include <zmq_addon.hpp>

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
    : options_(std::move(options)), context_(options_.io_threads), registry_(options_.plugin_dirs) {
  if (options_.threads == 0) throw error("a server needs at least one thread");
  for (std::size_t t = 0; t < options_.threads; ++t) {
    shards_.push_back(std::make_unique<shard>());
    zmq::socket_t socket(context_, zmq::socket_type::router);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(options_.max_request_bytes));
    // Replies to a client that went away are dropped, never queued without bound.
    socket.set(zmq::sockopt::sndhwm, 100000);
    socket.set(zmq::sockopt::rcvhwm, 100000);
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

// Receives one request, waiting at most until `until` (forever when it is max()).
bool receive(zmq::socket_t& socket, std::vector<zmq::message_t>& request,
             std::chrono::steady_clock::time_point until) {
  if (until != std::chrono::steady_clock::time_point::max()) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    zmq::pollitem_t item{static_cast<void*>(socket), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1,
                  std::max(wait, std::chrono::milliseconds(0)) + std::chrono::milliseconds(1)) ==
        0) {
      return false;
    }
    return zmq::recv_multipart(socket, std::back_inserter(request), zmq::recv_flags::dontwait)
        .has_value();
  }
  return zmq::recv_multipart(socket, std::back_inserter(request)).has_value();
}

}  // namespace

void server::serve(std::size_t t) {
  zmq::socket_t& socket = sockets_[t];
  std::vector<outgoing> outbox;
  handler_context context{*shards_[t],
                          shards_,
                          registry_,
                          counters_,
                          ports_,
                          options_.max_request_bytes,
                          t == 0 ? &clocks_ : nullptr,
                          {},
                          &outbox};
  std::vector<zmq::message_t> request;
  std::vector<zmq::message_t> reply;
  for (;;) {
    request.clear();
    try {
      // Thread 0 wakes up for the deadlines of parked clock waits.
      const auto until =
          context.clocks ? clocks_.next_deadline() : std::chrono::steady_clock::time_point::max();
      if (receive(socket, request, until) && request.size() >= 2) {
        context.identity = proto::view(request[0]);
        handle_request(context, std::span(request).subspan(1), reply);
        if (!reply.empty()) send_to(socket, request[0], reply);
      }
      if (context.clocks) clocks_.expire(std::chrono::steady_clock::now(), outbox);
      for (auto& message : outbox) {
        const zmq::message_t identity(message.identity.data(), message.identity.size());
        send_to(socket, identity, message.frames);
      }
      outbox.clear();
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) break;
      // A failed send or receive loses one message, not the server: counted in stats, and
      // the first one logged so that an operator learns of it.
      if (counters_.zmq_errors.fetch_add(1, std::memory_order_relaxed) == 0) {
        std::fprintf(stderr,
                     "paracel_server %s: thread %zu: ZeroMQ error %d (%s); further ZeroMQ "
                     "errors are only counted (stats: zmq_errors)\n",
                     endpoint_.c_str(), t, e.num(), e.what());
      }
    }
  }
  socket.close();
}

}  // namespace paracel::server
