// paralg: the base class of every Paracel algorithm. Subclass it, override solve(), and use
// the parameter server as "pull parameters before learning, push updates after learning":
//
//   class word_count : public paracel::paralg {
//    public:
//     using paralg::paralg;
//     void solve() override {
//       std::unordered_map<std::string, std::int64_t> counts;
//       for (auto& line : paracel_load(input_)) ...            // this worker's share
//       paracel_bupdate_multi(keys, deltas, paracel::builtin::add);
//       paracel_sync();                                       // all workers' updates applied
//       auto top = paracel_read_topk<std::int64_t>(10);
//     }
//   };
//
//   int main(int argc, char** argv) {
//     paracel::mpi_environment env(argc, argv);
//     word_count job(paracel::paralg_options::from_args(argc, argv));
//     job.solve();
//   }
//
// The method names keep the original Paracel spelling so that its algorithms port with little
// change. Each worker (MPI rank) owns one paralg; it is not thread-safe. Members marked
// "collective" must be called by every worker, in the same order.
//
// Bounded staleness (SSP). Each worker has a clock, advanced by iter_commit(); a clock table
// on server 0 knows every worker's clock. With staleness s >= 0 a worker at clock c reads
// values that include every update made by every worker at clocks <= c - s - 1:
//   - a read is served from this worker's cache when the cached value already does (it was
//     fetched when the slowest worker had reached clock c - s or later);
//   - otherwise the read blocks until the slowest worker reaches clock c - s (one request,
//     answered by the clock server when that happens: no polling), then fetches the value.
// s = 0 is BSP; s < 0 is fully asynchronous: reads never wait and always fetch. A worker's
// own writes, updates and removes are visible to its own later reads at once. paracel_sync()
// (all workers' updates applied) empties the cache. set_total_iters(n) tells the clock
// server that this worker stops after n clocks, so that it then no longer holds the others
// back; so does destroying the paralg. A wait longer than options.clock_timeout (a worker
// died or hangs) throws timeout_error naming the slowest worker and its clock.
#pragma once

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "paracel/checkpoint.hpp"
#include "paracel/comm.hpp"
#include "paracel/dump.hpp"
#include "paracel/export.hpp"
#include "paracel/graph.hpp"
#include "paracel/libsvm.hpp"
#include "paracel/load.hpp"
#include "paracel/metrics.hpp"
#include "paracel/ps_client.hpp"
#include "paracel/structured_load.hpp"

namespace paracel {

class ssp_reader;     // the worker side of SSP (internal)
class iteration_log;  // the per-iteration metrics file (internal)

struct PARACEL_EXPORT paralg_options {
  // Server endpoints. Empty: taken from the PARACEL_SERVER_INFO environment variable, which
  // prun.py sets.
  std::vector<std::string> servers;
  std::string output;  // folder for dumps; created (collectively) when set
  int staleness = 0;   // SSP bound: 0 = BSP, s > 0 = SSP, negative = asynchronous
  // How long a read may wait for the slowest worker before timeout_error.
  std::chrono::milliseconds clock_timeout = std::chrono::minutes(10);
  client_options client;  // deadlines and batching of the parameter-server client
  // Per-iteration metrics: one JSON line per iter_commit in <output>/metrics/worker-<k>.jsonl
  // (docs/observability.md); prun.py's progress line reads them. PARACEL_METRICS=off in the
  // environment turns them off too.
  bool iteration_metrics = true;
  // Checkpoints (docs/checkpoints.md, paracel/checkpoint.hpp). The folder, shared by the
  // workers and the servers (which need --checkpoint_dir with the same folder), and a
  // checkpoint every so many clocks (0: only on paracel_checkpoint()); the newest
  // `checkpoint_keep` complete ones are kept. With `resume`, the paralg starts from the
  // folder's newest complete checkpoint: the servers get its model, get_current_iter() its
  // clock and resumed_state() this worker's saved state.
  std::string checkpoint_dir;
  int checkpoint_every = 0;
  int checkpoint_keep = 2;
  bool resume = false;

