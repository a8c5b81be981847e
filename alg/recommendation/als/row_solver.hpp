// One row of an ALS half-step: the factors x of a user (or item) that minimise
//   explicit:  sum_i (r_i - x.y_i)^2 + reg |x|^2
//   implicit:  sum over ALL i of c_i (p_i - x.y_i)^2 + reg |x|^2,
//              c_i = 1 + alpha r_i and p_i = 1 for the rated i, c_i = 1 and p_i = 0 otherwise
// given the other side's factors y_i, with reg = lambda (plain) or lambda * n (ALS-WR, n the
// row's number of ratings). Normal equations (Y' C Y + reg I) x = Y' C p; for implicit
// feedback Y' C Y = Y'Y + Y_u' (C_u - I) Y_u (Hu, Koren, Volinsky 2008), so only the rated
// rows are touched and Y'Y, the whole side's Gram matrix, is computed once per half-step.
// Solved by Cholesky, or by a few conjugate-gradient steps from the previous x (Takacs,
// Pilaszy, Tikk 2011) that never form the matrix.
#pragma once

#include <Eigen/Dense>

namespace paracel::alg {

struct row_problem {
  bool implicit = false;
  double alpha = 0;
  double lambda = 0;
  bool weighted = false;
  const Eigen::MatrixXd* gram = nullptr;  // implicit: Y'Y of the whole fixed side
  bool cg = false;
  int cg_steps = 3;
};

// `fixed` holds the rated rows' y_i (n x k), `ratings` their r_i, `start` the previous x
// (used by cg). n must be > 0.
Eigen::VectorXd solve_row(const row_problem& p, const Eigen::MatrixXd& fixed,
                          const Eigen::VectorXd& ratings, const Eigen::VectorXd& start);

}  // namespace paracel::alg
