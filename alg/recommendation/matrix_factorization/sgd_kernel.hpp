// The inner loop of matrix factorisation, shared by the distributed algorithm and its serial
// reference (tool/reference/mf_serial) so that the benchmark's ratio measures what
// distribution costs, not two different loops.
//
// Factors are float rows padded to a multiple of k_lanes (eight floats, one AVX register):
// the dot product and the fused update run on whole vectors with no remainder loop, and the
// padding stays zero because every update of a zero lane is zero. Biases are separate arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace paracel::alg::mf {

inline constexpr std::size_t k_lanes = 8;

// Floats per factor row for `rank` factors.
constexpr std::size_t padded_width(std::size_t rank) {
  return (rank + k_lanes - 1) / k_lanes * k_lanes;
}

// Rows of factors and their biases: row r is factors[r * width, (r + 1) * width) and bias[r].
struct factor_rows {
  std::size_t width = 0;
  std::vector<float> factors;
  std::vector<float> bias;

  factor_rows() = default;
  factor_rows(std::size_t rows, std::size_t rank)
      : width(padded_width(rank)), factors(rows * width, 0.0f), bias(rows, 0.0f) {}
  std::size_t rows() const { return bias.size(); }
  float* row(std::size_t r) { return factors.data() + r * width; }
  const float* row(std::size_t r) const { return factors.data() + r * width; }
};

// One training rating, 12 bytes: indexes of its user and item rows and its value.
struct sgd_rating {
  std::uint32_t user = 0;
  std::uint32_t item = 0;
  float value = 0;
};

struct sgd_step {
  float mean = 0;  // the global mean rating
  float rate = 0;  // the learning rate
  float l2 = 0;    // the regularisation of factors and biases
};

// One SGD step per rating of [first, last), in order, on the Koren model
//   r ~ mean + b_u + b_i + p_u . q_i;
// returns the sum of squared errors, each taken before its step.
double sgd_run(const sgd_rating* first, const sgd_rating* last, factor_rows& users,
               factor_rows& items, sgd_step step);

// mean + b_u + b_i + p_u . q_i, without updating anything.
float predict(const factor_rows& users, std::size_t user, const factor_rows& items,
              std::size_t item, float mean);

}  // namespace paracel::alg::mf
