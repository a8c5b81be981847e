// A LIBSVM file as a dense matrix and its labels, for the serial references of the linear
// models (small inputs: the matrix is dense). Plain C++ and Eigen, no Paracel.
#pragma once

#include <Eigen/Dense>
#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

struct dense_examples {
  Eigen::MatrixXd x;  // rows x (largest feature index)
  Eigen::VectorXd y;
};

// Throws std::runtime_error when the file cannot be read.
inline dense_examples read_dense_libsvm(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
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
  dense_examples out{Eigen::MatrixXd::Zero(n, dimension), Eigen::VectorXd(n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    out.y[i] = labels[static_cast<std::size_t>(i)];
    for (auto [j, v] : rows[static_cast<std::size_t>(i)]) out.x(i, j) = v;
  }
  return out;
}
