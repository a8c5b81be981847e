#include "server/request_handler.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <queue>
#include <string>

#include "paracel/builtin.hpp"
#include "server/shard_checkpoint.hpp"
#include "server/value_ops.hpp"

namespace paracel::server {

namespace {

using proto::op;
using proto::protocol_error;

// A failure that becomes an error reply.
[[noreturn]] void fail(status code, const std::string& message) {
  throw status_error(code, message);
}

void expect_frames(std::span<zmq::message_t> payload, std::size_t count, op code) {
  if (payload.size() != count) {
    fail(status::bad_request, std::string(proto::op_name(code)) + " expects " +
                                  std::to_string(count) + " payload frame(s), got " +
                                  std::to_string(payload.size()));
  }
}

std::shared_ptr<const plugin> find_plugin(handler_context& ctx, plugin_kind kind,
                                          std::string_view name) {
  auto found = ctx.registry.find(kind, name);
  if (!found) {
    fail(status::plugin_error, std::string(kind == plugin_kind::updater ? "updater" : "filter") +
                                   " '" + std::string(name) +
                                   "' is not registered on this server; register it first");
  }
  return found;
}

// Empty name = keep every key; paracel::prefix_filter names a built-in one.
shard::key_predicate make_filter(handler_context& ctx, std::string_view name) {
  if (name.empty()) return [](std::string_view) { return true; };
  if (name.starts_with(k_prefix_filter)) {
    return [prefix = std::string(name.substr(k_prefix_filter.size()))](std::string_view key) {
      return key.starts_with(prefix);
    };
  }
  auto filter = find_plugin(ctx, plugin_kind::filter, name);
  return [filter, &stats = ctx.own_stats](std::string_view key) {
    stats.filter_calls.fetch_add(1, std::memory_order_relaxed);
    const int verdict = filter->entry->filter(key.data(), key.size());
    if (verdict < 0) {
      stats.filter_errors.fetch_add(1, std::memory_order_relaxed);
      fail(status::plugin_error,
           "filter '" + filter->name + "' threw on key '" + std::string(key) + "'");
    }
    return verdict == 1;
  };
}

void apply_update(handler_context& ctx, const plugin& updater, std::string_view key,
                  std::string_view delta) {
  std::string* slot = ctx.own_shard.find_mutable(key);
  if (slot == nullptr) {
    ctx.own_shard.put(key, delta);
    return;
  }
  ctx.own_stats.updater_calls.fetch_add(1, std::memory_order_relaxed);
  // In place keeps the size, so the shard's byte accounting is unchanged.
  if (updater.in_place != nullptr && updater.in_place(*slot, delta)) return;
  std::string result;
  std::string error_text;
  const status code = run_updater(updater, *slot, delta, result, error_text);
  if (code != status::ok) {
    ctx.own_stats.updater_errors.fetch_add(1, std::memory_order_relaxed);
    fail(code, "updater '" + updater.name + "' on key '" + std::string(key) + "': " + error_text);
  }
  ctx.own_shard.replace(*slot, std::move(result));
}

void on_hello(handler_context& ctx, std::span<zmq::message_t>, std::vector<zmq::message_t>& out) {
  out.push_back(proto::encode_args(ctx.ports));
}

void on_pull(handler_context& ctx, std::span<zmq::message_t> in, std::vector<zmq::message_t>& out) {
  expect_frames(in, 1, op::pull);
  const std::string_view key = proto::view(in[0]);
  const std::string* value = ctx.own_shard.find(key);
  if (value == nullptr) fail(status::not_found, "key '" + std::string(key) + "' not found");
  out.emplace_back(value->data(), value->size());
}

void on_pull_multi(handler_context& ctx, std::span<zmq::message_t> in,
                   std::vector<zmq::message_t>& out) {
  expect_frames(in, 1, op::pull_multi);
  const proto::list_view keys = proto::decode_list(in[0]);
  std::vector<std::optional<std::string_view>> values;
  values.reserve(keys.items.size());
  for (const auto& key : keys.items) {
    if (!key) fail(status::bad_request, "pull_multi: a key is nil");
    const std::string* value = ctx.own_shard.find(*key);
    values.push_back(value ? std::optional<std::string_view>(*value) : std::nullopt);
  }
  out.push_back(proto::encode_optional_list(values));
}

void on_push(handler_context& ctx, std::span<zmq::message_t> in, std::vector<zmq::message_t>&) {
  expect_frames(in, 2, op::push);
  ctx.own_shard.put(proto::view(in[0]), proto::view(in[1]));
}

// Keys and values of a multi-key write, checked to pair up.
std::pair<proto::list_view, proto::list_view> decode_pairs(std::span<zmq::message_t> in, op code) {
  auto keys = proto::decode_list(in[0]);
  auto values = proto::decode_list(in[1]);
  if (keys.items.size() != values.items.size()) {
    fail(status::bad_request, std::string(proto::op_name(code)) + ": " +
                                  std::to_string(keys.items.size()) + " keys but " +
                                  std::to_string(values.items.size()) + " values");
  }
  for (std::size_t i = 0; i < keys.items.size(); ++i) {
    if (!keys.items[i] || !values.items[i]) {
      fail(status::bad_request,
           std::string(proto::op_name(code)) + ": item " + std::to_string(i) + " is nil");
    }
  }
  return {std::move(keys), std::move(values)};
}

void on_push_multi(handler_context& ctx, std::span<zmq::message_t> in,
                   std::vector<zmq::message_t>&) {
  expect_frames(in, 2, op::push_multi);
  auto [keys, values] = decode_pairs(in, op::push_multi);
  for (std::size_t i = 0; i < keys.items.size(); ++i)
    ctx.own_shard.put(*keys.items[i], *values.items[i]);
}

void on_update(handler_context& ctx, std::span<zmq::message_t> in, std::vector<zmq::message_t>&) {
  expect_frames(in, 3, op::update);
  auto updater = find_plugin(ctx, plugin_kind::updater, proto::view(in[2]));
  apply_update(ctx, *updater, proto::view(in[0]), proto::view(in[1]));
}

// Not atomic: on an error the keys before the failing one stay updated (the error names it).
void on_update_multi(handler_context& ctx, std::span<zmq::message_t> in,
                     std::vector<zmq::message_t>&) {
  expect_frames(in, 3, op::update_multi);
  auto updater = find_plugin(ctx, plugin_kind::updater, proto::view(in[2]));
  auto [keys, deltas] = decode_pairs(in, op::update_multi);
  for (std::size_t i = 0; i < keys.items.size(); ++i) {
    apply_update(ctx, *updater, *keys.items[i], *deltas.items[i]);
  }
}

void on_contains(handler_context& ctx, std::span<zmq::message_t> in,
                 std::vector<zmq::message_t>& out) {
  expect_frames(in, 1, op::contains);
  out.push_back(proto::encode_args(ctx.own_shard.find(proto::view(in[0])) != nullptr));
}

void on_remove(handler_context& ctx, std::span<zmq::message_t> in,
               std::vector<zmq::message_t>& out) {
  expect_frames(in, 1, op::remove);
  out.push_back(proto::encode_args(ctx.own_shard.erase(proto::view(in[0]))));
}

void on_pull_all(handler_context& ctx, std::span<zmq::message_t> in,
                 std::vector<zmq::message_t>& out) {
  expect_frames(in, 1, op::pull_all);
  auto [bucket, bucket_count, max_bytes, filter_name] =
      proto::decode_args<std::uint64_t, std::uint64_t, std::uint64_t, std::string>(in[0]);
  auto keep = make_filter(ctx, filter_name);
  std::vector<std::string_view> keys;
  std::vector<std::string_view> values;
  auto next = ctx.own_shard.scan({bucket, bucket_count}, std::max<std::uint64_t>(max_bytes, 1),
                                 [&](const std::string& k, const std::string& v) {
                                   if (!keep(k)) return;
                                   keys.push_back(k);
                                   values.push_back(v);
                                 });
  out.push_back(proto::encode_list(keys, false));
  out.push_back(proto::encode_list(values, true));
  out.push_back(next ? proto::encode_args(next->bucket, next->bucket_count, false)
                     : proto::encode_args(std::uint64_t{0}, std::uint64_t{0}, true));
}

void on_remove_filtered(handler_context& ctx, std::span<zmq::message_t> in,
                        std::vector<zmq::message_t>& out) {
  expect_frames(in, 1, op::remove_filtered);
  auto [filter_name] = proto::decode_args<std::string>(in[0]);
  if (filter_name.empty()) fail(status::bad_request, "remove_filtered needs a filter name");
  out.push_back(proto::encode_args(ctx.own_shard.erase_if(make_filter(ctx, filter_name))));
}

void on_top_k(handler_context& ctx, std::span<zmq::message_t> in,
              std::vector<zmq::message_t>& out) {
  expect_frames(in, 1, op::top_k);
  const auto [wanted, filter_name] = proto::decode_args<std::uint64_t, std::string>(in[0]);
  const std::uint64_t k = wanted;  // a plain variable: C++17 lambdas cannot capture bindings
  auto keep = make_filter(ctx, filter_name);
  // Min-heap of the best k so far: worst on top (smallest score, then largest key).
  using entry = std::pair<double, const std::string*>;
  auto better = [](const entry& a, const entry& b) {
    return a.first != b.first ? a.first > b.first : *a.second < *b.second;
  };
  std::priority_queue<entry, std::vector<entry>, decltype(better)> heap(better);
  std::vector<std::pair<const std::string*, const std::string*>> values;
  ctx.own_shard.for_each([&](const std::string& key, const std::string& value) {
    if (k == 0 || !keep(key)) return;
    const auto score = numeric_value(value);
    if (!score)
      fail(status::type_mismatch, "top_k: the value of key '" + key + "' is not a number");
    if (heap.size() < k) {
      heap.emplace(*score, &key);
    } else if (better(entry{*score, &key}, heap.top())) {
      heap.pop();
      heap.emplace(*score, &key);
    }
  });
  std::vector<entry> best;
  while (!heap.empty()) {
    best.push_back(heap.top());
    heap.pop();
  }
  std::reverse(best.begin(), best.end());
  std::vector<std::string_view> keys;
  std::vector<std::string_view> vals;
  for (const auto& [score, key] : best) {
    keys.push_back(*key);
    vals.push_back(*ctx.own_shard.find(*key));
  }
  out.push_back(proto::encode_list(keys, false));
  out.push_back(proto::encode_list(vals, true));
}

void on_incr(handler_context& ctx, std::span<zmq::message_t> in, std::vector<zmq::message_t>& out) {
  expect_frames(in, 2, op::incr);
  const std::string_view key = proto::view(in[0]);
  auto [delta] = proto::decode_args<std::int64_t>(in[1]);
  std::int64_t value = delta;
  if (std::string* slot = ctx.own_shard.find_mutable(key)) {
    std::int64_t old = 0;
    try {
      old = decode<std::int64_t>(*slot);
    } catch (const std::exception&) {
      fail(status::type_mismatch,
           "incr: the value of key '" + std::string(key) + "' is not an integer");
    }
    if (__builtin_add_overflow(old, delta, &value)) {
      fail(status::type_mismatch, "incr: counter '" + std::string(key) + "' would overflow");
    }
    ctx.own_shard.replace(*slot, encode(value));
  } else {
    ctx.own_shard.put(key, encode(value));
  }
  out.push_back(proto::encode_args(value));
}

void on_register(handler_context& ctx, plugin_kind kind, std::span<zmq::message_t> in) {
  expect_frames(in, 1, kind == plugin_kind::updater ? op::register_updater : op::register_filter);
  auto [file, name] = proto::decode_args<std::string, std::string>(in[0]);
  ctx.registry.add(kind, file, name);
}

void on_unregister(handler_context& ctx, plugin_kind kind, std::span<zmq::message_t> in,
                   std::vector<zmq::message_t>& out) {
  expect_frames(in, 1,
                kind == plugin_kind::updater ? op::unregister_updater : op::unregister_filter);
  auto [name] = proto::decode_args<std::string>(in[0]);
  out.push_back(proto::encode_args(ctx.registry.remove(kind, name)));
}

void on_stats(handler_context& ctx, std::span<zmq::message_t>, std::vector<zmq::message_t>& out) {
  const std::string text = stats_json(ctx.counters, ctx.all_shards, ctx.endpoint);
  out.emplace_back(text.data(), text.size());
}

void on_clock(handler_context& ctx, const proto::header& h, std::span<zmq::message_t> in,
              std::vector<zmq::message_t>& out) {
  if (ctx.clocks == nullptr) {
    fail(status::bad_request,
         std::string(proto::op_name(h.code)) + " must go to the server's endpoint (its thread 0)");
  }
  if (!ctx.clocks->handle(h, ctx.identity, in, out, *ctx.outbox)) out.clear();  // parked
}

void on_checkpoint(handler_context& ctx, std::span<zmq::message_t> in,
                   std::vector<zmq::message_t>& out) {
  expect_frames(in, 1, op::checkpoint);
  auto [folder, clock, server] = proto::decode_args<std::string, std::int64_t, std::int32_t>(in[0]);
  const auto record = write_shard_checkpoint(ctx, folder, clock, server);
  out.push_back(proto::encode_args(record.file, record.bytes, record.xxh3, record.keys));
}

void dispatch(handler_context& ctx, const proto::header& h, std::span<zmq::message_t> in,
              std::vector<zmq::message_t>& out) {
  const op code = h.code;
  switch (code) {
    case op::hello:
      return on_hello(ctx, in, out);
    case op::pull:
      return on_pull(ctx, in, out);
    case op::pull_multi:
      return on_pull_multi(ctx, in, out);
    case op::push:
      return on_push(ctx, in, out);
    case op::push_multi:
      return on_push_multi(ctx, in, out);
    case op::update:
      return on_update(ctx, in, out);
    case op::update_multi:
      return on_update_multi(ctx, in, out);
    case op::contains:
      return on_contains(ctx, in, out);
    case op::remove:
      return on_remove(ctx, in, out);
    case op::pull_all:
      return on_pull_all(ctx, in, out);
    case op::remove_filtered:
      return on_remove_filtered(ctx, in, out);
    case op::top_k:
      return on_top_k(ctx, in, out);
    case op::incr:
      return on_incr(ctx, in, out);
    case op::register_updater:
      return on_register(ctx, plugin_kind::updater, in);
    case op::unregister_updater:
      return on_unregister(ctx, plugin_kind::updater, in, out);
    case op::register_filter:
      return on_register(ctx, plugin_kind::filter, in);
    case op::unregister_filter:
      return on_unregister(ctx, plugin_kind::filter, in, out);
    case op::stats:
      return on_stats(ctx, in, out);
    case op::clock_register:
    case op::clock_commit:
    case op::clock_wait:
    case op::clock_finish:
      return on_clock(ctx, h, in, out);
    case op::checkpoint:
      return on_checkpoint(ctx, in, out);
    case op::end_:
      break;
  }
  fail(status::unknown_op, "unknown opcode");
}

void error_reply(proto::header h, status code, const std::string& message,
                 std::vector<zmq::message_t>& reply) {
  reply.clear();
  h.st = code;
  h.version = proto::k_version;
  reply.push_back(proto::encode_header(h));
  reply.emplace_back(message.data(), message.size());
}

}  // namespace

void handle_request(handler_context& ctx, std::span<zmq::message_t> request,
                    std::vector<zmq::message_t>& reply) {
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t bytes_in = 0;
  for (const auto& frame : request) bytes_in += frame.size();
  reply.clear();
  proto::header h;
  std::size_t counted_as = 0;  // "unreadable" in stats until the header is read
  bool failed = true;
  try {
    if (request.empty()) fail(status::bad_request, "empty message");
    h = proto::decode_header(request[0]);  // first, so that every error reply echoes the id
    counted_as = static_cast<std::size_t>(h.code);
    if (bytes_in > ctx.max_request_bytes) {
      fail(status::too_large, "request of " + std::to_string(bytes_in) +
                                  " bytes exceeds the server's limit of " +
                                  std::to_string(ctx.max_request_bytes) + " (--max_request_bytes)");
    }
    if (h.st != status::ok) fail(status::bad_request, "a request must carry status ok");
    reply.push_back(proto::encode_header(h));
    dispatch(ctx, h, request.subspan(1), reply);
    failed = false;
  } catch (const protocol_error& e) {
    if (e.partial()) {
      h = *e.partial();
      counted_as = static_cast<std::size_t>(h.code);  // thread_stats clamps an unknown op to 0
    }
    error_reply(h, e.code(), e.what(), reply);
  } catch (const status_error& e) {
    error_reply(h, e.code(), e.what(), reply);
  } catch (const std::bad_alloc&) {
    error_reply(h, status::internal_error, "out of memory while serving the request", reply);
  } catch (const std::exception& e) {
    error_reply(h, status::internal_error, std::string("internal error: ") + e.what(), reply);
  }
  std::uint64_t bytes_out = 0;
  for (const auto& frame : reply) bytes_out += frame.size();
  ctx.own_stats.record(counted_as, bytes_in, bytes_out, std::chrono::steady_clock::now() - started,
                       failed);
}

}  // namespace paracel::server
