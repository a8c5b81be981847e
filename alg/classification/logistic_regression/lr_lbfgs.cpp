// Method lbfgs: limited-memory BFGS on the full objective with a backtracking (Armijo) line
// search. Each evaluation of the objective and its gradient is one pass over every worker's
// rows, summed over the workers with one reduction; every worker then runs the same
// iteration on the same sums, so all hold the same model and history without exchanging
// them, and worker 0 writes each new model to the servers.
#include <algorithm>
#include <cmath>

#include "lbfgs_history.hpp"
#include "logistic_regression.hpp"
#include "lr_math.hpp"

namespace paracel::alg {

namespace {

constexpr double k_sufficient_decrease = 1e-4;  // Armijo's c1
constexpr int k_max_halvings = 40;
// An iteration that lowers the objective by less than this (relative) ends the run.
constexpr double k_relative_decrease = 1e-15;

}  // namespace

double logistic_regression::full_objective(const Eigen::VectorXd& w, Eigen::VectorXd& gradient) {
  double loss = 0;
  const Eigen::VectorXd local = logistic_gradient(train_.x, train_.y, w, &loss);
  std::vector<double> sums(local.data(), local.data() + local.size());
  sums.push_back(loss);
  sums = get_comm().allreduce(sums, reduce_op::sum);
  const double n = static_cast<double>(train_.total_rows);
  gradient = Eigen::Map<const Eigen::VectorXd>(sums.data(), dimension_) / n + cfg_.l2 * w;
  return sums.back() / n + cfg_.l2 / 2 * w.squaredNorm();
}

void logistic_regression::train_lbfgs() {
  set_total_iters(cfg_.rounds);
  Eigen::VectorXd x = read_model(0);
  lbfgs_history history(static_cast<std::size_t>(cfg_.lbfgs_memory));
  history.restore(lbfgs_pairs_, dimension_);
  Eigen::VectorXd g;
  double f = full_objective(x, g);
  for (int t = get_current_iter(); t < cfg_.rounds; ++t) {
    snapshot(t, x);
    report("loss", f);
    Eigen::VectorXd direction = -history.apply(g);
    double slope = direction.dot(g);
    if (!(slope < 0)) {  // not a descent direction (rounding): start over from the gradient
      history.clear();
      direction = -g;
      slope = -g.squaredNorm();
    }
    if (slope == 0) break;  // the gradient is zero: x is the optimum
    // The first step has no curvature to scale it: a unit-length move along -g.
    double step = history.empty() ? std::min(1.0, 1 / std::sqrt(-slope)) : 1.0;
    Eigen::VectorXd next, next_g;
    double next_f = f;
    bool decreased = false;
    for (int halving = 0; halving <= k_max_halvings && !decreased; ++halving, step /= 2) {
      next = x + step * direction;
      next_f = full_objective(next, next_g);
      decreased = next_f <= f + k_sufficient_decrease * step * slope;
    }
    // Every worker took the same decisions on the same sums: all stop at the same iteration.
    if (!decreased) break;  // no step decreases f enough: x is optimal to rounding
    const bool converged = f - next_f <= k_relative_decrease * std::max(1.0, std::abs(f));
    history.add(next - x, next_g - g);
    x = std::move(next);
    g = std::move(next_g);
    f = next_f;
    write_model(x);
    lbfgs_pairs_ = history.flatten();
    maybe_straggle();
    iter_commit();
    if (converged) break;
  }
}

}  // namespace paracel::alg
