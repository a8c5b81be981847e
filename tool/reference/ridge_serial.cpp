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
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4 || (argc == 4 && std::string(argv[3]) != "--no-intercept")) {
    std::cerr << "usage: ridge_serial TRAIN.libsvm LAMBDA [--no-intercept]\n";
    return 2;
  }
  const double lambda = std::stod(argv[2]);
  const bool intercept = argc == 3;
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "ridge_serial: cannot read " << argv[1] << "\n";
    return 1;
  }
  std::vector<double> labels;
  std::vector<std::vector<std::pair<int, double>>> rows;
  int dimension = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    double label;
    if (!(fields >> label)) continue;
    labels.push_back(label);
    rows.emplace_back();
    for (std::string item; fields >> item;) {
      const auto colon = item.find(':');
      const int j = std::stoi(item.substr(0, colon)) - 1;
      rows.back().emplace_back(j, std::stod(item.substr(colon + 1)));
      dimension = std::max(dimension, j + 1);
    }
  }
  const auto n = static_cast<Eigen::Index>(labels.size());
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(n, dimension);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    y[i] = labels[static_cast<std::size_t>(i)];
    for (auto [j, v] : rows[static_cast<std::size_t>(i)]) x(i, j) = v;
  }
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
