// paracel::pregel: vertex-centric programs on paralg (Malewicz et al., Pregel, 2010).
//
//   struct components : paracel::pregel<std::uint64_t, std::uint64_t> {
//     using pregel::pregel;
//     void init(vertex& v) override { v.value() = v.id(); }
//     void compute(vertex& v, const std::vector<std::uint64_t>& messages) override {
//       auto best = v.value();
//       for (auto m : messages) best = std::min(best, m);
//       if (v.superstep() == 0 || best < v.value()) {
//         v.value() = best;
//         v.send_to_neighbours(best);
//       }
//       v.vote_to_halt();
//     }
//     bool combine(std::uint64_t& into, const std::uint64_t& m) const override {
//       into = std::min(into, m);
//       return true;
//     }
//   };
//   components job(options);
//   job.load_edges("edges.txt", /*undirected=*/true);   // collective
//   int supersteps = job.run(1000);                      // collective
//
// The graph: "from to [weight]" lines (weight 1 when left out); every vertex named on either
// side exists, including those that only receive edges, and so does every vertex of an
// optional vertex list. Vertex `id` (dense, [0, vertex_count())) lives on worker
// id % W with its out-edges (and, `undirected`, its in-edges as out-edges too).
//
// A superstep: every vertex that has messages or has not voted to halt runs compute() with
// the messages sent to it in the previous superstep; a halted vertex wakes up when a message
// arrives. Messages are batched per destination worker, combined per destination vertex at
// the sender and again at the receiver when the program has a combiner (combine() returns
// true), and travel through the parameter servers: one key per (superstep, sender,
// receiver), written before paracel_sync() -- the clock table's barrier between supersteps
// -- and read after it. Aggregators (sum, min, max of doubles) are reduced over the workers
// at the end of each superstep and visible in the next. The run stops when no vertex is
// active and no message is in flight, or after `max_supersteps`.
//
// Checkpoints (docs/checkpoints.md): one clock per superstep, so --checkpoint_every counts
// supersteps. The messages in flight are on the servers; save_state() keeps each worker's
// values, halted flags, inbox and aggregators (Value and Message must be msgpack types, as
// messages already are), and a resumed run() picks up after the checkpoint's superstep. A
// program that overrides save_state() calls pregel's first. Only the first run() of a
// resumed job resumes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "paracel/load.hpp"
#include "paracel/paralg.hpp"
#include "paracel/structured_load.hpp"

namespace paracel {

template <class Value, class Message>
class pregel : public paralg {
 public:
  struct edge {
    std::uint64_t target = 0;
    double weight = 1;
  };

  class vertex {
   public:
    std::uint64_t id() const { return id_; }
    const std::string& name() const { return owner_->names_[local_]; }
    Value& value() { return owner_->values_[local_]; }
    const std::vector<edge>& out_edges() const { return owner_->edges_[local_]; }
    int superstep() const { return owner_->superstep_; }
    void send(std::uint64_t target, const Message& m) { owner_->send(target, m); }
    void send_to_neighbours(const Message& m) {
      for (const auto& e : out_edges()) owner_->send(e.target, m);
    }
    void vote_to_halt() { owner_->halted_[local_] = 1; }
    // Adds to an aggregator of this superstep (sum, min or max, as declared).
    void aggregate(const std::string& name, double x) { owner_->aggregate(name, x); }
    // An aggregator's value from the previous superstep (its identity before superstep 1).
    double aggregated(const std::string& name) const { return owner_->aggregated(name); }

   private:
    friend class pregel;
    vertex(pregel* owner, std::uint64_t id, std::size_t local)
        : owner_(owner), id_(id), local_(local) {}
    pregel* owner_;
    std::uint64_t id_;
    std::size_t local_;
  };

  enum class reduce { sum, min, max };

  explicit pregel(paralg_options options) : paralg(std::move(options)) {}

