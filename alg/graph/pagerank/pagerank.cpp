#include "pagerank.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace paracel::alg {

pagerank::pagerank(paralg_options options, pagerank_config cfg)
    : paralg(std::move(options)), cfg_(std::move(cfg)) {}

std::size_t pagerank::block_length(std::uint64_t b) const {
  return static_cast<std::size_t>(
      std::min<std::uint64_t>(cfg_.block_size, vertices_ - b * cfg_.block_size));
}

std::string pagerank::key(const char* kind, std::uint64_t block) const {
  return std::string("pr/") + kind + "/" + std::to_string(block);
}

pagerank::blocks pagerank::read(const char* kind, const std::vector<std::uint64_t>& ids) {
  std::vector<std::string> keys;
  for (auto b : ids) keys.push_back(key(kind, b));
  auto values = paracel_read_multi<std::vector<double>>(keys);
  blocks out;
  for (std::size_t i = 0; i < ids.size(); ++i) out.emplace(ids[i], std::move(values[i]));
  return out;
}

void pagerank::write(const char* kind, const blocks& values) {
  std::vector<std::string> keys;
  std::vector<std::vector<double>> data;
  for (const auto& [b, v] : values) {
    keys.push_back(key(kind, b));
    data.push_back(v);
  }
  if (!keys.empty()) paracel_write_multi(keys, data);
}

void pagerank::build_edges(const loaded_block& graph) {
  // A counting sort by destination (ids are dense): in-edges of a vertex are contiguous.
  in_start_.assign(vertices_ + 1, 0);
  std::vector<std::int64_t> degree(vertices_, 0);
  std::vector<bool> source_block(vertices_ / cfg_.block_size + 1, false);
  std::vector<bool> target_block(source_block.size(), false);
  for (const auto& e : graph.entries) {
    ++in_start_[e.col + 1];
    ++degree[e.row];
    source_block[block_of(e.row)] = true;
    target_block[block_of(e.col)] = true;
  }
  for (std::uint64_t v = 0; v < vertices_; ++v) in_start_[v + 1] += in_start_[v];
  sources_.resize(graph.entries.size());
  std::vector<std::uint64_t> next(in_start_.begin(), in_start_.end() - 1);
  for (const auto& e : graph.entries) sources_[next[e.col]++] = e.row;
  out_degree_ = get_comm().allreduce(degree, reduce_op::sum);
  inverse_degree_.resize(vertices_);
  for (std::uint64_t v = 0; v < vertices_; ++v)
    inverse_degree_[v] = out_degree_[v] ? 1.0 / static_cast<double>(out_degree_[v]) : 0.0;
  const auto workers = static_cast<std::uint64_t>(get_worker_size());
  const auto me = static_cast<std::uint64_t>(get_worker_id());
  for (std::uint64_t b = 0; b < source_block.size(); ++b) {
    if (b % workers == me) continue;  // owned: ranks and sums stay on this worker
    if (source_block[b]) source_blocks_.push_back(b);
    if (target_block[b]) target_blocks_.push_back(b);
  }
}

double pagerank::dangling_mass() {
  double mass = 0;
  for (const auto& [b, r] : owned_ranks_) {
    for (std::size_t i = 0; i < r.size(); ++i)
      if (out_degree_[b * cfg_.block_size + i] == 0) mass += r[i];
  }
  return get_comm().allreduce(mass, reduce_op::sum);
}

void pagerank::solve() {
  const auto start = std::chrono::steady_clock::now();
  {
    const auto graph = paracel_load_structured(cfg_.input, load_pattern::fmap, true);
    vertices_ = graph.rows.count;
    if (vertices_ == 0) throw error("pagerank: no edges in " + cfg_.input);
    build_edges(graph);
    const auto workers = static_cast<std::uint64_t>(get_worker_size());
    owned_names_ = names_of_owned_ids(get_comm(), graph.rows, [&](std::uint64_t v) {
      return static_cast<int>(block_of(v) % workers);
    });
    const std::uint64_t count = (vertices_ + cfg_.block_size - 1) / cfg_.block_size;
    for (std::uint64_t b = static_cast<std::uint64_t>(get_worker_id()); b < count; b += workers)
      owned_blocks_.push_back(b);
  }
  share_.assign(vertices_, 0.0);
  sum_.assign(vertices_, 0.0);

  if (const auto* state = resumed_state()) {
    // A checkpoint is taken in iterate()'s commit, when the servers hold every owned block's
    // ranks and zeroed accumulators.
    owned_ranks_ = read("rank", owned_blocks_);
    rounds_ = get_current_iter();
    last_change_ = state->get<double>("last_change");
  } else {
    blocks zeros;
    for (auto b : owned_blocks_) {
      owned_ranks_[b].assign(block_length(b), 1.0 / static_cast<double>(vertices_));
      zeros[b].assign(block_length(b), 0.0);
    }
    write("rank", owned_ranks_);
    write("acc", zeros);
  }
  dangling_ = dangling_mass();
  paracel_sync();
  const auto loaded = std::chrono::steady_clock::now();
  const int first_round = rounds_;
  set_total_iters(cfg_.max_rounds);
  while (rounds_ == 0 || (last_change_ >= cfg_.tolerance && rounds_ < cfg_.max_rounds)) {
    last_change_ = iterate();
    ++rounds_;
  }
  const auto solved = std::chrono::steady_clock::now();
  load_seconds_ = std::chrono::duration<double>(loaded - start).count();
  iterate_seconds_ = std::chrono::duration<double>(solved - loaded).count();
  iterations_run_ = rounds_ - first_round;
  write_ranks();
}

