#include "similarity.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <sstream>
#include <unordered_map>

namespace paracel::alg {

namespace {

constexpr const char* k_prefix = "similarity/";

// Rows [first, first + n) of `rows` as a dense matrix of `width` columns.
Eigen::MatrixXd densify(const named_rows& rows, std::size_t first, std::size_t n,
                        std::uint64_t width) {
  Eigen::MatrixXd out =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(width));
  for (std::size_t r = 0; r < n; ++r) {
    for (auto at = rows.offsets[first + r]; at < rows.offsets[first + r + 1]; ++at)
      out(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(rows.cols[at])) = rows.values[at];
  }
  return out;
}

}  // namespace

similarity::similarity(paralg_options options, similarity_config cfg)
    : paralg(std::move(options)), cfg_(std::move(cfg)) {}

std::vector<std::string> similarity::publish_chunks() {
  const named_rows& rows = sets_.candidates;
  const auto size = static_cast<std::size_t>(cfg_.block_rows);
  std::vector<std::string> mine;
  for (std::size_t first = 0; first < rows.size(); first += size) {
    const std::size_t n = std::min(size, rows.size() - first);
    named_rows chunk;
    chunk.names.assign(rows.names.begin() + static_cast<std::ptrdiff_t>(first),
                       rows.names.begin() + static_cast<std::ptrdiff_t>(first + n));
    const auto from = rows.offsets[first], to = rows.offsets[first + n];
    for (std::size_t r = 1; r <= n; ++r) chunk.offsets.push_back(rows.offsets[first + r] - from);
    chunk.cols.assign(rows.cols.begin() + static_cast<std::ptrdiff_t>(from),
                      rows.cols.begin() + static_cast<std::ptrdiff_t>(to));
    chunk.values.assign(rows.values.begin() + static_cast<std::ptrdiff_t>(from),
                        rows.values.begin() + static_cast<std::ptrdiff_t>(to));
    mine.push_back(k_prefix + std::to_string(get_worker_id()) + "/" + std::to_string(first / size));
    paracel_write(mine.back(), chunk);
  }
  paracel_sync();  // every worker's chunks are in
  std::vector<std::string> keys;
  for (auto& from : get_comm().allgather(mine)) keys.insert(keys.end(), from.begin(), from.end());
  return keys;
}

void similarity::consider(std::size_t query, double score, const named_rows& chunk,
                          std::size_t row) {
  ++pairs_scored_;
  if (score < cfg_.threshold || !best_[query].admits(score)) return;
  if (sets_.same && chunk.names[row] == sets_.queries.names[query]) return;  // itself
  best_[query].offer(score, chunk.names[row]);
}

void similarity::score_sparse(const named_rows& chunk) {
  // Inverted index of the chunk: column -> (row, value).
  std::unordered_map<std::uint64_t, std::vector<std::pair<std::uint32_t, double>>> postings;
  for (std::size_t r = 0; r < chunk.size(); ++r) {
    for (auto at = chunk.offsets[r]; at < chunk.offsets[r + 1]; ++at)
      postings[chunk.cols[at]].emplace_back(static_cast<std::uint32_t>(r), chunk.values[at]);
  }
  const named_rows& queries = sets_.queries;
  const bool jaccard = cfg_.measure == "jaccard";
  std::vector<double> overlap(chunk.size(), 0.0);
  std::vector<std::uint32_t> touched;
  for (std::size_t q = 0; q < queries.size(); ++q) {
    for (auto at = queries.offsets[q]; at < queries.offsets[q + 1]; ++at) {
      const auto it = postings.find(queries.cols[at]);
      if (it == postings.end()) continue;
      for (const auto& [row, value] : it->second) {
        if (overlap[row] == 0) touched.push_back(row);
        overlap[row] += queries.values[at] * value;
      }
    }
    // Rows sharing no column score 0 and are not neighbours.
    for (auto row : touched) {
      const double shared = overlap[row];
      overlap[row] = 0;
      if (shared == 0) continue;  // cosine terms that cancelled exactly
      const double score = jaccard
                               ? shared / static_cast<double>(queries.count(q) + chunk.count(row) -
                                                              static_cast<std::uint64_t>(shared))
                               : shared;
      consider(q, score, chunk, row);
    }
    touched.clear();
  }
}

void similarity::score_dense(const named_rows& chunk) {
  const Eigen::MatrixXd candidates = densify(chunk, 0, chunk.size(), sets_.columns);
  const std::size_t slice = static_cast<std::size_t>(cfg_.block_rows);
  for (std::size_t first = 0; first < sets_.queries.size(); first += slice) {
    const std::size_t n = std::min(slice, sets_.queries.size() - first);
    const Eigen::MatrixXd scores =
        densify(sets_.queries, first, n, sets_.columns) * candidates.transpose();
    for (std::size_t q = 0; q < n; ++q) {
      for (std::size_t r = 0; r < chunk.size(); ++r)
        consider(first + q, scores(static_cast<Eigen::Index>(q), static_cast<Eigen::Index>(r)),
                 chunk, r);
    }
  }
}

void similarity::solve() {
  const auto start = std::chrono::steady_clock::now();
  sets_ = load_row_sets(*this, cfg_);
  best_.assign(sets_.queries.size(), neighbours(static_cast<std::size_t>(cfg_.top_k)));
  const auto keys = publish_chunks();
  const auto loaded = std::chrono::steady_clock::now();
  for (const auto& key : keys) {
    const auto chunk = paracel_read<named_rows>(key);
    if (cfg_.format == "dense") {
      score_dense(chunk);
    } else {
      score_sparse(chunk);
    }
  }
  paracel_sync();  // nobody removes a chunk another worker still reads
  if (get_worker_id() == 0) paracel_remove_special(prefix_filter(k_prefix));
  const auto scored = std::chrono::steady_clock::now();

  std::vector<std::string> lines;
  std::int64_t listed = 0;
  for (std::size_t q = 0; q < best_.size(); ++q) {
    std::ostringstream line;
    line << std::setprecision(17) << sets_.queries.names[q] << '\t';
    bool first = true;
    for (const auto& [score, name] : best_[q].sorted()) {
      line << (first ? "" : ",") << name << ':' << score;
      first = false;
      ++listed;
    }
    lines.push_back(line.str());
  }
  paracel_dump_vector(lines, "neighbours");
  const comm& workers = get_comm();
  metrics m;
  m.set("measure", cfg_.measure)
      .set("top_k", cfg_.top_k)
      .set("workers", get_worker_size())
      .set("rows",
           workers.allreduce(static_cast<std::int64_t>(sets_.queries.size()), reduce_op::sum))
      .set("candidates",
           workers.allreduce(static_cast<std::int64_t>(sets_.candidates.size()), reduce_op::sum))
      .set("columns", static_cast<std::int64_t>(sets_.columns))
      .set("neighbours", workers.allreduce(listed, reduce_op::sum))
      .set("pairs_scored",
           workers.allreduce(static_cast<std::int64_t>(pairs_scored_), reduce_op::sum))
      .set("load_seconds", std::chrono::duration<double>(loaded - start).count())
      .set("score_seconds", std::chrono::duration<double>(scored - loaded).count());
  paracel_dump_metrics(m, "similarity");
}

}  // namespace paracel::alg
