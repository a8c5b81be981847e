// Ridge regression on a parameter server: minimises
//   1/(2n) |y - Xw - b|^2 + lambda/2 |w|^2          (b, the intercept, is not penalised)
// whose minimiser solves (Xc'Xc + n lambda I) w = Xc'yc, Xc and yc centred (b = mean(y) -
// mean(x).w), or X'X and X'y without an intercept. Two methods (README.md):
//   normal  every worker adds its rows' X'X, X'y and column sums to the servers (the Gram
//           matrix in blocks of rows); worker 0 solves by Cholesky; for moderate dimensions;
//   cg      conjugate gradients with a Jacobi preconditioner: per iteration every worker
//           adds X'(X v) of its rows; no p x p matrix anywhere; for large sparse dimensions;
//   ipm     iterative parameter mixing (the original Paracel's): per pass every worker runs
//           mini-batch SGD on its rows from the shared model, and the models are averaged.
// Both run under BSP: a sum is read only after every worker added to it (paracel_sync).
#pragma once

#include <Eigen/Dense>
#include <string>

#include "examples.hpp"
#include "paracel/paralg.hpp"
#include "ridge_config.hpp"
#include "server_sum.hpp"

namespace paracel::alg {

class ridge : public paralg {
 public:
  ridge(paralg_options options, ridge_config cfg);
  void solve() override;
  // Checkpoints (docs/checkpoints.md): the iterates, the same on every worker (cg: w, r, d
  // and r'z; ipm: the mixed model). The normal equations take no clocks.
  void save_state(worker_state& state) const override;

 private:
  // The sum over workers of every worker's `local`, through the servers under `name`.
  // Collective.
  Eigen::VectorXd sum_over_workers(const std::string& name, const Eigen::VectorXd& local);
  void centre();  // the column means and the label mean (zero without an intercept)
  Eigen::VectorXd solve_normal();
  Eigen::VectorXd solve_cg();
  Eigen::VectorXd solve_ipm();  // the intercept in intercept_ipm_
  // (Xc'Xc + n lambda I) v, summed over workers. Collective.
  Eigen::VectorXd apply_system(const Eigen::VectorXd& v, int round);
  double half_mean_squared_error(const examples& data, const Eigen::VectorXd& w, double b);
  void write_results(const Eigen::VectorXd& w);

  static Eigen::VectorXd vector_of(const std::vector<double>& v);

  ridge_config cfg_;
  struct {
    Eigen::VectorXd w, r, d;
    double rz = 0;
  } cg_;
  Eigen::VectorXd ipm_shared_;
  examples train_;
  double n_ = 0;
  Eigen::VectorXd mean_x_;
  double mean_y_ = 0;
  int rounds_ = 0;
  double residual_ = 0;  // cg: relative residual at the end
  double train_seconds_ = 0;
  double intercept_ipm_ = 0;
};

}  // namespace paracel::alg