  // Reads --server_info=E1,E2 (as prun.py passes it), --output=DIR, --checkpoint_dir=DIR,
  // --checkpoint_every=K, --checkpoint_keep=K and --resume from argv, falling back to the
  // environment. Unrelated arguments are left alone.
  static paralg_options from_args(int argc, char** argv);
};

// What SSP did for this worker's reads (see get_ssp_stats).
struct ssp_stats {
  std::uint64_t reads = 0;       // keys read through paracel_read / paracel_read_multi
  std::uint64_t cache_hits = 0;  // of which served from the cache
  std::uint64_t waits = 0;       // reads that had to wait for the slowest worker
  std::chrono::nanoseconds wait_time{0};
};

class PARACEL_EXPORT paralg {
 public:
  // Connects this worker to every server and registers it in a new clock table on server 0.
  // Collective over `workers`.
  explicit paralg(paralg_options options, comm workers = comm());
  virtual ~paralg();
  paralg(const paralg&) = delete;
  paralg& operator=(const paralg&) = delete;

  virtual void solve() {}

  // ---- who am I ---------------------------------------------------------------------
  int get_worker_id() const { return workers_.rank(); }
  int get_worker_size() const { return workers_.size(); }
  std::size_t get_server_size() const { return ps_.server_count(); }
  const paralg_options& options() const { return options_; }
  ps_client& ps() { return ps_; }

  // ---- reads ------------------------------------------------------------------------
  // Reads follow the SSP rules above. Reads of the whole store, of filtered keys and top-k
  // wait as a read must, then always fetch (they are not cached).
  //
  // Fills `value` and returns true, or returns false when the key does not exist.
  template <class V>
  bool paracel_read(const std::string& key, V& value) {
    if (!ssp_bounded()) {
      auto got = ps_.try_pull<V>(key);
      if (!got) return false;
      value = std::move(*got);
      return true;
    }
    const std::string* bytes = ssp_read(key);
    if (!bytes) return false;
    value = decode_read<V>(key, *bytes);
    return true;
  }
  // The value of `key`; throws key_not_found when it does not exist.
  template <class V>
  V paracel_read(const std::string& key) {
    if (!ssp_bounded()) return ps_.pull<V>(key);
    const std::string* bytes = ssp_read(key);
    if (!bytes) throw key_not_found(key, ps_.server_endpoint(ps_.server_of(key)));
    return decode_read<V>(key, *bytes);
  }
  template <class V>
  std::vector<V> paracel_read_multi(const std::vector<std::string>& keys) {
    if (!ssp_bounded()) return ps_.pull_multi<V>(keys);
    std::vector<V> out;
    out.reserve(keys.size());
    const auto values = ssp_read_multi(keys);
    for (std::size_t i = 0; i < keys.size(); ++i)
      out.push_back(decode_read<V>(keys[i], *values[i]));
    return out;
  }
  template <class V>
  std::unordered_map<std::string, V> paracel_readall() {
    ssp_wait_for_reads();
    return ps_.pull_all<V>();
  }
  // Calls handle(key, value) for every pair, a page at a time.
  template <class V, class F>
  void paracel_readall_handle(F&& handle) {
    ssp_wait_for_reads();
    ps_.pull_all_bytes({}, [&](std::string_view k, std::string_view v) {
      handle(std::string(k), decode_read<V>(k, v));
    });
  }
  // The pairs whose key the filter `filter_name` in plugin `file` keeps.
  template <class V>
  std::unordered_map<std::string, V> paracel_read_special(const std::string& file,
                                                          const std::string& filter_name) {
    paracel_register_read_special(file, filter_name);
    return paracel_read_special<V>(filter_name);
  }
  // The same with a filter every server has: paracel::prefix_filter("w_"), or one registered
  // before.
  template <class V>
  std::unordered_map<std::string, V> paracel_read_special(const std::string& filter) {
    ssp_wait_for_reads();
    return ps_.pull_all<V>(filter);
  }
  template <class V, class F>
  void paracel_read_special_handle(const std::string& file, const std::string& filter_name,
                                   F&& handle) {
    paracel_register_read_special(file, filter_name);
    paracel_read_special_handle<V>(filter_name, std::forward<F>(handle));
  }
  template <class V, class F>
  void paracel_read_special_handle(const std::string& filter, F&& handle) {
    ssp_wait_for_reads();
    ps_.pull_all_bytes(filter, [&](std::string_view k, std::string_view v) {
      handle(std::string(k), decode_read<V>(k, v));
    });
  }
  // The k pairs with the largest numeric values, largest first.
  template <class V>
  std::vector<std::pair<std::string, V>> paracel_read_topk(std::size_t k) {
    ssp_wait_for_reads();
    return ps_.top_k<V>(k);
  }
  template <class V>
  std::vector<std::pair<std::string, V>> paracel_read_topk_with_key_filter(
      std::size_t k, const std::string& file, const std::string& filter_name) {
    paracel_register_read_special(file, filter_name);
    return paracel_read_topk_with_key_filter<V>(k, filter_name);
  }
  template <class V>
  std::vector<std::pair<std::string, V>> paracel_read_topk_with_key_filter(
      std::size_t k, const std::string& filter) {
    ssp_wait_for_reads();
    return ps_.top_k<V>(k, filter);
  }
  bool paracel_contains(const std::string& key) { return ps_.contains(key); }

