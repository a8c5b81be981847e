// The logistic loss and its gradient over rows of a sparse matrix, labels +1/-1.
//   loss(w) = sum_i log(1 + exp(-y_i x_i.w))
#pragma once

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <cmath>

namespace paracel::alg {

using sparse_rows = Eigen::SparseMatrix<double, Eigen::RowMajor>;

// log(1 + exp(-m)) without overflow.
inline double log1p_exp_neg(double m) {
  return m > 0 ? std::log1p(std::exp(-m)) : -m + std::log1p(std::exp(m));
}
inline double sigmoid(double z) {
  return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z));
}

// Sum of the losses of the rows.
inline double logistic_loss(const sparse_rows& x, const Eigen::VectorXd& y,
                            const Eigen::VectorXd& w) {
  const Eigen::VectorXd margins = (x * w).cwiseProduct(y);
  double sum = 0;
  for (Eigen::Index i = 0; i < margins.size(); ++i) sum += log1p_exp_neg(margins[i]);
  return sum;
}

// Sum over the rows of the gradient of their loss; adds the sum of their losses to `loss`
// when given (the margins are at hand: it costs no product).
inline Eigen::VectorXd logistic_gradient(const sparse_rows& x, const Eigen::VectorXd& y,
                                         const Eigen::VectorXd& w, double* loss = nullptr) {
  Eigen::VectorXd coef = (x * w).cwiseProduct(y);
  if (loss != nullptr) {
    for (Eigen::Index i = 0; i < coef.size(); ++i) *loss += log1p_exp_neg(coef[i]);
  }
  for (Eigen::Index i = 0; i < coef.size(); ++i) coef[i] = -y[i] * sigmoid(-coef[i]);
  return x.transpose() * coef;
}

}  // namespace paracel::alg
