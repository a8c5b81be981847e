#include "ridge.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <chrono>
#include <cmath>

namespace paracel::alg {

namespace {
constexpr const char* k_prefix = "ridge/";
}  // namespace

ridge::ridge(paralg_options options, ridge_config cfg)
    : paralg(std::move(options)), cfg_(std::move(cfg)) {}

Eigen::VectorXd ridge::sum_over_workers(const std::string& name, const Eigen::VectorXd& local) {
  return alg::sum_over_workers(*this, k_prefix + name, local);
}

void ridge::centre() {
  const Eigen::Index p = train_.x.cols();
  Eigen::VectorXd local = Eigen::VectorXd::Zero(p + 1);
  if (cfg_.intercept) {
    for (int r = 0; r < train_.x.outerSize(); ++r) {
      for (decltype(train_.x)::InnerIterator it(train_.x, r); it; ++it)
        local[it.col()] += it.value();
    }
    local[p] = train_.y.sum();
  }
  const Eigen::VectorXd sums = sum_over_workers("means", local);
  mean_x_ = sums.head(p) / n_;
  mean_y_ = sums[p] / n_;
}

Eigen::VectorXd ridge::solve_normal() {
  const Eigen::Index p = train_.x.cols();
  // X'X of this worker's rows, dense (moderate p), then X'y: one vector of p*p + p values,
  // added to the servers in blocks of block_rows Gram rows.
  const Eigen::MatrixXd gram = Eigen::MatrixXd(train_.x.transpose() * train_.x);
  const Eigen::VectorXd xty = train_.x.transpose() * train_.y;
  Eigen::MatrixXd total(p, p);
  for (Eigen::Index first = 0; first < p; first += cfg_.block_rows) {
    const Eigen::Index rows = std::min<Eigen::Index>(cfg_.block_rows, p - first);
    const Eigen::MatrixXd block = gram.middleRows(first, rows);  // column-major copy
    const Eigen::VectorXd flat = Eigen::Map<const Eigen::VectorXd>(block.data(), block.size());
    const Eigen::VectorXd summed = sum_over_workers("gram/" + std::to_string(first), flat);
    total.middleRows(first, rows) = Eigen::Map<const Eigen::MatrixXd>(summed.data(), rows, p);
  }
  Eigen::VectorXd rhs = sum_over_workers("xty", xty);
  // Centre: Xc'Xc = X'X - n mx mx', Xc'yc = X'y - n mx my (both zero shifts without b).
  total -= n_ * mean_x_ * mean_x_.transpose();
  rhs -= n_ * mean_y_ * mean_x_;
  total.diagonal().array() += n_ * cfg_.lambda;

  // Worker 0 solves; a failure there is raised on every worker (none waits in a collective).
  Eigen::VectorXd w;
  get_comm().all_or_none([&] {
    if (get_worker_id() != 0) return;
    const Eigen::LLT<Eigen::MatrixXd> cholesky(total);
    if (cholesky.info() != Eigen::Success) {
      throw error(
          "the normal equations are singular (a constant or repeated column with "
          "lambda = 0?); use lambda > 0");
    }
    w = cholesky.solve(rhs);
  });
  return w;
}

Eigen::VectorXd ridge::apply_system(const Eigen::VectorXd& v, int round) {
  // X'(X v) over this worker's rows, then the centring and the penalty on the sum.
  const Eigen::VectorXd xv = train_.x * v;
  const Eigen::VectorXd local = train_.x.transpose() * xv;
  const Eigen::VectorXd xtxv = sum_over_workers("cg/" + std::to_string(round), local);
  if (get_worker_id() == 0 && round > 0) {
    paracel_remove_special(
        prefix_filter(std::string(k_prefix) + "cg/" + std::to_string(round - 1) + "/"));
  }
  return xtxv - n_ * mean_x_ * mean_x_.dot(v) + n_ * cfg_.lambda * v;
}

Eigen::VectorXd ridge::solve_cg() {
  const Eigen::Index p = train_.x.cols();
  // The Jacobi preconditioner: the system's diagonal, sum x_ij^2 - n mx_j^2 + n lambda.
  Eigen::VectorXd squares = Eigen::VectorXd::Zero(p);
  for (int r = 0; r < train_.x.outerSize(); ++r) {
    for (decltype(train_.x)::InnerIterator it(train_.x, r); it; ++it)
      squares[it.col()] += it.value() * it.value();
  }
  Eigen::VectorXd diagonal = sum_over_workers("diagonal", squares);
  diagonal.array() += -n_ * mean_x_.array().square() + n_ * cfg_.lambda;
  diagonal = diagonal.unaryExpr([](double d) { return d > 0 ? d : 1.0; });  // empty columns
  const Eigen::VectorXd rhs =
      sum_over_workers("xty", train_.x.transpose() * train_.y) - n_ * mean_y_ * mean_x_;

  // Every worker runs the same iteration on the same sums: the same w everywhere.
  Eigen::VectorXd& w = cg_.w;
  Eigen::VectorXd& r = cg_.r;
  Eigen::VectorXd& d = cg_.d;
  double& rz = cg_.rz;
  Eigen::VectorXd z;
  if (const auto* state = resumed_state()) {
    w = vector_of(state->get<std::vector<double>>("w"));
    r = vector_of(state->get<std::vector<double>>("r"));
    d = vector_of(state->get<std::vector<double>>("d"));
    rz = state->get<double>("rz");
  } else {
    w = Eigen::VectorXd::Zero(p);
    r = rhs;
    z = r.cwiseQuotient(diagonal);
    d = z;
    rz = r.dot(z);
  }
  const double target = cfg_.tolerance * std::max(rhs.norm(), 1e-300);
  residual_ = rhs.norm() > 0 ? 1.0 : 0.0;
  set_total_iters(cfg_.max_rounds);
  for (rounds_ = get_current_iter(); rounds_ < cfg_.max_rounds && r.norm() > target; ++rounds_) {
    const Eigen::VectorXd ad = apply_system(d, rounds_);
    const double curvature = d.dot(ad);
    if (!(curvature > 0)) {
      throw error(
          "the system is singular (a constant or repeated column with lambda = 0?); "
          "use lambda > 0");
    }
    const double step = rz / curvature;
    w += step * d;
    r -= step * ad;
    z = r.cwiseQuotient(diagonal);
    const double rz_next = r.dot(z);
    d = z + (rz_next / rz) * d;
    rz = rz_next;
    if (rhs.norm() > 0) report("relative_residual", r.norm() / rhs.norm());
    iter_commit();
  }
  residual_ = rhs.norm() > 0 ? r.norm() / rhs.norm() : 0.0;
  return w;
}

Eigen::VectorXd ridge::solve_ipm() {
  const Eigen::Index p = train_.x.cols();
  const Eigen::Index rows = train_.x.rows();
  const double workers = get_worker_size();
  // The model and the intercept in one vector; every worker starts each pass from the mean.
  Eigen::VectorXd& shared = ipm_shared_;
  shared = Eigen::VectorXd::Zero(p + 1);
  if (const auto* state = resumed_state())
    shared = vector_of(state->get<std::vector<double>>("shared"));
  set_total_iters(cfg_.rounds);
  for (rounds_ = get_current_iter(); rounds_ < cfg_.rounds; ++rounds_) {
    const double rate = cfg_.learning_rate / (1 + cfg_.decay * rounds_);
    Eigen::VectorXd w = shared.head(p);
    double b = shared[p];
    for (Eigen::Index first = 0; first < rows; first += cfg_.batch_size) {
      const Eigen::Index len = std::min<Eigen::Index>(cfg_.batch_size, rows - first);
      const Eigen::VectorXd residual =
          (train_.x.middleRows(first, len) * w).array() + b - train_.y.segment(first, len).array();
      const Eigen::VectorXd gradient =
          train_.x.middleRows(first, len).transpose() * residual / static_cast<double>(len) +
          cfg_.lambda * w;
      w -= rate * gradient;
      if (cfg_.intercept) b -= rate * residual.mean();
    }
    Eigen::VectorXd local(p + 1);
    local << w / workers, b / workers;
    shared = sum_over_workers("ipm/" + std::to_string(rounds_), local);
    if (get_worker_id() == 0 && rounds_ > 0) {
      paracel_remove_special(
          prefix_filter(std::string(k_prefix) + "ipm/" + std::to_string(rounds_ - 1) + "/"));
    }
    iter_commit();
  }
  intercept_ipm_ = shared[p];
  return shared.head(p);
}

void ridge::solve() {
  train_ = load_examples(*this, cfg_.input, cfg_.format, false, 0, false);
  n_ = static_cast<double>(train_.total_rows);
  if (train_.total_rows == 0) throw error("no training examples in " + cfg_.input);
  const auto start = std::chrono::steady_clock::now();
  // Resumed: the sums formed before the iterations were restored with the rest; they are
  // formed again (the iterations keep their state in the workers, save_state).
  if (resuming() && get_worker_id() == 0) {
    for (const char* name : {"means/", "diagonal/", "xty/"})
      paracel_remove_special(prefix_filter(std::string(k_prefix) + name));
  }
  paracel_sync();
  centre();
  Eigen::VectorXd w = cfg_.method == "normal" ? solve_normal()
                      : cfg_.method == "cg"   ? solve_cg()
                                              : solve_ipm();
  // Worker 0's solution (normal) or everyone's identical one (cg), on every worker.
  std::vector<double> model = to_std(w);
  get_comm().bcast(model, 0);
  w = Eigen::Map<const Eigen::VectorXd>(model.data(), static_cast<Eigen::Index>(model.size()));
  train_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_results(w);
  paracel_sync();
  if (get_worker_id() == 0) paracel_remove_special(prefix_filter(k_prefix));
}

void ridge::save_state(worker_state& state) const {
  if (cfg_.method == "cg") {
    state.put("w", to_std(cg_.w));
    state.put("r", to_std(cg_.r));
    state.put("d", to_std(cg_.d));
    state.put("rz", cg_.rz);
  } else if (cfg_.method == "ipm") {
    state.put("shared", to_std(ipm_shared_));
  }
}

Eigen::VectorXd ridge::vector_of(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

double ridge::half_mean_squared_error(const examples& data, const Eigen::VectorXd& w, double b) {
  const double local = ((data.x * w).array() + b - data.y.array()).square().sum();
  const double total = get_comm().allreduce(local, reduce_op::sum);
  return total / (2.0 * static_cast<double>(std::max<std::int64_t>(data.total_rows, 1)));
}

void ridge::write_results(const Eigen::VectorXd& w) {
  const double b = cfg_.method == "ipm" ? intercept_ipm_
                   : cfg_.intercept     ? mean_y_ - mean_x_.dot(w)
                                        : 0.0;
  const double half_mse = half_mean_squared_error(train_, w, b);
  report("objective", half_mse + cfg_.lambda / 2 * w.squaredNorm());
  metrics m;
  m.set("method", cfg_.method)
      .set("workers", get_worker_size())
      .set("rows", train_.total_rows)
      .set("dimension", static_cast<std::int64_t>(w.size()))
      .set("lambda", cfg_.lambda)
      .set("train_objective", half_mse + cfg_.lambda / 2 * w.squaredNorm())
      .set("train_rmse", std::sqrt(2 * half_mse))
      .set("intercept", b)
      .set("train_seconds", train_seconds_);
  if (cfg_.method == "cg") m.set("rounds", rounds_).set("relative_residual", residual_);
  if (cfg_.method == "ipm") m.set("rounds", rounds_).set("learning_rate", cfg_.learning_rate);
  if (!cfg_.test_input.empty()) {
    const examples test =
        load_examples(*this, cfg_.test_input, cfg_.format, false, w.size(), false);
    m.set("test_rows", test.total_rows)
        .set("test_rmse", std::sqrt(2 * half_mean_squared_error(test, w, b)));
  }
  std::vector<double> model;  // the weights, then the intercept (0 without one)
  if (get_worker_id() == 0) {
    model = to_std(w);
    model.push_back(b);
  }
  paracel_dump_vector(model, "model");
  paracel_dump_metrics(m, "ridge");
}

}  // namespace paracel::alg
