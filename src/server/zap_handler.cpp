#include "server/zap_handler.hpp"

#include <iterator>
#include <vector>
#include <zmq_addon.hpp>

#include "paracel/log.hpp"

namespace paracel::server {

namespace {

constexpr int k_logged_refusals = 10;  // then only counted: a scanner must not flood the log

std::string text(const zmq::message_t& frame) { return frame.to_string(); }

}  // namespace

zap_handler::zap_handler(zmq::context_t& context, std::set<std::string> allowed_z85_keys,
                         std::atomic<std::uint64_t>& refused)
    : context_(context),
      socket_(context, zmq::socket_type::rep),
      allowed_(std::move(allowed_z85_keys)),
      refused_(refused) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind("inproc://zeromq.zap.01");
  thread_ = std::thread([this] { serve(); });
}

zap_handler::~zap_handler() {
  if (!thread_.joinable()) return;
  context_.shutdown();
  thread_.join();
}

void zap_handler::join() {
  if (thread_.joinable()) thread_.join();
}

void zap_handler::serve() {
  for (;;) {
    std::vector<zmq::message_t> request;
    try {
      if (!zmq::recv_multipart(socket_, std::back_inserter(request))) continue;
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) break;
      continue;
    }
    // version, request id, domain, address, routing id, mechanism, credentials...
    std::string status = "400";
    std::string reason = "malformed ZAP request";
    std::string user;
    if (request.size() >= 6 && text(request[0]) == "1.0") {
      const std::string mechanism = text(request[5]);
      if (mechanism == "CURVE" && request.size() == 7 && request[6].size() == 32) {
        char z85[41];
        zmq_z85_encode(z85, static_cast<const std::uint8_t*>(request[6].data()), 32);
        if (allowed_.count(z85) != 0) {
          status = "200";
          reason = "OK";
          user = z85;
        } else {
          reason = "client key not in the allowlist";
          const auto count = refused_.fetch_add(1, std::memory_order_relaxed);
          if (count < k_logged_refusals) {
            log::warn("refused a client from ", text(request[3]), ": its CURVE key ", z85,
                      " is not in the allowlist",
                      count + 1 == k_logged_refusals ? " (further refusals are only counted)" : "");
          }
        }
      } else {
        reason = "mechanism " + mechanism + " is not allowed";
      }
    }
    std::vector<zmq::message_t> reply;
    reply.emplace_back(std::string("1.0"));
    reply.push_back(request.size() > 1 ? zmq::message_t(request[1].data(), request[1].size())
                                       : zmq::message_t());
    reply.emplace_back(status);
    reply.emplace_back(reason);
    reply.emplace_back(user);
    reply.emplace_back();  // metadata
    try {
      zmq::send_multipart(socket_, reply);
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) break;
    }
  }
  socket_.close();
}

}  // namespace paracel::server
