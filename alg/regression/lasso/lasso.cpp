#include "lasso.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>

#include "paracel/log.hpp"
#include "server_sum.hpp"

namespace paracel::alg {

namespace {

constexpr const char* k_prefix = "lasso/";
constexpr const char* k_rounds = "lasso/round/";

double soft_threshold(double a, double lambda) {
  return a > lambda ? a - lambda : a < -lambda ? a + lambda : 0.0;
}

std::string round_key(std::int64_t clock) { return k_rounds + std::to_string(clock); }

}  // namespace

lasso::lasso(paralg_options options, lasso_config cfg)
    : paralg(std::move(options)), cfg_(std::move(cfg)) {}

void lasso::load() {
  train_ = load_examples(*this, cfg_.input, cfg_.format, false, 0, false);
  if (train_.total_rows == 0) throw error("no training examples in " + cfg_.input);
  n_ = static_cast<double>(train_.total_rows);
  columns_ = train_.x;
  const Eigen::Index p = columns_.cols();

  // Column sums, squares and x'y, and the label sum, over all rows: one sum on the servers.
  Eigen::VectorXd local = Eigen::VectorXd::Zero(3 * p + 1);
  for (Eigen::Index j = 0; j < p; ++j) {
    for (decltype(columns_)::InnerIterator it(columns_, j); it; ++it) {
      local[j] += it.value();
      local[p + j] += it.value() * it.value();
      local[2 * p + j] += it.value() * train_.y[it.index()];
    }
  }
  local[3 * p] = train_.y.sum();
  const Eigen::VectorXd sums = sum_over_workers(*this, std::string(k_prefix) + "stats", local);
  mean_ = cfg_.intercept ? Eigen::VectorXd(sums.head(p) / n_) : Eigen::VectorXd::Zero(p);
  diag_ = sums.segment(p, p);
  xty_ = sums.segment(2 * p, p);
  mean_y_ = cfg_.intercept ? sums[3 * p] / n_ : 0.0;
  var_y_ = get_comm().allreduce((train_.y.array() - mean_y_).square().sum(), reduce_op::sum) / n_;

  // A column that is empty or (with an intercept) constant cannot move: it is not eligible,
  // its weight stays 0. The test is relative, as the centred square cancels to rounding.
  scale_ = Eigen::VectorXd::Ones(p);
  var_ = Eigen::VectorXd::Zero(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    const double centred = diag_[j] / n_ - mean_[j] * mean_[j];
    if (!(centred > 1e-10 * diag_[j] / n_)) continue;
    if (cfg_.standardize) scale_[j] = std::sqrt(centred);
    var_[j] = centred / (scale_[j] * scale_[j]);
    eligible_.push_back(static_cast<int>(j));
  }
  // lambda_max: the largest |x~_j'y~| / n; at and above it w = 0 is optimal.
  for (int j : eligible_) {
    const double g = (xty_[j] - mean_y_ * n_ * mean_[j]) / (scale_[j] * n_);
    lambda_max_ = std::max(lambda_max_, std::abs(g));
  }
  u_ = train_.y;
  w_ = Eigen::VectorXd::Zero(p);
  schedule_.emplace(static_cast<std::size_t>(p), cfg_.schedule_size,
                    cfg_.schedule == "priority" ? coordinate_schedule::order::priority
                                                : coordinate_schedule::order::cyclic);
}

std::vector<double> lasso::penalties() const {
  const double lambda_max = lambda_max_;
  double last = 0;
  if (cfg_.lambda) {
    last = *cfg_.lambda;
  } else {
    const double ratio = cfg_.min_lambda_ratio > 0                   ? cfg_.min_lambda_ratio
                         : n_ > static_cast<double>(columns_.cols()) ? 1e-4
                                                                     : 1e-2;
    last = ratio * lambda_max;
  }
  if (cfg_.path_length == 1 || last >= lambda_max || lambda_max == 0) return {last};
  std::vector<double> path;
  const double step = std::log(last / lambda_max) / (cfg_.path_length - 1);
  for (int i = 0; i < cfg_.path_length; ++i) path.push_back(lambda_max * std::exp(step * i));
  path.back() = last;
  return path;
}

lasso::round lasso::plan_round(std::vector<int> coordinates) {
  round r;
  r.clock = clock_;
  // The Gram pairs of the round's sequential updates, and those between its coordinates and
  // the rounds still in flight (their changes are not yet in the residual the sums use).
  std::vector<std::uint64_t> needed;
  for (std::size_t a = 0; a < coordinates.size(); ++a) {
    for (std::size_t b = a + 1; b < coordinates.size(); ++b)
      needed.push_back(gram_cache::pair(coordinates[a], coordinates[b]));
    for (const round& q : in_flight_) {
      for (int k : q.coordinates) {
        if (k != coordinates[a]) needed.push_back(gram_cache::pair(coordinates[a], k));
      }
    }
  }
  std::sort(needed.begin(), needed.end());
  needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
  r.gram.assign(needed.size(), 0.0);
  for (std::size_t i = 0; i < needed.size(); ++i) {
    if (const double* known = gram_.find(needed[i])) {
      r.gram[i] = *known;
    } else {
      r.sent.push_back(i);
    }
  }
  r.pairs = std::move(needed);
  r.coordinates = std::move(coordinates);
  return r;
}

void lasso::push_round(const round& r) {
  // x_j'u for the round's coordinates, then the Gram pairs not yet known, over this
  // worker's rows; the servers add every worker's.
  std::vector<double> sums;
  sums.reserve(r.coordinates.size() + r.sent.size());
  for (int j : r.coordinates) sums.push_back(columns_.col(j).dot(u_));
  for (std::size_t i : r.sent) {
    const std::uint64_t p = r.pairs[i];
    sums.push_back(columns_.col(gram_cache::first(p)).dot(columns_.col(gram_cache::second(p))));
  }
  pairs_sent_ += static_cast<std::int64_t>(r.sent.size());
  paracel_bupdate(round_key(r.clock), sums, builtin::add);
}

void lasso::apply_round(round& r, double lambda) {
  const auto sums = paracel_read<std::vector<double>>(round_key(r.clock));
  const std::size_t count = r.coordinates.size();
  if (sums.size() != count + r.sent.size()) {
    throw error("round " + std::to_string(r.clock) + " of the Lasso has " +
                std::to_string(sums.size()) + " sums on the servers, expected " +
                std::to_string(count + r.sent.size()) + " (two jobs sharing the servers?)");
  }
  for (std::size_t i = 0; i < r.sent.size(); ++i) {
    r.gram[r.sent[i]] = sums[count + i];
    gram_.insert(r.pairs[r.sent[i]], r.gram[r.sent[i]]);
  }
  // The round's pairs are sorted: a lookup is a binary search, no per-round hash table.
  const auto entry = [&](int j, int k) {
    if (j == k) return diag_[j];
    const auto at = std::lower_bound(r.pairs.begin(), r.pairs.end(), gram_cache::pair(j, k));
    return r.gram[static_cast<std::size_t>(at - r.pairs.begin())];
  };

  // Round c was pushed with the rounds of clocks c - staleness .. c - 1 in flight: their
  // changes are the ones to take out of its sums.
  while (!recent_.empty() && recent_.front().clock < r.clock - cfg_.staleness) recent_.pop_front();
  r.changes.assign(count, 0.0);
  for (std::size_t i = 0; i < count; ++i) {
    const int j = r.coordinates[i];
    // x_j'u now: the pushed sum, less what the rounds in flight then and this round's
    // earlier updates took out of the residual since.
    double xu = sums[i];
    for (const round& q : recent_) {
      for (std::size_t k = 0; k < q.coordinates.size(); ++k)
        xu -= entry(j, q.coordinates[k]) * q.changes[k];
    }
    for (std::size_t k = 0; k < i; ++k) xu -= entry(j, r.coordinates[k]) * r.changes[k];
    // The gradient on the centred, scaled column: x~_j'r / n with r = u - mean_y + shift.
    const double g = (xu - (mean_y_ - shift_) * n_ * mean_[j]) / (scale_[j] * n_);
    const double beta = w_[j] * scale_[j];
    const double next = soft_threshold(g + var_[j] * beta, lambda) / var_[j];
    const double d = next - beta;
    if (d == 0) {
      schedule_->record_change(j, 0);
      continue;
    }
    tracked_objective_ += -d * g + var_[j] * d * d / 2 + lambda * (std::abs(next) - std::abs(beta));
    const double dw = d / scale_[j];
    w_[j] += dw;
    shift_ += mean_[j] * dw;
    r.changes[i] = dw;
    max_change_ = std::max(max_change_, var_[j] * d * d);
    schedule_->record_change(j, std::abs(d) * std::sqrt(var_[j]));
    for (decltype(columns_)::InnerIterator it(columns_, j); it; ++it)
      u_[it.index()] -= it.value() * dw;
  }
  recent_.push_back(std::move(r));
}

bool lasso::run_passes(double lambda, int& passes) {
  for (;;) {
    // Round c is pushed at clock c and applied at clock c + staleness + 1, when SSP
    // guarantees every worker's part is in. Once a pass is handed out, the clocks tick
    // without rounds until its last one is applied.
    if (!schedule_->pass_handed_out()) {
      round r = plan_round(schedule_->next_round());
      push_round(r);
      in_flight_.push_back(std::move(r));
    }
    report("objective", tracked_objective_);
    iter_commit();
    ++clock_;
    ++rounds_;
    while (!in_flight_.empty() && in_flight_.front().clock + cfg_.staleness + 1 <= clock_) {
      apply_round(in_flight_.front(), lambda);
      in_flight_.pop_front();
    }
    if (!schedule_->pass_handed_out() || !in_flight_.empty()) continue;
    // A pass is over and applied: every worker decides the same from the same changes.
    ++passes;
    trace_.push_back({static_cast<double>(passes), tracked_objective_});
    const bool quiet = max_change_ <= cfg_.tolerance * var_y_;
    max_change_ = 0;
    if (quiet) return true;
    if (passes >= cfg_.max_passes) return false;
    schedule_->next_pass();
  }
}

std::vector<int> lasso::violators(double lambda) {
  const Eigen::VectorXd g = gradient("kkt/" + std::to_string(checks_++));
  std::vector<int> out;
  for (int j : eligible_) {
    if (w_[j] == 0 && std::abs(g[j]) > lambda) out.push_back(j);
  }
  return out;
}

lasso::path_point lasso::solve_penalty(double lambda) {
  max_change_ = 0;
  tracked_objective_ = objective(lambda);
  trace_.clear();
  int passes = 0;
  bool converged = false;
  // glmnet's strategy: passes over the nonzero coordinates and those whose zero violates
  // the optimality conditions (|g_j| > lambda), until a check finds none. A zero that
  // passes the check would stay zero in a pass, so this is a full pass's proof without
  // the full pass: one gradient (a sum over workers) instead of p / schedule_size rounds.
  // At and above lambda_max, w = 0 is optimal: said outright, as glmnet does, because the
  // check below compares sums over workers whose order of addition varies, and one rounded
  // an ulp over lambda would move a coordinate off zero by 1e-17.
  const bool null_model = lambda >= lambda_max_ && w_.isZero(0);
  for (bool first = true; !null_model; first = false) {
    std::vector<int> working = violators(lambda);
    if (!first && working.empty()) {
      converged = true;
      break;
    }
    for (int j : eligible_) {
      if (w_[j] != 0) working.push_back(j);
    }
    if (working.empty()) {  // w = 0 is optimal
      converged = true;
      break;
    }
    std::sort(working.begin(), working.end());
    working.erase(std::unique(working.begin(), working.end()), working.end());
    schedule_->start(std::move(working));
    if (!run_passes(lambda, passes)) break;
  }
  recent_.clear();
  // Every worker has read every round: remove them before anyone pushes the next penalty's.
  paracel_sync();
  if (get_worker_id() == 0) paracel_remove_special(prefix_filter(k_rounds));
  paracel_sync();

  converged = converged || null_model;
  path_point point{lambda, objective(lambda), 0, passes, converged, {mean_y_ - shift_}};
  for (Eigen::Index j = 0; j < w_.size(); ++j) {
    point.nonzeros += w_[j] != 0;
    point.coefficients.push_back(w_[j]);
  }
  if (!converged && get_worker_id() == 0) {
    log::warn("lasso: lambda ", lambda, " did not converge in ", cfg_.max_passes,
              " passes (raise max_passes or tolerance)");
  }
  return point;
}

double lasso::squared_residuals() {
  double local = 0;
  for (Eigen::Index i = 0; i < u_.size(); ++i) local += residual(i) * residual(i);
  return get_comm().allreduce(local, reduce_op::sum);
}

double lasso::objective(double lambda) {
  return squared_residuals() / (2 * n_) + lambda * (w_.array().abs() * scale_.array()).sum();
}

Eigen::VectorXd lasso::gradient(const std::string& name) {
  // g_j = x~_j'r / n on the centred, scaled columns, from every worker's x_j'u.
  const Eigen::VectorXd xu = sum_over_workers(*this, std::string(k_rounds) + name,
                                              Eigen::VectorXd(columns_.transpose() * u_));
  return (xu.array() - (mean_y_ - shift_) * n_ * mean_.array()) / (scale_.array() * n_);
}

double lasso::max_kkt_violation(double lambda) {
  // The optimality conditions on the scaled problem: |g_j| <= lambda where w_j = 0,
  // g_j = lambda sign(w_j) elsewhere.
  const Eigen::VectorXd g = gradient("kkt/final");
  double worst = 0;
  for (int j : eligible_) {
    worst = std::max(worst, w_[j] == 0 ? std::abs(g[j]) - lambda
                                       : std::abs(g[j] - lambda * (w_[j] > 0 ? 1 : -1)));
  }
  return worst;
}

void lasso::solve() {
  load();
  const auto start = std::chrono::steady_clock::now();
  std::vector<path_point> path;
  for (double lambda : penalties()) path.push_back(solve_penalty(lambda));  // warm starts
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_results(path, seconds);
}

void lasso::write_results(const std::vector<path_point>& path, double seconds) {
  const path_point& last = path.back();
  bool converged = true;
  std::int64_t passes = 0;
  for (const auto& point : path) {
    converged = converged && point.converged;
    passes += point.passes;
  }
  const double kkt = max_kkt_violation(last.lambda);
  const double squares = squared_residuals();
  report("objective", last.objective);
  metrics m;
  m.set("workers", get_worker_size())
      .set("rows", train_.total_rows)
      .set("dimension", static_cast<std::int64_t>(w_.size()))
      .set("schedule", cfg_.schedule)
      .set("schedule_size", cfg_.schedule_size)
      .set("staleness", cfg_.staleness)
      .set("path_length", static_cast<std::int64_t>(path.size()))
      .set("lambda", last.lambda)
      .set("lambda_max", lambda_max_)
      .set("objective", last.objective)
      .set("nonzeros", last.nonzeros)
      .set("intercept", last.coefficients.front())
      .set("train_rmse", std::sqrt(squares / n_))
      .set("kkt_violation", kkt)
      .set("converged", converged)
      .set("passes", passes)
      .set("rounds", rounds_)
      .set("gram_pairs_sent", pairs_sent_)
      .set("train_seconds", seconds);
  if (!cfg_.test_input.empty()) {
    const examples test =
        load_examples(*this, cfg_.test_input, cfg_.format, false, w_.size(), false);
    const double local =
        ((test.x * w_).array() + last.coefficients.front() - test.y.array()).square().sum();
    const double total = get_comm().allreduce(local, reduce_op::sum);
    m.set("test_rows", test.total_rows)
        .set("test_rmse",
             std::sqrt(total / std::max<double>(1, static_cast<double>(test.total_rows))));
  }
  std::vector<double> model;
  std::vector<std::vector<double>> rows, coefficients;
  if (get_worker_id() == 0) {
    model.assign(last.coefficients.begin() + 1, last.coefficients.end());
    model.push_back(last.coefficients.front());
    for (const auto& point : path) {
      rows.push_back({point.lambda, point.objective, static_cast<double>(point.nonzeros),
                      static_cast<double>(point.passes), point.converged ? 1.0 : 0.0});
      coefficients.push_back(point.coefficients);
    }
  }
  paracel_dump_vector(model, "model");
  paracel_dump_vector(rows, "path");
  paracel_dump_vector(coefficients, "path_coefficients");
  paracel_dump_vector(get_worker_id() == 0 ? trace_ : decltype(trace_){}, "objective_trace");
  paracel_sync();
  if (get_worker_id() == 0) paracel_remove_special(prefix_filter(k_prefix));
  paracel_dump_metrics(m, "lasso");
}

}  // namespace paracel::alg
