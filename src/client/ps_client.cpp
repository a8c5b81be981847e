#include "paracel/ps_client.hpp"

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "client/connection.hpp"
#include "paracel/ring.hpp"
#include "proto/message.hpp"

namespace paracel {

using client::clock;
using client::connection;
using proto::op;

struct ps_client::impl {
  client_options options;
  client_traffic traffic;  // before the connections, which count into it
  std::vector<std::string> endpoints;
  zmq::context_t context{1};
  hash_ring ring;
  // Indexed [server][shard]; `flat` lists the same connections, server-major.
  std::vector<std::vector<connection*>> servers;
  std::vector<std::unique_ptr<connection>> flat;
  std::vector<std::size_t> first_of_server;  // index in `flat` of each server's shard 0

  impl(std::vector<std::string> eps, client_options opts)
      : options(opts),
        endpoints(std::move(eps)),
        ring(std::max<std::size_t>(endpoints.size(), 1)) {}

  clock::time_point deadline() const { return clock::now() + options.deadline; }

  // Index into `flat` of the connection that owns `key`.
  std::size_t route_index(std::string_view key) const {
    const std::size_t server = ring.server_of(key);
    return first_of_server[server] + shard_of(key, servers[server].size());
  }
  connection& route(std::string_view key) { return *flat[route_index(key)]; }

  // Sends one request and waits for its reply; throws unless the status is ok or not_found.
  client::reply call(connection& c, op code, std::vector<zmq::message_t> payload,
                     clock::time_point until) {
    const std::uint64_t id = c.send(code, payload, until);
    client::reply r = c.await(id, code, until);
    check(c, r, code);
    return r;
  }

  static void check(const connection& c, const client::reply& r, op code) {
    if (r.header.st == status::ok || r.header.st == status::not_found) return;
    const std::string message = r.payload.empty() ? "" : std::string(proto::view(r.payload[0]));
    throw server_error(r.header.st, std::string(proto::op_name(code)) + " failed on server " +
                                        c.endpoint() + " (" + status_name(r.header.st) +
                                        "): " + message);
  }

  // Sends one request to thread 0 of every server, then awaits all replies.
  void on_every_server(op code, const std::function<zmq::message_t()>& make_args) {
    const auto until = deadline();
    std::vector<std::uint64_t> ids;
    for (auto& shards : servers) {
      std::vector<zmq::message_t> payload;
      payload.push_back(make_args());
      ids.push_back(shards[0]->send(code, payload, until));
    }
    for (std::size_t s = 0; s < servers.size(); ++s)
      check(*servers[s][0], servers[s][0]->await(ids[s], code, until), code);
  }

  // Throws the first error among acknowledged async updates.
  void raise_async_errors() {
    for (auto& c : flat) {
      if (auto failure = c->take_async_error()) throw server_error(failure->code, failure->message);
    }
  }

  // Splits keys into per-connection batches of at most options.batch_bytes.
  struct batch {
    connection* conn;
    std::vector<std::size_t> indices;
  };
  std::vector<batch> split(const std::vector<std::string>& keys,
                           const std::vector<std::string_view>* values) {
    std::vector<std::vector<std::size_t>> per_conn(flat.size());
    for (std::size_t i = 0; i < keys.size(); ++i) per_conn[route_index(keys[i])].push_back(i);
    std::vector<batch> out;
    for (std::size_t c = 0; c < flat.size(); ++c) {
      std::size_t bytes = 0;
      for (std::size_t i : per_conn[c]) {
        const std::size_t item = keys[i].size() + (values ? (*values)[i].size() : 64);
        if (out.empty() || out.back().conn != flat[c].get() ||
            (bytes + item > options.batch_bytes && !out.back().indices.empty())) {
          out.push_back({flat[c].get(), {}});
          bytes = 0;
        }
        out.back().indices.push_back(i);
        bytes += item;
      }
    }
    return out;
  }

