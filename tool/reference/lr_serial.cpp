// Serial logistic regression, the test oracle of alg/.../logistic_regression's dgd method:
// full-batch gradient descent with Nesterov momentum on
//   mean_i log(1 + exp(-y_i x_i.w)) + l2 / 2 * |w|^2     (bias: a constant feature 1),
// in plain C++ (no MPI, no parameter server, no Eigen).
//
//   lr_serial TRAIN.libsvm ROUNDS LEARNING_RATE L2
//
// Prints the training objective of the final model, then the model (bias last), one value
// per line.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

struct example {
  double label;                               // +1 or -1
  std::vector<std::pair<int, double>> feats;  // 0-based index, value; bias appended
};

double margin(const example& e, const std::vector<double>& w) {
  double m = 0;
  for (const auto& [j, v] : e.feats) m += w[static_cast<std::size_t>(j)] * v;
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: lr_serial TRAIN.libsvm ROUNDS LEARNING_RATE L2\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "lr_serial: cannot read " << argv[1] << "\n";
    return 1;
  }
  const int rounds = std::atoi(argv[2]);
  const double rate = std::atof(argv[3]);
  const double l2 = std::atof(argv[4]);
  std::vector<example> data;
  int features = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string label;
    if (!(words >> label)) continue;
    example e{std::atof(label.c_str()) > 0 ? 1.0 : -1.0, {}};
    for (std::string item; words >> item;) {
      const auto colon = item.find(':');
      const int j = std::atoi(item.substr(0, colon).c_str()) - 1;
      e.feats.emplace_back(j, std::atof(item.c_str() + colon + 1));
      features = std::max(features, j + 1);
    }
    data.push_back(std::move(e));
  }
  for (auto& e : data) e.feats.emplace_back(features, 1.0);  // bias
  const std::size_t dim = static_cast<std::size_t>(features) + 1;
  const double n = static_cast<double>(data.size());

  std::vector<double> x(dim, 0.0), previous(dim, 0.0), y(dim), gradient(dim);
  for (int t = 0; t < rounds; ++t) {
    for (std::size_t j = 0; j < dim; ++j) y[j] = x[j] + t / (t + 3.0) * (x[j] - previous[j]);
    for (std::size_t j = 0; j < dim; ++j) gradient[j] = l2 * y[j];
    for (const auto& e : data) {
      const double m = e.label * margin(e, y);
      const double coef = -e.label / (1 + std::exp(m)) / n;
      for (const auto& [j, v] : e.feats) gradient[static_cast<std::size_t>(j)] += coef * v;
    }
    previous = x;
    for (std::size_t j = 0; j < dim; ++j) x[j] = y[j] - rate * gradient[j];
  }
  double objective = 0;
  for (const auto& e : data) {
    const double m = e.label * margin(e, x);
    objective += m > 0 ? std::log1p(std::exp(-m)) : -m + std::log1p(std::exp(m));
  }
  objective /= n;
  for (double v : x) objective += l2 / 2 * v * v;
  std::printf("%.17g\n", objective);
  for (double v : x) std::printf("%.17g\n", v);
}
