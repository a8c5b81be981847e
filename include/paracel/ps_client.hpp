// The parameter-server client: typed access to the global key-value store that is sharded
// over the servers by consistent hashing (paracel/ring.hpp).
//
//   paracel::ps_client ps({"tcp://127.0.0.1:5000", "tcp://127.0.0.1:5001"});
//   ps.push("w", std::vector<double>(10, 0.0));
//   ps.bupdate("w", grad, paracel::builtin::add);          // blocking, server-side add
//   auto w = ps.pull<std::vector<double>>("w");
//
// Every call has a deadline (client_options::deadline): a server that does not answer in
// time raises paracel::timeout_error naming its endpoint and the operation; a server error
// raises paracel::server_error (a missing key in pull: paracel::key_not_found); a typed read
// of a value stored as another type raises paracel::type_error.
// Each server thread owns a shard of the server's keys, and the client keeps one pipelined
// ZeroMQ DEALER connection per server thread. Multi-key calls are split per shard and sent
// to all of them before any reply is awaited.
//
// Thread-safety: a ps_client is not thread-safe (like a ZeroMQ socket). Use one per thread;
// clients are independent and cheap enough to create per thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "paracel/builtin.hpp"
#include "paracel/checkpoint.hpp"
#include "paracel/codec.hpp"
#include "paracel/curve.hpp"
#include "paracel/error.hpp"

namespace paracel {

struct client_options {
  // Upper bound on every call, from its start to its last reply.
  std::chrono::milliseconds deadline{30000};
  // Async updates allowed in flight per server thread before update() waits for acks.
  std::size_t max_async_in_flight = 512;
  // Multi-key requests are cut into messages of about this many bytes.
  std::size_t batch_bytes = 4u << 20;
  // Page size asked for by pull_all / read_special.
  std::size_t page_bytes = 4u << 20;
  // Secure servers (docs/security.md): this client's CURVE key pair and the servers' public
  // key. Unset: plain TCP.
  std::optional<curve_client_keys> curve;
  // ZeroMQ heartbeats on every connection. A server that answers none for heartbeat_timeout
  // (stopped, hung, its host or the network gone) has its connection dropped, and the calls
  // waiting on it fail at once with timeout_error instead of at their deadline; the server
  // likewise drops a client that vanished. An interval of zero turns heartbeats off.
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds heartbeat_timeout{10000};
};

// Per-server counters reported by the stats operation.
struct server_stats {
  std::string endpoint;
  std::uint64_t keys = 0;
  std::uint64_t bytes = 0;  // keys plus values
  // Operation name -> requests served; also "errors" (replies that were not ok) and
  // "zmq_errors" (messages lost to ZeroMQ failures).
  std::map<std::string, std::uint64_t> ops;
  std::string json;  // everything the server reports (docs/observability.md)
};

// What this client sent and received since it was made (see ps_client::traffic).
struct client_traffic {
  std::uint64_t requests = 0;
  std::uint64_t bytes_sent = 0;      // request frames
  std::uint64_t bytes_received = 0;  // reply frames
  std::uint64_t keys_pulled = 0;     // values received by reads (pull, pull_multi, pull_all, top_k)
  std::uint64_t keys_pushed = 0;     // values sent by writes and updates (one per key)
  std::chrono::nanoseconds blocked{0};  // time spent waiting for replies
};

// Identifies an asynchronous update so that the caller can wait for it.
struct update_ticket {
  std::size_t connection = 0;
  std::uint64_t request = 0;
};

class PARACEL_EXPORT ps_client {
 public:
  // Connects to every server (a "hello" round trip each) within options.deadline.
  explicit ps_client(std::vector<std::string> server_endpoints, client_options options = {});
  ~ps_client();
  ps_client(ps_client&&) noexcept;
  ps_client& operator=(ps_client&&) noexcept;

  std::size_t server_count() const;
  const std::string& server_endpoint(std::size_t server) const;
  std::size_t server_of(std::string_view key) const;
  const client_options& options() const;

