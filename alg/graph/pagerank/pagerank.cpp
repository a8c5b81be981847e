#include "pagerank.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <set>
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

void pagerank::solve() {
  auto graph = paracel_load_structured(cfg_.input, load_pattern::fmap, true);
  vertices_ = graph.rows.count;
  if (vertices_ == 0) throw error("pagerank: no edges in " + cfg_.input);
  const auto workers = static_cast<std::uint64_t>(get_worker_size());
  std::vector<std::int64_t> degree(vertices_, 0);
  std::set<std::uint64_t> sources, targets;
  for (const auto& e : graph.entries) {
    edges_.emplace_back(e.row, e.col);
    ++degree[e.row];
    sources.insert(block_of(e.row));
    targets.insert(block_of(e.col));
  }
  out_degree_ = get_comm().allreduce(degree, reduce_op::sum);
  inverse_degree_.resize(vertices_);
  for (std::uint64_t v = 0; v < vertices_; ++v)
    inverse_degree_[v] = out_degree_[v] ? 1.0 / static_cast<double>(out_degree_[v]) : 0.0;
  source_blocks_.assign(sources.begin(), sources.end());
  target_blocks_.assign(targets.begin(), targets.end());
  rank_.assign(vertices_, 0.0);
  sum_.assign(vertices_, 0.0);
  const std::uint64_t count = (vertices_ + cfg_.block_size - 1) / cfg_.block_size;
  for (std::uint64_t b = static_cast<std::uint64_t>(get_worker_id()); b < count; b += workers)
    owned_blocks_.push_back(b);
  owned_names_ = names_of_owned_ids(get_comm(), graph.rows, [&](std::uint64_t v) {
    return static_cast<int>(block_of(v) % workers);
  });

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
  paracel_sync();
  set_total_iters(cfg_.max_rounds);
  while (rounds_ == 0 || (last_change_ >= cfg_.tolerance && rounds_ < cfg_.max_rounds)) {
    last_change_ = iterate();
    ++rounds_;
  }
  write_ranks();
}

void pagerank::save_state(worker_state& state) const {
  // Called from iterate()'s commit, before ++rounds_ and the assignment of last_change_:
  // pending_change_ is this round's.
  state.put("last_change", pending_change_);
}

double pagerank::iterate() {
  const double n = static_cast<double>(vertices_);
  // 1. Push this worker's sources' contributions into the accumulators. Ranks and sums are
  // spread into flat per-vertex arrays so that the loop over edges does no lookups.
  for (const auto& [b, r] : read("rank", source_blocks_))
    std::copy(r.begin(), r.end(), rank_.begin() + static_cast<std::ptrdiff_t>(b * cfg_.block_size));
  for (const auto& [from, to] : edges_) sum_[to] += rank_[from] * inverse_degree_[from];
  std::vector<std::string> keys;
  std::vector<std::vector<double>> values;
  for (auto b : target_blocks_) {
    const auto first = sum_.begin() + static_cast<std::ptrdiff_t>(b * cfg_.block_size);
    keys.push_back(key("acc", b));
    values.emplace_back(first, first + static_cast<std::ptrdiff_t>(block_length(b)));
    std::fill(first, first + static_cast<std::ptrdiff_t>(block_length(b)), 0.0);
  }
  if (!keys.empty()) paracel_bupdate_multi(keys, values, builtin::add);
  double dangling = 0;
  for (const auto& [b, r] : owned_ranks_) {
    for (std::size_t i = 0; i < r.size(); ++i)
      if (out_degree_[b * cfg_.block_size + i] == 0) dangling += r[i];
  }
  // Every worker's contributions are in once this reduction returns.
  dangling = get_comm().allreduce(dangling, reduce_op::sum);

  // 2. Finalise the owned blocks; reset their accumulators for the next iteration.
  const blocks sums = read("acc", owned_blocks_);
  double change = 0;
  blocks zeros;
  for (auto& [b, r] : owned_ranks_) {
    const auto& sum = sums.at(b);
    for (std::size_t i = 0; i < r.size(); ++i) {
      const double next = cfg_.damping * (sum[i] + dangling / n) + (1 - cfg_.damping) / n;
      change += std::abs(next - r[i]);
      r[i] = next;
    }
    zeros[b].assign(r.size(), 0.0);
  }
  write("rank", owned_ranks_);
  write("acc", zeros);
  change = get_comm().allreduce(change, reduce_op::sum);  // and every write is in
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
  const auto edges = get_comm().allreduce(static_cast<std::int64_t>(edges_.size()), reduce_op::sum);
  report("l1_change", last_change_);
  metrics m;
  m.set("vertices", static_cast<std::int64_t>(vertices_))
      .set("edges", edges)
      .set("rounds", rounds_)
      .set("last_l1_change", last_change_);
  paracel_dump_metrics(m, "pagerank");
}

}  // namespace paracel::alg
