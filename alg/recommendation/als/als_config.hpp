// The configuration of ALS (see README.md for every key).
#pragma once

#include <cstdint>
#include <string>

#include "paracel/config.hpp"

namespace paracel::alg {

struct als_config {
  std::string mode = "train";         // "train" or "predict"
  std::string input;                  // training ratings (train) or "user item" pairs (predict)
  std::string test_input;             // optional held-out ratings, scored every iteration
  std::string output;                 // folder for factors, metrics, predictions
  std::string model_input;            // predict: the output folder of a training run
  std::string feedback = "explicit";  // "explicit" ratings or "implicit" (Hu-Koren-Volinsky)
  int rank = 10;
  int iterations = 10;  // at most this many (a user and an item half-step each)
  double lambda = 0.1;
  // "weighted": a row's penalty is lambda times its number of ratings (ALS-WR);
  // "plain": lambda. Default: weighted for explicit, plain for implicit feedback.
  std::string regularization;
  double alpha = 1;                 // implicit: confidence 1 + alpha * r
  std::string solver = "cholesky";  // "cholesky" (exact) or "cg" (from the previous factors)
  int cg_steps = 3;
  double tolerance = 0;              // stop when the objective improves by less (relative)
  int block_rows = 1024;             // users or items per server key
  std::uint64_t seed = 1;            // initial item factors
  std::string initial_item_factors;  // or these ("name<TAB>f1 ... fk" lines)

  bool implicit() const { return feedback == "implicit"; }
  bool weighted() const { return regularization == "weighted"; }
  static als_config from(const config& cfg);
};

}  // namespace paracel::alg