  // Sends every batch of a multi-key write and waits for all acks.
  void write_multi(op code, const std::vector<std::string>& keys,
                   const std::vector<std::string_view>& values, std::string_view updater) {
    if (keys.size() != values.size()) {
      throw error(std::string(proto::op_name(code)) + " with " + std::to_string(keys.size()) +
                  " keys but " + std::to_string(values.size()) + " values");
    }
    const auto until = deadline();
    std::vector<std::pair<connection*, std::uint64_t>> sent;
    for (auto& b : split(keys, &values)) {
      std::vector<std::string_view> k;
      std::vector<std::string_view> v;
      for (std::size_t i : b.indices) {
        k.push_back(keys[i]);
        v.push_back(values[i]);
      }
      std::vector<zmq::message_t> payload;
      payload.push_back(proto::encode_list(k, false));
      payload.push_back(proto::encode_list(v, true));
      if (code == op::update_multi) payload.emplace_back(updater.data(), updater.size());
      sent.emplace_back(b.conn, b.conn->send(code, payload, until));
    }
    for (auto& [c, id] : sent) check(*c, c->await(id, code, until), code);
    traffic.keys_pushed += keys.size();
  }
};

ps_client::ps_client(std::vector<std::string> server_endpoints, client_options options)
    : impl_(std::make_unique<impl>(std::move(server_endpoints), options)) {
  if (impl_->endpoints.empty()) throw error("ps_client needs at least one server endpoint");
  const auto until = impl_->deadline();
  std::vector<std::unique_ptr<connection>> doors;
  std::vector<std::uint64_t> ids;
  for (const auto& endpoint : impl_->endpoints) {
    doors.push_back(
        std::make_unique<connection>(impl_->context, endpoint, impl_->traffic, impl_->options));
    std::vector<zmq::message_t> none;
    ids.push_back(doors.back()->send(op::hello, none, until));
  }
  for (std::size_t s = 0; s < doors.size(); ++s) {
    client::reply r = doors[s]->await(ids[s], op::hello, until);
    impl::check(*doors[s], r, op::hello);
    if (r.payload.size() != 1)
      throw error("server " + impl_->endpoints[s] + " sent a malformed hello");
    auto [ports] = proto::decode_args<std::vector<std::uint16_t>>(r.payload[0]);
    if (ports.empty()) throw error("server " + impl_->endpoints[s] + " reports no threads");
    const std::string& endpoint = impl_->endpoints[s];
    const std::string host = endpoint.substr(0, endpoint.rfind(':'));
    std::vector<connection*> shards;
    impl_->first_of_server.push_back(impl_->flat.size());
    impl_->flat.push_back(std::move(doors[s]));
    shards.push_back(impl_->flat.back().get());
    for (std::size_t t = 1; t < ports.size(); ++t) {
      impl_->flat.push_back(std::make_unique<connection>(
          impl_->context, host + ":" + std::to_string(ports[t]), impl_->traffic, impl_->options));
      shards.push_back(impl_->flat.back().get());
    }
    impl_->servers.push_back(std::move(shards));
  }
}

ps_client::~ps_client() = default;
ps_client::ps_client(ps_client&&) noexcept = default;
ps_client& ps_client::operator=(ps_client&&) noexcept = default;

std::size_t ps_client::server_count() const { return impl_->endpoints.size(); }
const std::string& ps_client::server_endpoint(std::size_t server) const {
  return impl_->endpoints.at(server);
}
std::size_t ps_client::server_of(std::string_view key) const { return impl_->ring.server_of(key); }
const client_options& ps_client::options() const { return impl_->options; }

std::string_view ps_client::require(std::string_view key, std::optional<std::string_view> bytes) {
  if (!bytes) throw key_not_found(std::string(key), impl_->route(key).endpoint());
  return *bytes;
}

bool ps_client::pull_view(std::string_view key,
                          const std::function<void(std::string_view)>& visit) {
  connection& c = impl_->route(key);
  std::vector<zmq::message_t> payload;
  payload.emplace_back(key.data(), key.size());
  client::reply r = impl_->call(c, op::pull, std::move(payload), impl_->deadline());
  if (r.header.st == status::not_found) return false;
  if (r.payload.size() != 1) throw error("server " + c.endpoint() + " sent a malformed pull reply");
  impl_->traffic.keys_pulled += 1;
  visit(proto::view(r.payload[0]));
  return true;
}

std::optional<std::string> ps_client::pull_bytes(std::string_view key) {
  std::optional<std::string> out;
  pull_view(key, [&](std::string_view bytes) { out.emplace(bytes); });
  return out;
}

void ps_client::pull_multi_bytes(
    const std::vector<std::string>& keys,
    const std::function<void(std::size_t, std::optional<std::string_view>)>& visit) {
  const auto until = impl_->deadline();
  auto batches = impl_->split(keys, nullptr);
  std::vector<std::uint64_t> ids;
  for (auto& b : batches) {
    std::vector<std::string_view> k;
    for (std::size_t i : b.indices) k.push_back(keys[i]);
    std::vector<zmq::message_t> payload;
    payload.push_back(proto::encode_list(k, false));
    ids.push_back(b.conn->send(op::pull_multi, payload, until));
  }
  for (std::size_t n = 0; n < batches.size(); ++n) {
    connection& c = *batches[n].conn;
    client::reply r = c.await(ids[n], op::pull_multi, until);
    impl::check(c, r, op::pull_multi);
    if (r.payload.size() != 1)
      throw error("server " + c.endpoint() + " sent a malformed pull_multi reply");
    auto values = proto::decode_list(r.payload[0]);
    if (values.items.size() != batches[n].indices.size()) {
      throw error("server " + c.endpoint() +
                  " answered pull_multi with the wrong number of values");
    }
    impl_->traffic.keys_pulled += values.items.size();
    for (std::size_t j = 0; j < values.items.size(); ++j)
      visit(batches[n].indices[j], values.items[j]);
  }
}

bool ps_client::contains(std::string_view key) {
  connection& c = impl_->route(key);
  std::vector<zmq::message_t> payload;
  payload.emplace_back(key.data(), key.size());
  auto r = impl_->call(c, op::contains, std::move(payload), impl_->deadline());
  return std::get<0>(proto::decode_args<bool>(r.payload.at(0)));
}

void ps_client::push_bytes(std::string_view key, std::string value) {
  connection& c = impl_->route(key);
  std::vector<zmq::message_t> payload;
  payload.emplace_back(key.data(), key.size());
  payload.emplace_back(value.data(), value.size());
  impl_->call(c, op::push, std::move(payload), impl_->deadline());
  impl_->traffic.keys_pushed += 1;
}

void ps_client::push_multi_bytes(const std::vector<std::string>& keys,
                                 std::vector<std::string> values) {
  impl_->write_multi(op::push_multi, keys, {values.begin(), values.end()}, {});
}

void ps_client::write_multi(const std::vector<std::string>& keys, const packed_values& values,
                            const std::string_view* updater) {
  std::vector<std::string_view> views;
  views.reserve(values.ends.size());
  std::size_t start = 0;
  for (std::size_t end : values.ends) {
    views.emplace_back(values.bytes.data() + start, end - start);
    start = end;
  }
  if (updater == nullptr) {
    impl_->write_multi(op::push_multi, keys, views, {});
  } else {
    impl_->write_multi(op::update_multi, keys, views, *updater);
  }
}

bool ps_client::remove(std::string_view key) {
  connection& c = impl_->route(key);
  std::vector<zmq::message_t> payload;
  payload.emplace_back(key.data(), key.size());
  auto r = impl_->call(c, op::remove, std::move(payload), impl_->deadline());
  return std::get<0>(proto::decode_args<bool>(r.payload.at(0)));
}

update_ticket ps_client::update_bytes(std::string_view key, std::string delta,
                                      std::string_view updater) {
  const std::size_t index = impl_->route_index(key);
  connection& c = *impl_->flat[index];
  const auto until = impl_->deadline();
  if (c.async_in_flight() >= impl_->options.max_async_in_flight) {
    c.drain_async(impl_->options.max_async_in_flight / 2, until);
  }
  std::vector<zmq::message_t> payload;
  payload.emplace_back(key.data(), key.size());
  payload.emplace_back(delta.data(), delta.size());
  payload.emplace_back(updater.data(), updater.size());
  const std::uint64_t id = c.send(op::update, payload, until);
  impl_->traffic.keys_pushed += 1;
  c.track_async(id, "update of key '" + std::string(key) + "' with '" + std::string(updater) + "'");
  return {index, id};
}

void ps_client::update_multi_bytes(const std::vector<std::string>& keys,
                                   std::vector<std::string> deltas, std::string_view updater) {
  impl_->write_multi(op::update_multi, keys, {deltas.begin(), deltas.end()}, updater);
}

void ps_client::wait(const update_ticket& ticket) {
  connection& c = *impl_->flat.at(ticket.connection);
  if (c.is_async_pending(ticket.request)) {
    client::reply r = c.await(ticket.request, op::update, impl_->deadline());
    impl::check(c, r, op::update);
  }
  impl_->raise_async_errors();
}

void ps_client::flush() {
  const auto until = impl_->deadline();
  for (auto& c : impl_->flat) c->drain_async(0, until);
  impl_->raise_async_errors();
}

std::int64_t ps_client::incr(std::string_view key, std::int64_t delta) {
  connection& c = impl_->route(key);
  std::vector<zmq::message_t> payload;
  payload.emplace_back(key.data(), key.size());
  payload.push_back(proto::encode_args(delta));
  auto r = impl_->call(c, op::incr, std::move(payload), impl_->deadline());
  impl_->traffic.keys_pushed += 1;
  return std::get<0>(proto::decode_args<std::int64_t>(r.payload.at(0)));
}

std::uint64_t ps_client::remove_filtered(std::string_view filter) {
  const auto until = impl_->deadline();
  std::vector<std::uint64_t> ids;
  for (auto& c : impl_->flat) {
    std::vector<zmq::message_t> payload;
    payload.push_back(proto::encode_args(std::string(filter)));
    ids.push_back(c->send(op::remove_filtered, payload, until));
  }
  std::uint64_t removed = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto r = impl_->flat[i]->await(ids[i], op::remove_filtered, until);
    impl::check(*impl_->flat[i], r, op::remove_filtered);
    removed += std::get<0>(proto::decode_args<std::uint64_t>(r.payload.at(0)));
  }
  return removed;
}