  // ---- writes (each forgets the cached value, so that this worker reads its own write) --
  template <class V>
  void paracel_write(const std::string& key, const V& value) {
    forget(key);
    ps_.push(key, value);
  }
  template <class V>
  void paracel_write_multi(const std::vector<std::string>& keys, const std::vector<V>& values) {
    invalidate(keys);
    ps_.push_multi(keys, values);
  }
  template <class V>
  void paracel_write_multi(const std::unordered_map<std::string, V>& pairs) {
    std::vector<std::string> keys;
    std::vector<V> values;
    for (const auto& [k, v] : pairs) {
      keys.push_back(k);
      values.push_back(v);
    }
    paracel_write_multi(keys, values);
  }
  bool paracel_remove(const std::string& key) {
    forget(key);
    return ps_.remove(key);
  }
  // Removes every key the filter keeps; returns how many.
  std::uint64_t paracel_remove_special(const std::string& file, const std::string& filter_name) {
    paracel_register_remove_special(file, filter_name);
    return paracel_remove_special(filter_name);
  }
  // The same with a filter every server has (paracel::prefix_filter) or one registered before.
  std::uint64_t paracel_remove_special(const std::string& filter) {
    forget_all();
    return ps_.remove_filtered(filter);
  }

  // ---- server-side updates ------------------------------------------------------------
  // Non-blocking: returns a ticket for wait_update(); failures surface at the next wait,
  // bupdate or paracel_sync.
  template <class V>
  update_ticket paracel_update(const std::string& key, const V& delta, const std::string& file,
                               const std::string& updater) {
    ensure_updater(file, updater);
    forget(key);
    return ps_.update(key, delta, updater);
  }
  template <class V>
  update_ticket paracel_update(const std::string& key, const V& delta, builtin op) {
    forget(key);
    return ps_.update(key, delta, op);
  }
  // With the updater given to paracel_register_update / paracel_register_bupdate.
  template <class V>
  update_ticket paracel_update(const std::string& key, const V& delta) {
    forget(key);
    return ps_.update(key, delta, default_updater("paracel_update"));
  }
  void wait_update(const update_ticket& ticket) { ps_.wait(ticket); }

  // Blocking: returns once the server has applied the update.
  template <class V>
  void paracel_bupdate(const std::string& key, const V& delta, const std::string& file,
                       const std::string& updater) {
    ensure_updater(file, updater);
    forget(key);
    ps_.bupdate(key, delta, updater);
  }
  template <class V>
  void paracel_bupdate(const std::string& key, const V& delta, builtin op) {
    forget(key);
    ps_.bupdate(key, delta, op);
  }
  template <class V>
  void paracel_bupdate(const std::string& key, const V& delta) {
    forget(key);
    ps_.bupdate(key, delta, default_updater("paracel_bupdate"));
  }
  template <class V>
  void paracel_bupdate_multi(const std::vector<std::string>& keys, const std::vector<V>& deltas,
                             const std::string& file, const std::string& updater) {
    ensure_updater(file, updater);
    invalidate(keys);
    ps_.bupdate_multi(keys, deltas, updater);
  }
  template <class V>
  void paracel_bupdate_multi(const std::vector<std::string>& keys, const std::vector<V>& deltas,
                             builtin op) {
    invalidate(keys);
    ps_.bupdate_multi(keys, deltas, op);
  }
  template <class V>
  void paracel_bupdate_multi(const std::vector<std::string>& keys, const std::vector<V>& deltas) {
    invalidate(keys);
    ps_.bupdate_multi(keys, deltas, default_updater("paracel_bupdate_multi"));
  }