  // Loads the graph from "from to [weight]" lines; `vertices`, when not empty, names more
  // vertices (the first field of each line), so that vertices without edges exist too.
  // Collective.
  void load_edges(const std::string& pattern, bool undirected, const std::string& vertices = "") {
    std::vector<std::string> ends_named;  // from, to, from, to, ...
    std::vector<double> weights_read;
    paracel_load_handle(pattern, [&](std::string_view line, const line_location& where) {
      const auto fields = split_fields(line);
      if (fields.empty()) return;
      if (fields.size() != 2 && fields.size() != 3)
        throw_parse_error(where, line, "expected \"from to [weight]\"");
      ends_named.emplace_back(fields[0]);
      ends_named.emplace_back(fields[1]);
      weights_read.push_back(fields.size() == 3 ? parse_number(fields[2], where, line) : 1.0);
    });
    std::vector<std::string> names(ends_named);
    if (!vertices.empty()) {
      paracel_load_handle(vertices, [&](std::string_view line, const line_location&) {
        const auto fields = split_fields(line);
        if (!fields.empty()) names.emplace_back(fields[0]);
      });
    }
    const id_map ids = assign_dense_ids(get_comm(), names);
    workers_ = static_cast<std::uint64_t>(get_worker_size());
    vertex_count_ = ids.count;
    const auto me = static_cast<std::uint64_t>(get_worker_id());
    const std::size_t local_count =
        vertex_count_ > me ? static_cast<std::size_t>((vertex_count_ - me - 1) / workers_ + 1) : 0;
    names_.assign(local_count, "");
    for (auto& [id, name] :
         names_of_owned_ids(get_comm(), ids, [&](std::uint64_t id) { return owner_of(id); }))
      names_[local_of(id)] = std::move(name);
    // Each edge to the worker of its source (and, undirected, reversed to its target's).
    std::vector<std::vector<std::uint64_t>> ends(workers_);
    std::vector<std::vector<double>> weights(workers_);
    auto route = [&](std::uint64_t from, std::uint64_t to, double w) {
      const auto owner = static_cast<std::size_t>(owner_of(from));
      ends[owner].push_back(from);
      ends[owner].push_back(to);
      weights[owner].push_back(w);
    };
    for (std::size_t e = 0; e < weights_read.size(); ++e) {
      const auto from = ids.ids.at(ends_named[2 * e]), to = ids.ids.at(ends_named[2 * e + 1]);
      route(from, to, weights_read[e]);
      if (undirected && from != to) route(to, from, weights_read[e]);
    }
    edges_.assign(local_count, {});
    const auto in_ends = get_comm().alltoall(ends);
    const auto in_weights = get_comm().alltoall(weights);
    for (std::size_t from = 0; from < in_ends.size(); ++from) {
      for (std::size_t i = 0; i < in_weights[from].size(); ++i)
        edges_[local_of(in_ends[from][2 * i])].push_back(
            {in_ends[from][2 * i + 1], in_weights[from][i]});
    }
    edge_count_ =
        get_comm().allreduce(static_cast<std::int64_t>(weights_read.size()), reduce_op::sum);
  }

  // Declares an aggregator (before run; on every worker).
  void declare_aggregator(const std::string& name, reduce how) {
    aggregators_[name] = {how, identity(how), identity(how)};
  }