void ps_client::pull_all_bytes(
    std::string_view filter, const std::function<void(std::string_view, std::string_view)>& visit) {
  const auto until = impl_->deadline();
  const std::string filter_name(filter);
  auto request_page = [&](connection& c, std::uint64_t bucket, std::uint64_t buckets) {
    std::vector<zmq::message_t> payload;
    payload.push_back(
        proto::encode_args(bucket, buckets, std::uint64_t{impl_->options.page_bytes}, filter_name));
    return c.send(op::pull_all, payload, until);
  };
  // One page in flight per shard, all shards at once.
  std::vector<std::pair<connection*, std::uint64_t>> active;
  for (auto& c : impl_->flat) active.emplace_back(c.get(), request_page(*c, 0, 0));
  while (!active.empty()) {
    std::vector<std::pair<connection*, std::uint64_t>> next;
    for (auto& [c, id] : active) {
      auto r = c->await(id, op::pull_all, until);
      impl::check(*c, r, op::pull_all);
      if (r.payload.size() != 3)
        throw error("server " + c->endpoint() + " sent a malformed pull_all page");
      auto keys = proto::decode_list(r.payload[0]);
      auto values = proto::decode_list(r.payload[1]);
      if (keys.items.size() != values.items.size()) {
        throw error("server " + c->endpoint() + " sent a pull_all page with unpaired keys");
      }
      impl_->traffic.keys_pulled += keys.items.size();
      for (std::size_t i = 0; i < keys.items.size(); ++i) {
        if (keys.items[i] && values.items[i]) visit(*keys.items[i], *values.items[i]);
      }
      auto [bucket, buckets, done] =
          proto::decode_args<std::uint64_t, std::uint64_t, bool>(r.payload[2]);
      if (!done) next.emplace_back(c, request_page(*c, bucket, buckets));
    }
    active = std::move(next);
  }
}

