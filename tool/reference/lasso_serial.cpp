// Serial Lasso, the test oracle and benchmark baseline of alg/regression/lasso: minimises
//   1/(2n) |y - Xw - b|^2 + lambda |w|_1           (b unpenalised; absent with --no-intercept)
// by plain cyclic coordinate descent on the explicitly centred columns with a full residual
// (the textbook "naive updates" of Friedman et al. 2010), in one process (no MPI, no
// parameter server), until a pass changes no v_j (delta w_j)^2 by more than
// TOLERANCE * var(y), or for a path of penalties with warm starts.
//
//   lasso_serial TRAIN.libsvm TOLERANCE LAMBDA... [--no-intercept]
//
// Prints, per penalty, one line: the objective, the passes, the intercept, then the weights.
#include <Eigen/Dense>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include "dense_libsvm.hpp"

namespace {

double soft_threshold(double a, double lambda) {
  return a > lambda ? a - lambda : a < -lambda ? a + lambda : 0.0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const bool intercept = std::erase(args, "--no-intercept") == 0;
  if (args.size() < 3) {
    std::cerr << "usage: lasso_serial TRAIN.libsvm TOLERANCE LAMBDA... [--no-intercept]\n";
    return 2;
  }
  const double tolerance = std::stod(args[1]);
  dense_examples data;
  try {
    data = read_dense_libsvm(args[0]);
  } catch (const std::exception& e) {
    std::cerr << "lasso_serial: " << e.what() << "\n";
    return 1;
  }
  const Eigen::Index n = data.x.rows(), dimension = data.x.cols();
  Eigen::MatrixXd& x = data.x;
  const Eigen::VectorXd& y = data.y;
  const Eigen::RowVectorXd mean_x =
      intercept ? Eigen::RowVectorXd(x.colwise().mean()) : Eigen::RowVectorXd::Zero(dimension);
  const double mean_y = intercept ? y.mean() : 0.0;
  const Eigen::VectorXd raw_squares = x.colwise().squaredNorm().transpose();
  x.rowwise() -= mean_x;
  const Eigen::VectorXd yc = y.array() - mean_y;
  const Eigen::VectorXd v = x.colwise().squaredNorm().transpose() / static_cast<double>(n);
  const double var_y = yc.squaredNorm() / static_cast<double>(n);

  Eigen::VectorXd w = Eigen::VectorXd::Zero(dimension);
  Eigen::VectorXd r = yc;
  std::cout << std::setprecision(17);
  for (std::size_t a = 2; a < args.size(); ++a) {
    const double lambda = std::stod(args[a]);
    int passes = 0;
    for (double biggest = INFINITY; biggest > tolerance * var_y; ++passes) {
      biggest = 0;
      for (Eigen::Index j = 0; j < dimension; ++j) {
        // An empty or constant column stays 0 (centred, it is 0 up to rounding).
        if (!(v[j] > 1e-10 * raw_squares[j] / static_cast<double>(n))) continue;
        const double g = x.col(j).dot(r) / static_cast<double>(n);
        const double next = soft_threshold(g + v[j] * w[j], lambda) / v[j];
        const double d = next - w[j];
        if (d == 0) continue;
        r -= d * x.col(j);
        w[j] = next;
        biggest = std::max(biggest, v[j] * d * d);
      }
    }
    const double objective =
        r.squaredNorm() / (2.0 * static_cast<double>(n)) + lambda * w.lpNorm<1>();
    std::cout << objective << ' ' << passes << ' ' << mean_y - mean_x.dot(w);
    for (Eigen::Index j = 0; j < dimension; ++j) std::cout << ' ' << w[j];
    std::cout << '\n';
  }
}
