#include "server/server.hpp"

#include <unistd.h>

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
  if (options_.threads == 0) throw std::invalid_argument("a server needs at least one thread");
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
      throw std::runtime_error(
          "cannot bind " + address + ": " + e.what() +
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

void server::serve(std::size_t t) {
  zmq::socket_t& socket = sockets_[t];
  handler_context context{*shards_[t], shards_, registry_,
                          counters_,   ports_,  options_.max_request_bytes};
  std::vector<zmq::message_t> request;
  std::vector<zmq::message_t> reply;
  for (;;) {
    request.clear();
    try {
      if (!zmq::recv_multipart(socket, std::back_inserter(request))) continue;
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) break;
      continue;
    }
    if (request.size() < 2) continue;  // a ROUTER always prepends the peer's identity
    handle_request(context, std::span(request).subspan(1), reply);
    try {
      socket.send(request[0], zmq::send_flags::sndmore);
      for (std::size_t i = 0; i < reply.size(); ++i) {
        socket.send(reply[i],
                    i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
      }
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) break;
    }
  }
  socket.close();
}

}  // namespace paracel::server