std::vector<std::pair<std::string, std::string>> ps_client::top_k_bytes(std::size_t k,
                                                                        std::string_view filter) {
  const auto until = impl_->deadline();
  std::vector<std::uint64_t> ids;
  for (auto& c : impl_->flat) {
    std::vector<zmq::message_t> payload;
    payload.push_back(proto::encode_args(std::uint64_t{k}, std::string(filter)));
    ids.push_back(c->send(op::top_k, payload, until));
  }
  struct candidate {
    double score;
    std::string key;
    std::string value;
  };
  std::vector<candidate> all;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    connection& c = *impl_->flat[i];
    auto r = c.await(ids[i], op::top_k, until);
    impl::check(c, r, op::top_k);
    if (r.payload.size() != 2)
      throw error("server " + c.endpoint() + " sent a malformed top_k reply");
    auto keys = proto::decode_list(r.payload[0]);
    auto values = proto::decode_list(r.payload[1]);
    impl_->traffic.keys_pulled += keys.items.size();
    for (std::size_t j = 0; j < keys.items.size() && j < values.items.size(); ++j) {
      if (!keys.items[j] || !values.items[j])
        throw error("server " + c.endpoint() + " sent a malformed top_k reply");
      const std::string value(*values.items[j]);
      all.push_back({decode_stored<double>(value, *keys.items[j], c.endpoint()),
                     std::string(*keys.items[j]), value});
    }
  }
  std::sort(all.begin(), all.end(), [](const candidate& a, const candidate& b) {
    return a.score != b.score ? a.score > b.score : a.key < b.key;
  });
  if (all.size() > k) all.resize(k);
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& c : all) out.emplace_back(std::move(c.key), std::move(c.value));
  return out;
}