  // ---- reads -----------------------------------------------------------------------
  // The value of `key`; throws key_not_found when no server holds it.
  template <class T>
  T pull(std::string_view key) {
    T out{};
    if (!pull_view(key, [&](std::string_view bytes) { out = decode_at<T>(key, bytes); }))
      require(key, std::nullopt);
    return out;
  }
  // The value of `key`, or nullopt when it does not exist.
  template <class T>
  std::optional<T> try_pull(std::string_view key) {
    std::optional<T> out;
    pull_view(key, [&](std::string_view bytes) { out = decode_at<T>(key, bytes); });
    return out;
  }
  // Values of `keys` in the same order; throws key_not_found if any is missing.
  template <class T>
  std::vector<T> pull_multi(const std::vector<std::string>& keys) {
    std::vector<T> out(keys.size());
    pull_multi(keys, out);
    return out;
  }
  // As above, into `out` (resized to keys.size()), reusing its rows' storage: pulling rows of
  // the same sizes again, as a training loop does, allocates nothing per row.
  template <class T>
  void pull_multi(const std::vector<std::string>& keys, std::vector<T>& out) {
    out.resize(keys.size());
    pull_multi_bytes(keys, [&](std::size_t i, std::optional<std::string_view> bytes) {
      decode_at_into(keys[i], require(keys[i], bytes), out[i]);
    });
  }
  bool contains(std::string_view key);

  // Every key-value pair of the store, fetched in pages of about options.page_bytes. With a
  // filter (a registered filter's name) only the keys it keeps. A key written concurrently
  // may or may not be seen; any other key is seen exactly once.
  template <class T>
  std::unordered_map<std::string, T> pull_all(std::string_view filter = {}) {
    std::unordered_map<std::string, T> out;
    pull_all_bytes(filter, [&](std::string_view k, std::string_view v) {
      out.insert_or_assign(std::string(k), decode_at<T>(k, v));
    });
    return out;
  }
  // The k pairs with the largest numeric values (int or double), largest first, ties by key.
  // Each server computes its own top k; the client merges them.
  template <class T>
  std::vector<std::pair<std::string, T>> top_k(std::size_t k, std::string_view filter = {}) {
    std::vector<std::pair<std::string, T>> out;
    for (auto& [key, value] : top_k_bytes(k, filter)) {
      out.emplace_back(key, decode_at<T>(key, value));
    }
    return out;
  }

  // ---- writes ----------------------------------------------------------------------
  template <class T>
  void push(std::string_view key, const T& value) {
    push_bytes(key, encode(value));
  }
  template <class T>
  void push_multi(const std::vector<std::string>& keys, const std::vector<T>& values) {
    write_multi(keys, encode_all(keys, values), nullptr);
  }
  // Removes `key`; returns whether it existed.
  bool remove(std::string_view key);
  // Removes every key the registered filter keeps; returns how many were removed.
  std::uint64_t remove_filtered(std::string_view filter);

  // ---- server-side updates -----------------------------------------------------------
  // Applies updater(old, delta) on the server without waiting for it; errors surface at the
  // next wait()/flush() or blocking call. A missing key takes `delta` as its value.
  template <class T>
  update_ticket update(std::string_view key, const T& delta, std::string_view updater) {
    return update_bytes(key, encode(delta), updater);
  }
  template <class T>
  update_ticket update(std::string_view key, const T& delta, builtin op) {
    return update(key, delta, builtin_updater<T>(op));
  }
  // As update(), and returns once the server has applied it.
  template <class T>
  void bupdate(std::string_view key, const T& delta, std::string_view updater) {
    wait(update(key, delta, updater));
  }
  template <class T>
  void bupdate(std::string_view key, const T& delta, builtin op) {
    bupdate(key, delta, builtin_updater<T>(op));
  }
  // Applies one updater to many keys; returns once all are applied.
  template <class T>
  void bupdate_multi(const std::vector<std::string>& keys, const std::vector<T>& deltas,
                     std::string_view updater) {
    write_multi(keys, encode_all(keys, deltas), &updater);
  }
  template <class T>
  void bupdate_multi(const std::vector<std::string>& keys, const std::vector<T>& deltas,
                     builtin op) {
    bupdate_multi(keys, deltas, builtin_updater<T>(op));
  }
  // Adds `delta` to the integer counter `key` (created at 0) and returns its new value.
  std::int64_t incr(std::string_view key, std::int64_t delta = 1);

  // Waits for one asynchronous update / for all of them. Throws the first error among them.
  void wait(const update_ticket& ticket);
  void flush();

  // ---- plugins (registered on every server) -------------------------------------------
  // `file` is a library name found in the servers' plugin directories, or a path inside one.
  void register_updater(std::string_view file, std::string_view name);
  void register_filter(std::string_view file, std::string_view name);
  void unregister_updater(std::string_view name);
  void unregister_filter(std::string_view name);