  // Registers an updater on every server and makes it the default of paracel_(b)update.
  void paracel_register_update(const std::string& file, const std::string& updater);
  void paracel_register_bupdate(const std::string& file, const std::string& updater);
  void paracel_register_read_special(const std::string& file, const std::string& filter_name);
  void paracel_register_remove_special(const std::string& file, const std::string& filter_name);

  // ---- synchronisation -----------------------------------------------------------------
  // Waits for this worker's pending updates, then for every worker, and empties the SSP
  // cache. Collective.
  void paracel_sync();
  // Ends this worker's current iteration: its pending updates are applied, then its clock
  // advances on the clock server, and the iteration's metrics line is written.
  void iter_commit();
  // This worker runs `iterations` clocks; once it committed them it no longer holds the
  // others back. Also starts the iteration metrics' clock (the loop begins here, loading
  // is over).
  void set_total_iters(int iterations);
  // A value of this worker's current iteration ("loss", "rmse", ...): written with the
  // metrics line of the next iter_commit (or of paracel_dump_metrics, after the last one)
  // and shown by prun.py's progress line. Cheap; not collective.
  void report(std::string_view name, double value);
  int get_current_iter() const;
  int get_total_iters() const { return total_iters_; }
  const ssp_stats& get_ssp_stats() const;

  // ---- checkpoints (docs/checkpoints.md) ---------------------------------------------------
  // Writes a checkpoint at this worker's clock: waits until every worker is here, has each
  // server write its shards and each worker its save_state(), then commits the manifest.
  // iter_commit() calls it every options().checkpoint_every clocks. Collective: every worker
  // must call it at the same clock.
  void paracel_checkpoint();
  // What this worker keeps besides the servers' model (iteration-local variables, RNG
  // state, ...). Called by paracel_checkpoint(); the default saves nothing.
  virtual void save_state(worker_state& state) const { (void)state; }
  // The state saved at the checkpoint this paralg resumed from; nullptr when it did not.
  // A program that supports checkpoints asks (this or resuming()) before its first
  // iter_commit, also when it starts afresh; with --resume or --checkpoint_every, iter_commit
  // refuses to go on in a program that never asked.
  const worker_state* resumed_state() const {
    resume_seen_ = true;
    return resumed_state_ ? &*resumed_state_ : nullptr;
  }
  bool resuming() const {
    resume_seen_ = true;
    return resumed_state_.has_value();
  }

  // The worker grid a load pattern implies: linesplit/fmap/fset/fvec split rows over all
  // workers (workers x 1), smap columns (1 x workers), fsmap both (fsmap_grid). The loaders
  // set it; get_decomp_info reads it as in the original Paracel.
  void set_decomp_info(const std::string& pattern);
  void get_decomp_info(int& rows, int& cols) const {
    rows = decomp_rows_;
    cols = decomp_cols_;
  }

  // Combines every worker's `data` with `combine` along a tree; the result on `root`.
  // Collective over `over` (by default all workers).
  template <class T, class F>
  T data_merge(const T& data, F combine, int root = 0) {
    return workers_.treereduce(data, combine, root);
  }
  template <class T, class F>
  T data_merge(const T& data, F combine, const comm& over, int root = 0) {
    return over.treereduce(data, combine, root);
  }
  // The workers' typed MPI communicator (paracel/comm.hpp): send/recv, bcast, allreduce,
  // gather, alltoall, tree reduce, split. Collective calls on it follow MPI's rules.
  comm& get_comm() { return workers_; }

