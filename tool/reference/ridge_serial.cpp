// Serial ridge regression, the test oracle of alg/regression/ridge: the minimiser of
//   1/(2n) |y - Xw - b|^2 + lambda/2 |w|^2        (b unpenalised; absent with --no-intercept)
// from the centred normal equations, solved by Cholesky (Eigen), in one process (no MPI,
// no parameter server).
//
//   ridge_serial TRAIN.libsvm LAMBDA [--no-intercept]
//
// Prints the training objective, then the weights and last the intercept, one per line.
#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <iostream>
#include <string>
#include <vector>

#include "dense_libsvm.hpp"

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4 || (argc == 4 && std::string(argv[3]) != "--no-intercept")) {
    std::cerr << "usage: ridge_serial TRAIN.libsvm LAMBDA [--no-intercept]\n";
    return 2;
  }
  const double lambda = std::stod(argv[2]);
  const bool intercept = argc == 3;
  dense_examples data;
  try {
    data = read_dense_libsvm(argv[1]);
  } catch (const std::exception& e) {
    std::cerr << "ridge_serial: " << e.what() << "\n";
    return 1;
  }
  const Eigen::Index n = data.x.rows(), dimension = data.x.cols();
  Eigen::MatrixXd& x = data.x;
  const Eigen::VectorXd& y = data.y;
  Eigen::RowVectorXd mean_x = Eigen::RowVectorXd::Zero(dimension);
  double mean_y = 0;
  if (intercept) {
    mean_x = x.colwise().mean();
    mean_y = y.mean();
  }
  const Eigen::MatrixXd xc = x.rowwise() - mean_x;
  const Eigen::VectorXd yc = y.array() - mean_y;
  Eigen::MatrixXd system = xc.transpose() * xc;
  system.diagonal().array() += static_cast<double>(n) * lambda;
  const Eigen::VectorXd w = system.llt().solve(xc.transpose() * yc);
  const double b = mean_y - mean_x.dot(w);
  const double objective =
      ((x * w).array() + b - y.array()).square().sum() / (2.0 * static_cast<double>(n)) +
      lambda / 2 * w.squaredNorm();
  std::printf("%.17g\n", objective);
  for (Eigen::Index j = 0; j < w.size(); ++j) std::printf("%.17g\n", w[j]);
  std::printf("%.17g\n", b);
  return 0;
}