  std::vector<server_stats> stats();
  // Has every thread of every server write its shard into <its --checkpoint_dir>/<folder>
  // (docs/checkpoints.md), all at once; returns the files' records, server-major. The
  // caller makes sure that no update is in flight meanwhile (paralg's checkpoint does).
  std::vector<checkpoint_record> checkpoint(std::string_view folder, std::int64_t clock);
  // Counters of this client's own traffic; cheap (no request).
  const client_traffic& traffic() const;

  // ---- SSP clocks (clock tables on server 0; see docs/protocol.md) ---------------------
  // A table is named, so that several algorithms (or jobs) sharing servers keep apart
  // clocks; paralg makes one per instance. It is dropped when all its workers finished.
  // Declares `worker` of `workers` (every worker does, with the same count); `total` is its
  // last clock, after which it no longer holds others back (-1: unknown).
  // `start` >= 0 sets the worker's clock (a job resumed from a checkpoint at that clock).
  void clock_register(std::string_view table, int workers, int worker, std::int64_t total = -1,
                      std::int64_t start = -1);
  // Advances the worker's clock (after flushing this client's pending updates, so that its
  // updates are applied before the clock moves); returns the minimum clock afterwards.
  std::int64_t clock_commit(std::string_view table, int worker);
  // Blocks until the minimum clock is >= target, and returns it. Throws timeout_error naming
  // the slowest worker when `timeout` passes first.
  std::int64_t clock_wait(std::string_view table, std::int64_t target,
                          std::chrono::milliseconds timeout);
  // The worker is done: it no longer holds the others back.
  void clock_finish(std::string_view table, int worker);

  // ---- byte-level API (values as produced by paracel::encode) --------------------------
  std::optional<std::string> pull_bytes(std::string_view key);
  // Calls visit(value) with the reply read in place (no copy); false when `key` is missing.
  bool pull_view(std::string_view key, const std::function<void(std::string_view)>& visit);
  // Calls visit(index into keys, value or nullopt) once per key, reading the reply in place.
  void pull_multi_bytes(
      const std::vector<std::string>& keys,
      const std::function<void(std::size_t, std::optional<std::string_view>)>& visit);
  void push_bytes(std::string_view key, std::string value);
  void push_multi_bytes(const std::vector<std::string>& keys, std::vector<std::string> values);
  update_ticket update_bytes(std::string_view key, std::string delta, std::string_view updater);
  void update_multi_bytes(const std::vector<std::string>& keys, std::vector<std::string> deltas,
                          std::string_view updater);
  void pull_all_bytes(std::string_view filter,
                      const std::function<void(std::string_view, std::string_view)>& visit);
  std::vector<std::pair<std::string, std::string>> top_k_bytes(std::size_t k,
                                                               std::string_view filter);

 private:
  struct impl;

  std::string_view require(std::string_view key, std::optional<std::string_view> bytes);
  // decode<T> of the value of `key`; another type raises type_error naming its server
  // (looked up only then: it costs a hash of the key).
  template <class T>
  void decode_at_into(std::string_view key, std::string_view bytes, T& out) {
    try {
      decode_into(bytes, out);
      return;
    } catch (const msgpack::type_error&) {
    } catch (const msgpack::unpack_error&) {
    }
    decode_stored_into(bytes, key, server_endpoint(server_of(key)), out);  // throws type_error
  }
  template <class T>
  T decode_at(std::string_view key, std::string_view bytes) {
    T out{};
    decode_at_into(key, bytes, out);
    return out;
  }
  // Values encoded back to back in one buffer: a multi-key write of n values makes one
  // allocation (amortised), not n.
  struct packed_values {
    std::string bytes;
    std::vector<std::size_t> ends;  // where each value ends in `bytes`
  };
  template <class T>
  static packed_values encode_all(const std::vector<std::string>& keys,
                                  const std::vector<T>& values) {
    if (keys.size() != values.size())
      throw error("multi-key call with " + std::to_string(keys.size()) + " keys but " +
                  std::to_string(values.size()) + " values");
    packed_values out;
    out.ends.reserve(values.size());
    for (const auto& v : values) {
      encode_append(out.bytes, v);
      out.ends.push_back(out.bytes.size());
    }
    return out;
  }
  // push_multi (no updater) or bupdate_multi (`updater`) of packed values.
  void write_multi(const std::vector<std::string>& keys, const packed_values& values,
                   const std::string_view* updater);

  std::unique_ptr<impl> impl_;
};

}  // namespace paracel
