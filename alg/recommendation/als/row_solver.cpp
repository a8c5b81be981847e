#include "row_solver.hpp"

#include <Eigen/Cholesky>

#include "paracel/error.hpp"

namespace paracel::alg {

namespace {

double penalty(const row_problem& p, Eigen::Index n) {
  return p.weighted ? p.lambda * static_cast<double>(n) : p.lambda;
}

// A v without forming A.
Eigen::VectorXd apply(const row_problem& p, const Eigen::MatrixXd& y,
                      const Eigen::VectorXd& extra_confidence, const Eigen::VectorXd& v,
                      double reg) {
  const Eigen::VectorXd yv = y * v;
  if (!p.implicit) return y.transpose() * yv + reg * v;
  return *p.gram * v + y.transpose() * extra_confidence.cwiseProduct(yv) + reg * v;
}

}  // namespace

Eigen::VectorXd solve_row(const row_problem& p, const Eigen::MatrixXd& fixed,
                          const Eigen::VectorXd& ratings, const Eigen::VectorXd& start) {
  const double reg = penalty(p, fixed.rows());
  // Implicit: c_i - 1 = alpha r_i on the rated rows, right-hand side Y_u' c_u (p_i = 1).
  const Eigen::VectorXd extra = p.alpha * ratings;
  const Eigen::VectorXd rhs =
      p.implicit ? Eigen::VectorXd(fixed.transpose() * (extra.array() + 1).matrix())
                 : Eigen::VectorXd(fixed.transpose() * ratings);
  if (p.cg) {
    Eigen::VectorXd x = start;
    Eigen::VectorXd r = rhs - apply(p, fixed, extra, x, reg);
    Eigen::VectorXd d = r;
    double rr = r.squaredNorm();
    for (int step = 0; step < p.cg_steps && rr > 0; ++step) {
      const Eigen::VectorXd ad = apply(p, fixed, extra, d, reg);
      const double alpha = rr / d.dot(ad);
      x += alpha * d;
      r -= alpha * ad;
      const double next = r.squaredNorm();
      d = r + (next / rr) * d;
      rr = next;
    }
    return x;
  }
  const auto k = fixed.cols();
  Eigen::MatrixXd a(k, k);
  if (p.implicit) {
    a = *p.gram + fixed.transpose() * extra.asDiagonal() * fixed;
  } else {
    a = fixed.transpose() * fixed;
  }
  a.diagonal().array() += reg;
  const Eigen::LLT<Eigen::MatrixXd> cholesky(a);
  if (cholesky.info() != Eigen::Success)
    throw error(
        "als: a row's normal equations are not positive definite (negative ratings "
        "with implicit feedback?)");
  return cholesky.solve(rhs);
}

}  // namespace paracel::alg