  // Runs supersteps; returns how many ran. Collective.
  int run(int max_supersteps) {
    const std::size_t n = names_.size();
    const worker_state* state = resumed_ran_ ? nullptr : resumed_state();
    resumed_ran_ = true;
    std::int64_t first_clock = get_current_iter();
    if (state != nullptr) {
      restore_state(*state, n);
      first_clock -= superstep_;
    } else {
      values_.assign(n, Value{});
      halted_.assign(n, 0);
      inbox_.assign(n, {});
      superstep_ = 0;
      finished_ = false;
      for (std::size_t i = 0; i < n; ++i) {
        vertex v(this, id_of(i), i);
        init(v);
      }
    }
    // The metrics' clock starts: loading is over. One clock per superstep.
    set_total_iters(static_cast<int>(
        std::min<std::int64_t>(first_clock + max_supersteps, std::numeric_limits<int>::max())));
    while (superstep_ < max_supersteps && !finished_) {
      outbox_targets_.assign(workers_, {});
      outbox_messages_.assign(workers_, {});
      outbox_index_.assign(workers_, {});
      std::int64_t active = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (halted_[i] && inbox_[i].empty()) continue;
        halted_[i] = 0;
        vertex v(this, id_of(i), i);
        compute(v, inbox_[i]);
        inbox_[i].clear();
        active += halted_[i] ? 0 : 1;
      }
      std::int64_t sent = 0;
      for (const auto& targets : outbox_targets_) sent += static_cast<std::int64_t>(targets.size());
      exchange();
      // Totals and aggregators of this superstep, visible to every worker in the next.
      std::vector<double> sums{static_cast<double>(active), static_cast<double>(sent)};
      std::vector<double> mins, maxs;
      for (auto& [name, a] : aggregators_) {
        (a.how == reduce::sum ? sums : a.how == reduce::min ? mins : maxs).push_back(a.current);
      }
      sums = get_comm().allreduce(sums, reduce_op::sum);
      if (!mins.empty()) mins = get_comm().allreduce(mins, reduce_op::min);
      if (!maxs.empty()) maxs = get_comm().allreduce(maxs, reduce_op::max);
      std::size_t s = 2, lo = 0, hi = 0;
      for (auto& [name, a] : aggregators_) {
        a.previous = a.how == reduce::sum   ? sums[s++]
                     : a.how == reduce::min ? mins[lo++]
                                            : maxs[hi++];
        a.current = identity(a.how);
      }
      messages_ += static_cast<std::int64_t>(sums[1]);
      ++superstep_;
      // One clock per superstep: its metrics line (docs/observability.md) and progress.
      report("active_vertices", sums[0]);
      report("messages", sums[1]);
      finished_ = sums[0] == 0 && sums[1] == 0;
      iter_commit();
    }
    // Everyone has read the last batches (before the reduction above).
    if (get_worker_id() == 0) paracel_remove_special(prefix_filter("pregel/"));
    return superstep_;
  }

  // ---- results (this worker's vertices) ------------------------------------------------
  std::size_t local_vertices() const { return names_.size(); }
  std::uint64_t id_of(std::size_t local) const {
    return local * workers_ + static_cast<std::uint64_t>(get_worker_id());
  }
  const std::string& name_of(std::size_t local) const { return names_[local]; }
  const Value& value_of(std::size_t local) const { return values_[local]; }
  const std::vector<edge>& out_edges_of(std::size_t local) const { return edges_[local]; }
  // An aggregator's value after the last superstep that ran.
  double aggregated(const std::string& name) const { return aggregators_.at(name).previous; }
  std::uint64_t vertex_count() const { return vertex_count_; }
  std::int64_t edge_count() const { return edge_count_; }   // lines read
  std::int64_t messages_sent() const { return messages_; }  // after combining, all workers

  // Called at a superstep's commit, when the inboxes hold the next superstep's messages.
  void save_state(worker_state& state) const override {
    state.put("pregel/superstep", superstep_);
    state.put("pregel/finished", finished_);
    state.put("pregel/messages", messages_);
    state.put("pregel/values", values_);
    state.put("pregel/halted", halted_);
    state.put("pregel/inbox", inbox_);
    std::map<std::string, double> previous;
    for (const auto& [name, a] : aggregators_) previous[name] = a.previous;
    state.put("pregel/aggregators", previous);
  }

 protected:
  // Sets a vertex's initial value (before superstep 0).
  virtual void init(vertex& v) { v.value() = Value{}; }
  virtual void compute(vertex& v, const std::vector<Message>& messages) = 0;
  // Combines `next` into `into` and returns true, or returns false (no combiner: the
  // default), in which case every message is delivered.
  virtual bool combine(Message& into, const Message& next) const {
    (void)into;
    (void)next;
    return false;
  }

