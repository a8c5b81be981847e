#include "kmeans.hpp"

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <limits>
#include <set>
#include <sstream>

#include "paracel/load.hpp"

namespace paracel::alg {

namespace {

// The numbers of a line (separated by spaces, tabs or commas).
std::vector<double> parse_numbers(std::string_view line, const line_location& where) {
  std::vector<double> out;
  for (auto field : split_fields(line)) out.push_back(parse_number(field, where, line));
  return out;
}

std::string format_row(const Eigen::RowVectorXd& row) {
  std::ostringstream out;
  out << std::setprecision(17);
  for (Eigen::Index j = 0; j < row.size(); ++j) out << (j ? " " : "") << row[j];
  return out.str();
}

}  // namespace

kmeans::kmeans(paralg_options options, kmeans_config cfg)
    : paralg(std::move(options)), cfg_(std::move(cfg)), shared_rng_(cfg_.seed) {}

void kmeans::load_points() {
  std::vector<std::vector<double>> rows;
  paracel_load_handle(cfg_.input, [&](std::string_view line, const line_location& where) {
    auto row = parse_numbers(line, where);
    if (row.empty()) return;  // blank line
    if (!rows.empty() && row.size() != rows.front().size()) {
      throw_parse_error(
          where, line,
          "expected " + std::to_string(rows.front().size()) + " coordinates like the lines before");
    }
    rows.push_back(std::move(row));
  });
  const auto local_dim = static_cast<std::int64_t>(rows.empty() ? 0 : rows.front().size());
  const auto dim = get_comm().allreduce(local_dim, reduce_op::max);
  const bool agree = rows.empty() || local_dim == dim;
  if (get_comm().allreduce(agree ? 0 : 1, reduce_op::max) != 0)
    throw error("kmeans: the points of " + cfg_.input + " do not all have the same dimension");
  points_.resize(static_cast<Eigen::Index>(rows.size()), dim);
  for (std::size_t i = 0; i < rows.size(); ++i)
    points_.row(static_cast<Eigen::Index>(i)) =
        Eigen::Map<const Eigen::RowVectorXd>(rows[i].data(), dim);
  counts_ = get_comm().allgather(static_cast<std::int64_t>(points_.rows()));
  std::int64_t total = 0;
  for (auto c : counts_) total += c;
  if (total == 0) throw error("kmeans: no points in " + cfg_.input);
  if (total < cfg_.k && cfg_.init != "file") {
    throw error("kmeans: k = " + std::to_string(cfg_.k) + " but only " + std::to_string(total) +
                " points");
  }
}

Eigen::RowVectorXd kmeans::point_at(std::uint64_t index) {
  int owner = 0;
  while (index >= static_cast<std::uint64_t>(counts_[static_cast<std::size_t>(owner)])) {
    index -= static_cast<std::uint64_t>(counts_[static_cast<std::size_t>(owner)]);
    ++owner;
  }
  std::vector<double> row;
  if (owner == get_worker_id()) {
    const Eigen::RowVectorXd p = points_.row(static_cast<Eigen::Index>(index));
    row.assign(p.data(), p.data() + p.size());
  }
  get_comm().bcast(row, owner);
  return Eigen::Map<const Eigen::RowVectorXd>(row.data(), static_cast<Eigen::Index>(row.size()));
}

Eigen::MatrixXd kmeans::random_points() {
  std::uint64_t total = 0;
  for (auto c : counts_) total += static_cast<std::uint64_t>(c);
  std::set<std::uint64_t> picked;
  Eigen::MatrixXd centres(cfg_.k, points_.cols());
  for (int c = 0; c < cfg_.k;) {
    const auto index = static_cast<std::uint64_t>(shared_uniform() * static_cast<double>(total));
    if (!picked.insert(index).second) continue;
    centres.row(c++) = point_at(index);
  }
  return centres;
}

Eigen::MatrixXd kmeans::kmeans_plus_plus() {
  std::uint64_t total = 0;
  for (auto c : counts_) total += static_cast<std::uint64_t>(c);
  Eigen::MatrixXd centres(cfg_.k, points_.cols());
  centres.row(0) =
      point_at(static_cast<std::uint64_t>(shared_uniform() * static_cast<double>(total)));
  Eigen::VectorXd nearest = (points_.rowwise() - centres.row(0)).rowwise().squaredNorm();
  for (int c = 1; c < cfg_.k; ++c) {
    // Pick a point with probability proportional to its squared distance to the centres
    // so far: the workers' sums locate the worker, its cumulative sums the point.
    const auto sums = get_comm().allgather(nearest.sum());
    double all = 0;
    for (double s : sums) all += s;
    const double u = shared_uniform();
    if (all <= 0) {  // fewer distinct points than clusters: any point will do
      centres.row(c) = point_at(static_cast<std::uint64_t>(u * static_cast<double>(total)));
    } else {
      double target = u * all;
      int owner = 0;
      while (owner + 1 < get_worker_size() && target >= sums[static_cast<std::size_t>(owner)]) {
        target -= sums[static_cast<std::size_t>(owner)];
        ++owner;
      }
      std::vector<double> row;
      if (owner == get_worker_id()) {
        Eigen::Index i = 0;
        for (double cumulative = 0; i + 1 < nearest.size(); ++i) {
          cumulative += nearest[i];
          if (cumulative > target) break;
        }
        const Eigen::RowVectorXd p = points_.row(i);
        row.assign(p.data(), p.data() + p.size());
      }
      get_comm().bcast(row, owner);
      centres.row(c) = Eigen::Map<const Eigen::RowVectorXd>(row.data(), points_.cols());
    }
    nearest = nearest.cwiseMin((points_.rowwise() - centres.row(c)).rowwise().squaredNorm());
  }
  return centres;
}

Eigen::MatrixXd kmeans::initial_centres() {
  if (cfg_.init == "kmeans++") return kmeans_plus_plus();
  if (cfg_.init == "random") return random_points();
  std::vector<std::vector<double>> rows;
  // Every worker reads the whole file (a bad line is named on each of them).
  for_each_line(expand_inputs(cfg_.init_centres),
                [&](std::string_view line, const line_location& where) {
                  auto row = parse_numbers(line, where);
                  if (!row.empty()) rows.push_back(std::move(row));
                });
  if (static_cast<int>(rows.size()) != cfg_.k)
    throw error(cfg_.init_centres + ": " + std::to_string(rows.size()) +
                " centres, k = " + std::to_string(cfg_.k));
  Eigen::MatrixXd centres(cfg_.k, points_.cols());
  for (int c = 0; c < cfg_.k; ++c) {
    if (static_cast<Eigen::Index>(rows[static_cast<std::size_t>(c)].size()) != points_.cols())
      throw error(cfg_.init_centres + ": centre " + std::to_string(c + 1) + " has " +
                  std::to_string(rows[static_cast<std::size_t>(c)].size()) +
                  " coordinates, the points " + std::to_string(points_.cols()));
    centres.row(c) = Eigen::Map<const Eigen::RowVectorXd>(rows[static_cast<std::size_t>(c)].data(),
                                                          points_.cols());
  }
  return centres;
}

std::vector<double> kmeans::assign(const Eigen::MatrixXd& centres, std::vector<int>* labels) const {
  const Eigen::Index k = centres.rows(), d = centres.cols();
  std::vector<double> acc(static_cast<std::size_t>(k * d + k + 1), 0.0);
  if (labels) labels->assign(static_cast<std::size_t>(points_.rows()), 0);
  // In many dimensions the nearest centre comes from |x|^2 - 2 x.c + |c|^2 with one matrix
  // product per block of points (BLAS-like speed); in few, from the plain distances, which
  // keep exact ties (the lowest index wins) on integer-valued data.
  const bool by_product = d >= 16;
  const Eigen::VectorXd centre_norms = centres.rowwise().squaredNorm();
  constexpr Eigen::Index k_block = 256;
  Eigen::MatrixXd products;
  for (Eigen::Index first = 0; first < points_.rows(); first += k_block) {
    const Eigen::Index len = std::min(k_block, points_.rows() - first);
    if (by_product) products.noalias() = points_.middleRows(first, len) * centres.transpose();
    for (Eigen::Index r = 0; r < len; ++r) {
      const Eigen::Index i = first + r;
      Eigen::Index best = 0;
      if (by_product) {
        (centre_norms.transpose() - 2 * products.row(r)).minCoeff(&best);
      } else {
        (centres.rowwise() - points_.row(i)).rowwise().squaredNorm().minCoeff(&best);
      }
      const double distance = (centres.row(best) - points_.row(i)).squaredNorm();
      for (Eigen::Index j = 0; j < d; ++j)
        acc[static_cast<std::size_t>(best * d + j)] += points_(i, j);
      acc[static_cast<std::size_t>(k * d + best)] += 1;
      acc.back() += distance;
      if (labels) (*labels)[static_cast<std::size_t>(i)] = static_cast<int>(best);
    }
  }
  return acc;
}

namespace {

std::vector<double> flat(const Eigen::MatrixXd& m) { return {m.data(), m.data() + m.size()}; }

Eigen::MatrixXd matrix(const std::vector<double>& v, Eigen::Index rows) {
  return Eigen::Map<const Eigen::MatrixXd>(v.data(), rows,
                                           static_cast<Eigen::Index>(v.size()) / rows);
}

}  // namespace

// A checkpoint is taken inside round t's iter_commit, after the workers' sums of round t
// reached the servers: the state is the centres that round assigned to, and a resumed job
// picks round t up right after its commit.
void kmeans::save_state(worker_state& state) const {
  state.put("initial", flat(initial_));
  state.put("centres", flat(centres_));
}

void kmeans::solve() {
  load_points();
  int t = get_current_iter();
  bool committed = false;  // round t's sums are on the servers already
  if (const auto* state = resumed_state()) {
    initial_ = matrix(state->get<std::vector<double>>("initial"), cfg_.k);
    centres_ = matrix(state->get<std::vector<double>>("centres"), cfg_.k);
    t -= 1;
    committed = true;
  } else {
    initial_ = initial_centres();
    centres_ = initial_;
  }
  const Eigen::Index k = centres_.rows(), d = centres_.cols();
  set_total_iters(cfg_.max_rounds);
  double inertia = 0;
  int rounds = 0;
  const auto start = std::chrono::steady_clock::now();
  for (; t < cfg_.max_rounds; ++t, committed = false) {
    const std::string key = "km/acc/" + std::to_string(t);
    if (!committed) {
      const std::vector<double> sums = assign(centres_, nullptr);
      report("inertia", sums.back());  // of this worker's points
      paracel_bupdate(key, sums, builtin::add);
      iter_commit();
    }
    const auto acc = paracel_read<std::vector<double>>(key);  // waits for every worker's sums
    if (get_worker_id() == 0 && t > 0) paracel_remove("km/acc/" + std::to_string(t - 1));
    inertia = acc.back();
    rounds = t + 1;
    Eigen::MatrixXd next = centres_;
    double shift = 0;
    for (Eigen::Index c = 0; c < k; ++c) {
      const double count = acc[static_cast<std::size_t>(k * d + c)];
      if (count == 0) continue;  // an empty cluster keeps its centre
      for (Eigen::Index j = 0; j < d; ++j)
        next(c, j) = acc[static_cast<std::size_t>(c * d + j)] / count;
      shift = std::max(shift, (next.row(c) - centres_.row(c)).norm());
    }
    if (shift <= cfg_.tolerance || t + 1 == cfg_.max_rounds) break;  // `inertia` is centres'
    centres_ = next;
  }
  seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<int> labels;
  if (cfg_.dump_assignments) assign(centres_, &labels);
  paracel_sync();
  if (get_worker_id() == 0) paracel_remove_special(prefix_filter("km/"));
  write_results(initial_, centres_, inertia, rounds, labels);
}

void kmeans::write_results(const Eigen::MatrixXd& initial, const Eigen::MatrixXd& centres,
                           double inertia, int rounds, const std::vector<int>& labels) {
  std::vector<std::string> centre_lines, initial_lines;
  metrics m;
  if (get_worker_id() == 0) {
    for (Eigen::Index c = 0; c < centres.rows(); ++c) {
      centre_lines.push_back(format_row(centres.row(c)));
      initial_lines.push_back(format_row(initial.row(c)));
    }
    std::int64_t total = 0;
    for (auto c : counts_) total += c;
    m.set("k", cfg_.k)
        .set("dimension", static_cast<std::int64_t>(centres.cols()))
        .set("points", total)
        .set("rounds", rounds)
        .set("seconds", seconds_)
        .set("inertia", inertia);
  }
  paracel_dump_vector(centre_lines, "centres");
  paracel_dump_vector(initial_lines, "initial_centres");
  paracel_dump_metrics(m, "kmeans");
  if (cfg_.dump_assignments) paracel_dump_vector(labels, "assignments");
}

}  // namespace paracel::alg
