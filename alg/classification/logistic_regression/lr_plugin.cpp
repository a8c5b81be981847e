// Server-side plugin of logistic regression. lr_adagrad applies an AdaGrad step to a block
// stored as [w_1..w_n, G_1..G_n] (weights, then sums of squared gradients), given the delta
// [rate, g_1..g_n]:  G += g^2;  w -= rate * g / (sqrt(G) + 1e-8).
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "paracel/plugin.hpp"

namespace {

std::vector<double> adagrad(const std::vector<double>& state, const std::vector<double>& delta) {
  const std::size_t n = state.size() / 2;
  if (state.size() % 2 != 0 || delta.size() != n + 1) {
    throw std::invalid_argument("lr_adagrad: a block of " + std::to_string(state.size()) +
                                " values takes a delta of " + std::to_string(n + 1) +
                                " (rate, gradient), not " + std::to_string(delta.size()));
  }
  std::vector<double> out(state);
  const double rate = delta[0];
  for (std::size_t i = 0; i < n; ++i) {
    const double g = delta[i + 1];
    out[n + i] += g * g;
    out[i] -= rate * g / (std::sqrt(out[n + i]) + 1e-8);
  }
  return out;
}

}  // namespace

PARACEL_UPDATER(lr_adagrad, adagrad)