// Registries are per server, so one request to each server's first thread suffices.
void ps_client::register_updater(std::string_view file, std::string_view name) {
  impl_->on_every_server(op::register_updater,
                         [&] { return proto::encode_args(std::string(file), std::string(name)); });
}

void ps_client::register_filter(std::string_view file, std::string_view name) {
  impl_->on_every_server(op::register_filter,
                         [&] { return proto::encode_args(std::string(file), std::string(name)); });
}

void ps_client::unregister_updater(std::string_view name) {
  impl_->on_every_server(op::unregister_updater,
                         [&] { return proto::encode_args(std::string(name)); });
}

void ps_client::unregister_filter(std::string_view name) {
  impl_->on_every_server(op::unregister_filter,
                         [&] { return proto::encode_args(std::string(name)); });
}

std::vector<server_stats> ps_client::stats() {
  const auto until = impl_->deadline();
  std::vector<server_stats> out;
  for (std::size_t s = 0; s < impl_->servers.size(); ++s) {
    auto r = impl_->call(*impl_->servers[s][0], op::stats, {}, until);
    server_stats one{impl_->endpoints[s], 0, 0, {}, std::string(proto::view(r.payload.at(0)))};
    try {
      const auto doc = nlohmann::json::parse(one.json);
      one.keys = doc.at("keys").get<std::uint64_t>();
      one.bytes = doc.at("bytes").get<std::uint64_t>();
      for (const auto& [name, counters] : doc.at("ops").items())
        one.ops[name] = counters.at("requests").get<std::uint64_t>();
      one.ops["errors"] = doc.at("errors").get<std::uint64_t>();
      one.ops["zmq_errors"] = doc.at("zmq_errors").get<std::uint64_t>();
    } catch (const nlohmann::json::exception& e) {
      throw error("server " + impl_->endpoints[s] + " sent malformed stats: " + e.what());
    }
    out.push_back(std::move(one));
  }
  return out;
}