  // ---- loading (see paracel/load.hpp for how input is split) ---------------------------
  // This worker's share of the lines of `pattern` (file, directory or glob).
  std::vector<std::string> paracel_load(const std::string& pattern);
  // This worker's share, each line turned into a T by `parser` (which may throw
  // paracel::error; use paracel::throw_parse_error to name the line).
  template <class T, class Parser>
  std::vector<T> paracel_load(const std::string& pattern, Parser parser) {
    set_decomp_info("linesplit");
    std::vector<T> out;
    for_each_line(expand_inputs(pattern), get_worker_id(), get_worker_size(),
                  [&](std::string_view line, const line_location&) {
                    out.push_back(parser(std::string(line)));
                  });
    return out;
  }
  // Calls handle(line, where) for every line of this worker's share, in order, without keeping
  // them: `line` (a std::string_view without its newline) is valid during the call only,
  // `where` names its file and line number for error messages (paracel::throw_parse_error).
  // A handle taking only (const std::string& line) works too. Collective: if handle throws
  // on any worker, every worker throws, naming the failing worker and its message (file:line).
  template <class F>
  void paracel_load_handle(const std::string& pattern, F&& handle) {
    set_decomp_info("linesplit");
    workers_.all_or_none([&] {
      for_each_line(
          expand_inputs(pattern), get_worker_id(), get_worker_size(),
          [&](std::string_view line, const line_location& where) {
            if constexpr (std::is_invocable_v<F&, std::string_view, const line_location&>) {
              handle(line, where);
            } else {
              handle(std::string(line));
            }
          });
    });
  }
  // Every line of the input, on every worker.
  std::vector<std::string> paracel_loadall(const std::string& pattern);
  // Streams every line of the input to handle(chunk) in chunks of about `chunk_lines`.
  void paracel_sequential_loadall(const std::string& pattern,
                                  const std::function<void(std::vector<std::string>&)>& handle,
                                  std::size_t chunk_lines = 100000);

  // ---- structured loading (paracel/structured_load.hpp); all collective -----------------
  loaded_block paracel_load_structured(const std::string& pattern, load_pattern how,
                                       bool shared_ids = false);
  // This worker's block of a graph of "from to [weight]" lines (a digraph or an
  // undirected_graph); returns the vertex ids.
  template <class Graph>
  requires std::is_same_v<Graph, digraph<typename Graph::weight_type>> ||
      std::is_same_v<Graph, undirected_graph<typename Graph::weight_type>>
          id_map paracel_load_as_graph(Graph& graph, const std::string& pattern,
                                       load_pattern how = load_pattern::fmap) {
    using W = typename Graph::weight_type;
    auto block = paracel_load_structured(pattern, how, true);
    for (const auto& e : block.entries) graph.add_edge(e.row, e.col, static_cast<W>(e.value));
    return std::move(block.rows);
  }
  // Bipartite "left right [weight]" lines (e.g. user item rating); left and right ids apart.
  template <class W>
  std::pair<id_map, id_map> paracel_load_as_graph(bigraph<W>& graph, const std::string& pattern,
                                                  load_pattern how = load_pattern::fmap) {
    auto block = paracel_load_structured(pattern, how, false);
    for (const auto& e : block.entries) graph.add_edge(e.row, e.col, static_cast<W>(e.value));
    return {std::move(block.rows), std::move(block.cols)};
  }
  template <class W>
  std::pair<id_map, id_map> paracel_load_as_graph(bigraph_continuous<W>& graph,
                                                  const std::string& pattern,
                                                  load_pattern how = load_pattern::fmap) {
    auto block = paracel_load_structured(pattern, how, false);
    std::vector<std::tuple<vertex, vertex, W>> edges;
    edges.reserve(block.entries.size());
    for (const auto& e : block.entries) edges.emplace_back(e.row, e.col, static_cast<W>(e.value));
    graph = bigraph_continuous<W>(block.rows.count, std::move(edges));
    return {std::move(block.rows), std::move(block.cols)};
  }
  // This worker's entries in a rows.count x cols.count sparse matrix (global dense ids).
  std::pair<id_map, id_map> paracel_load_as_matrix(
      Eigen::SparseMatrix<double, Eigen::RowMajor>& matrix, const std::string& pattern,
      load_pattern how = load_pattern::fmap);
  // fvec input as a dense block: this worker's rows, in reading order; returns their global
  // row ids. Columns: the widest row on any worker (shorter rows are zero-padded).
  std::vector<std::uint64_t> paracel_load_as_dense(Eigen::MatrixXd& matrix,
                                                   const std::string& pattern);
  // LIBSVM lines (paracel/libsvm.hpp).
  libsvm_data paracel_load_libsvm(const std::string& pattern) {
    set_decomp_info("linesplit");
    return load_libsvm(workers_, expand_inputs(pattern));
  }