 private:
  struct aggregator {
    reduce how = reduce::sum;
    double current = 0, previous = 0;
  };
  static double identity(reduce how) {
    if (how == reduce::sum) return 0;
    return how == reduce::min ? std::numeric_limits<double>::infinity()
                              : -std::numeric_limits<double>::infinity();
  }
  void restore_state(const worker_state& state, std::size_t n) {
    superstep_ = state.get<int>("pregel/superstep");
    finished_ = state.get<bool>("pregel/finished");
    messages_ = state.get<std::int64_t>("pregel/messages");
    values_ = state.get<std::vector<Value>>("pregel/values");
    halted_ = state.get<std::vector<std::uint8_t>>("pregel/halted");
    inbox_ = state.get<std::vector<std::vector<Message>>>("pregel/inbox");
    if (values_.size() != n || halted_.size() != n || inbox_.size() != n) {
      throw error("pregel: the checkpoint holds " + std::to_string(values_.size()) +
                  " vertices for this worker; its graph has " + std::to_string(n) +
                  " (another input?)");
    }
    for (const auto& [name, value] :
         state.get<std::map<std::string, double>>("pregel/aggregators")) {
      auto found = aggregators_.find(name);
      if (found == aggregators_.end())
        throw error("pregel: the checkpoint has an aggregator '" + name + "' never declared");
      found->second.previous = value;
    }
  }
  int owner_of(std::uint64_t id) const { return static_cast<int>(id % workers_); }
  std::size_t local_of(std::uint64_t id) const { return static_cast<std::size_t>(id / workers_); }

  void send(std::uint64_t target, const Message& m) {
    const auto to = static_cast<std::size_t>(owner_of(target));
    auto& index = outbox_index_[to];
    const auto found = index.find(target);
    if (found != index.end() && combine(outbox_messages_[to][found->second], m)) return;
    index[target] = outbox_targets_[to].size();
    outbox_targets_[to].push_back(target);
    outbox_messages_[to].push_back(m);
  }

  void aggregate(const std::string& name, double x) {
    auto& a = aggregators_.at(name);
    a.current = a.how == reduce::sum   ? a.current + x
                : a.how == reduce::min ? std::min(a.current, x)
                                       : std::max(a.current, x);
  }
  // Every worker's batches through the servers: written, the clock barrier, read.
  void exchange() {
    const std::string step = "pregel/" + std::to_string(superstep_) + "/";
    const auto me = std::to_string(get_worker_id());
    std::vector<std::string> keys;
    std::vector<std::pair<std::vector<std::uint64_t>, std::vector<Message>>> batches;
    for (std::uint64_t to = 0; to < workers_; ++to) {
      keys.push_back(step + std::to_string(to) + "/" + me);
      batches.emplace_back(std::move(outbox_targets_[to]), std::move(outbox_messages_[to]));
    }
    paracel_write_multi(keys, batches);
    paracel_sync();  // every batch of this superstep is on the servers
    // The previous superstep's batches were read by everyone before this barrier.
    if (get_worker_id() == 0 && superstep_ > 0)
      paracel_remove_special(prefix_filter("pregel/" + std::to_string(superstep_ - 1) + "/"));
    keys.clear();
    for (std::uint64_t from = 0; from < workers_; ++from)
      keys.push_back(step + me + "/" + std::to_string(from));
    for (auto& [targets, messages] :
         paracel_read_multi<std::pair<std::vector<std::uint64_t>, std::vector<Message>>>(keys)) {
      for (std::size_t i = 0; i < targets.size(); ++i) {
        auto& box = inbox_[local_of(targets[i])];
        if (box.empty() || !combine(box.front(), messages[i]))
          box.push_back(std::move(messages[i]));
      }
    }
  }

  std::uint64_t workers_ = 1;
  std::uint64_t vertex_count_ = 0;
  std::int64_t edge_count_ = 0;
  std::int64_t messages_ = 0;
  int superstep_ = 0;
  bool finished_ = false;     // the last superstep had no active vertex and sent nothing
  bool resumed_ran_ = false;  // run() took the resumed state already
  std::vector<std::string> names_;
  std::vector<std::vector<edge>> edges_;
  std::vector<Value> values_;
  std::vector<std::uint8_t> halted_;
  std::vector<std::vector<Message>> inbox_;
  std::vector<std::vector<std::uint64_t>> outbox_targets_;
  std::vector<std::vector<Message>> outbox_messages_;
  std::vector<std::unordered_map<std::uint64_t, std::size_t>> outbox_index_;
  std::map<std::string, aggregator> aggregators_;
};

}  // namespace paracel