void pagerank::save_state(worker_state& state) const {
  // Called from iterate()'s commit, before ++rounds_ and the assignment of last_change_:
  // pending_change_ is this round's.
  state.put("last_change", pending_change_);
}

double pagerank::iterate() {
  const double n = static_cast<double>(vertices_);
  // 1. Push this worker's in-edge sums into the accumulators of other workers' blocks.
  // Shares and sums are flat per-vertex arrays so that the loop over edges does no lookups;
  // the owned blocks' ranks are here already, and their sums stay here.
  const auto set_shares = [&](std::uint64_t b, const std::vector<double>& ranks) {
    const std::uint64_t first = b * cfg_.block_size;
    for (std::size_t i = 0; i < ranks.size(); ++i)
      share_[first + i] = ranks[i] * inverse_degree_[first + i];
  };
  for (const auto& [b, r] : owned_ranks_) set_shares(b, r);
  for (const auto& [b, r] : read("rank", source_blocks_)) set_shares(b, r);
  for (std::uint64_t v = 0; v < vertices_; ++v) {
    double in = 0;
    for (auto k = in_start_[v]; k < in_start_[v + 1]; ++k) in += share_[sources_[k]];
    sum_[v] = in;
  }
  std::vector<std::string> keys;
  std::vector<std::vector<double>> values;
  for (auto b : target_blocks_) {
    const auto first = sum_.begin() + static_cast<std::ptrdiff_t>(b * cfg_.block_size);
    keys.push_back(key("acc", b));
    values.emplace_back(first, first + static_cast<std::ptrdiff_t>(block_length(b)));
  }
  if (!keys.empty()) paracel_bupdate_multi(keys, values, builtin::add);
  get_comm().barrier();  // every worker's contributions are in

  // 2. Finalise the owned blocks (the other workers' sums on the servers plus this one's);
  // reset their accumulators for the next iteration, in the same request as the new ranks.
  const blocks sums = read("acc", owned_blocks_);
  double change = 0;
  double dangling = 0;
  keys.clear();
  values.clear();
  for (auto& [b, r] : owned_ranks_) {
    const auto& sum = sums.at(b);
    const std::uint64_t first = b * cfg_.block_size;
    for (std::size_t i = 0; i < r.size(); ++i) {
      const double in = sum[i] + sum_[first + i];
      const double next = cfg_.damping * (in + dangling_ / n) + (1 - cfg_.damping) / n;
      change += std::abs(next - r[i]);
      r[i] = next;
      if (out_degree_[first + i] == 0) dangling += next;
    }
    keys.push_back(key("rank", b));
    values.push_back(r);
    keys.push_back(key("acc", b));
    values.emplace_back(r.size(), 0.0);
  }
  if (!keys.empty()) paracel_write_multi(keys, values);
  // One reduction gives every worker the change and the next dangling mass, and orders
  // every write before the next iteration's reads.
  const auto totals = get_comm().allreduce(std::vector<double>{change, dangling}, reduce_op::sum);
  change = totals[0];
  dangling_ = totals[1];
  report("l1_change", change);
  pending_change_ = change;
  iter_commit();
  return change;
}

void pagerank::write_ranks() {
  std::vector<std::string> lines;
  for (const auto& [v, name] : owned_names_) {
    std::ostringstream line;
    line << name << '\t' << std::setprecision(17)
         << owned_ranks_.at(block_of(v))[v % cfg_.block_size];
    lines.push_back(line.str());
  }
  paracel_dump_vector(lines, "pagerank");
  const auto edges =
      get_comm().allreduce(static_cast<std::int64_t>(sources_.size()), reduce_op::sum);
  report("l1_change", last_change_);
  metrics m;
  m.set("vertices", static_cast<std::int64_t>(vertices_))
      .set("edges", edges)
      .set("rounds", rounds_)
      .set("last_l1_change", last_change_)
      .set("load_seconds", load_seconds_)
      .set("iterate_seconds", iterate_seconds_)
      .set("seconds_per_iteration", iterations_run_ ? iterate_seconds_ / iterations_run_ : 0.0);
  paracel_dump_metrics(m, "pagerank");
}

}  // namespace paracel::alg