const client_traffic& ps_client::traffic() const { return impl_->traffic; }

std::vector<checkpoint_record> ps_client::checkpoint(std::string_view folder, std::int64_t clock) {
  flush();
  // Writing a large shard takes long; a server that dies meanwhile is noticed by the
  // connection's heartbeats, not by this deadline.
  const auto until = clock::now() + std::max<std::chrono::milliseconds>(impl_->options.deadline,
                                                                        std::chrono::hours(1));
  std::vector<std::pair<connection*, std::uint64_t>> sent;
  for (std::size_t s = 0; s < impl_->servers.size(); ++s) {
    for (connection* c : impl_->servers[s]) {
      std::vector<zmq::message_t> payload;
      payload.push_back(
          proto::encode_args(std::string(folder), clock, static_cast<std::int32_t>(s)));
      sent.emplace_back(c, c->send(op::checkpoint, payload, until));
    }
  }
  std::vector<checkpoint_record> out;
  for (auto [c, id] : sent) {
    auto r = c->await(id, op::checkpoint, until);
    impl::check(*c, r, op::checkpoint);
    auto [file, bytes, xxh3, keys] =
        proto::decode_args<std::string, std::uint64_t, std::string, std::uint64_t>(r.payload.at(0));
    out.push_back({std::move(file), bytes, std::move(xxh3), keys});
  }
  return out;
}

}  // namespace paracel

namespace paracel {

namespace {

// A clock op's payload: the table's name, then its arguments.
template <class... Args>
std::vector<zmq::message_t> clock_payload(std::string_view table, const Args&... args) {
  std::vector<zmq::message_t> payload;
  payload.emplace_back(table.data(), table.size());
  payload.push_back(proto::encode_args(args...));
  return payload;
}

}  // namespace

void ps_client::clock_register(std::string_view table, int workers, int worker, std::int64_t total,
                               std::int64_t start) {
  // The start clock is a fourth argument only when set, so that requests stay what older
  // servers understand.
  auto payload =
      start < 0 ? clock_payload(table, std::int32_t{workers}, std::int32_t{worker}, total)
                : clock_payload(table, std::int32_t{workers}, std::int32_t{worker}, total, start);
  impl_->call(*impl_->servers[0][0], op::clock_register, std::move(payload), impl_->deadline());
}

std::int64_t ps_client::clock_commit(std::string_view table, int worker) {
  flush();  // a commit promises that this worker's updates are applied
  auto r = impl_->call(*impl_->servers[0][0], op::clock_commit,
                       clock_payload(table, std::int32_t{worker}), impl_->deadline());
  return std::get<0>(proto::decode_args<std::int64_t>(r.payload.at(0)));
}

std::int64_t ps_client::clock_wait(std::string_view table, std::int64_t target,
                                   std::chrono::milliseconds timeout) {
  connection& host = *impl_->servers[0][0];
  auto payload = clock_payload(table, target, static_cast<std::int64_t>(timeout.count()));
  // The server answers at its own deadline; ours only covers a server that died meanwhile.
  const auto until = clock::now() + timeout + impl_->options.deadline;
  const std::uint64_t id = host.send(op::clock_wait, payload, until);
  client::reply r = host.await(id, op::clock_wait, until);
  if (r.header.st == status::deadline_exceeded) {
    const std::string message = r.payload.empty() ? "" : std::string(proto::view(r.payload[0]));
    throw timeout_error("SSP wait on server " + host.endpoint() + ": " + message);
  }
  impl::check(host, r, op::clock_wait);
  return std::get<0>(proto::decode_args<std::int64_t>(r.payload.at(0)));
}

void ps_client::clock_finish(std::string_view table, int worker) {
  impl_->call(*impl_->servers[0][0], op::clock_finish, clock_payload(table, std::int32_t{worker}),
              impl_->deadline());
}

}  // namespace paracel