  // ---- output (see paracel/dump.hpp for formats) ---------------------------------------
  // Creates the output folder (worker 0), then waits for every worker. Collective.
  void init_output(const std::string& folder);
  const std::string& output_folder() const { return output_; }
  // Writes one line per element: into <output>/<name>_<worker> for each worker, or, with
  // `merge`, all workers' lines in worker order into <output>/<name>. Collective.
  template <class T>
  void paracel_dump_vector(const std::vector<T>& data, const std::string& name,
                           const std::string& separator = "\n", bool merge = true) {
    dump_text(format_vector(data, separator), name, merge);
  }
  // One "key<TAB>value" line per pair (values as format_value writes them). Collective.
  template <class Map>
  void paracel_dump_dict(const Map& data, const std::string& name, bool merge = true) {
    dump_text(format_dict(data), name, merge);
  }
  // Writes worker 0's metrics as one JSON line into <output>/<name> (the other workers'
  // are ignored) and, with a label, prints "label: {...}" on worker 0's stdout. Every worker
  // also ends its iteration metrics with a "final" line (counters of the whole run and what
  // was reported since the last iter_commit). Collective.
  void paracel_dump_metrics(const metrics& m, const std::string& label = "",
                            const std::string& name = "metrics.json");
  // One line per matrix row, values separated by spaces. Collective.
  template <class Matrix>
  void paracel_dump_matrix(const Matrix& m, const std::string& name, bool merge = true) {
    dump_text(format_matrix(m), name, merge);
  }

 protected:
  // Writes this worker's text as described for paracel_dump_vector. Collective.
  void dump_text(const std::string& text, const std::string& name, bool merge);

  comm workers_;
  paralg_options options_;
  ps_client ps_;

 private:
  // ---- SSP (see the top of this file; src/paralg/ssp_reader.hpp) -----------------------
  bool ssp_bounded() const { return options_.staleness >= 0; }
  template <class V>
  V decode_read(std::string_view key, std::string_view bytes) {
    return decode_stored<V>(bytes, key, ps_.server_endpoint(ps_.server_of(key)));
  }
  // Blocks until the slowest worker reached clock c - s (unless already known).
  void ssp_wait_for_reads();
  // The encoded value of `key`, from the cache when fresh enough; nullptr when it does not
  // exist. Valid until the cache changes.
  const std::string* ssp_read(const std::string& key);
  // The encoded values of `keys` (fetching all stale ones in one request); throws
  // key_not_found if any is missing.
  std::vector<const std::string*> ssp_read_multi(const std::vector<std::string>& keys);
  void forget(const std::string& key);
  void forget_all();
  void invalidate(const std::vector<std::string>& keys) {
    for (const auto& k : keys) forget(k);
  }

  void ensure_updater(const std::string& file, const std::string& updater);
  static void register_once(std::set<std::pair<std::string, std::string>>& done,
                            const std::string& file, const std::string& name,
                            const std::function<void()>& register_on_servers);
  const std::string& default_updater(const char* caller) const;

  std::set<std::pair<std::string, std::string>> registered_updaters_;
  std::set<std::pair<std::string, std::string>> registered_filters_;
  std::string default_updater_;
  int decomp_rows_ = 1;
  int decomp_cols_ = 1;
  std::string output_;
  int total_iters_ = 0;
  std::string clock_table_;  // this paralg's table on the clock server
  std::unique_ptr<ssp_reader> ssp_;
  std::unique_ptr<iteration_log> iterations_;

  // Restores the model and this worker's state from the newest complete checkpoint;
  // returns its clock. Collective.
  std::int64_t resume_from_checkpoint();
  std::optional<worker_state> resumed_state_;
  mutable bool resume_seen_ = false;
  int checkpoints_taken_ = 0;
};

}  // namespace paracel
