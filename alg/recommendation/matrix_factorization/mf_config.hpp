// The configuration of matrix factorisation (see README.md for every key).
#pragma once

#include <cstdint>
#include <string>

#include "paracel/config.hpp"

namespace paracel::alg {

struct mf_config {
  std::string mode = "train";  // "train" or "predict"
  std::string input;           // training ratings (train) or "user item" pairs (predict)
  std::string test_input;      // optional held-out ratings, scored after training
  std::string output;          // folder for factors, metrics, predictions
  std::string model_input;     // predict: the output folder of a training run
  int rank = 10;               // latent factors per user and item
  int epochs = 30;             // passes over the ratings (one clock each)
  double learning_rate = 0.01;
  double decay = 0.95;     // epoch e uses learning_rate * decay^e
  double l2 = 0.05;        // regularisation of factors and biases
  int staleness = 0;       // SSP bound between workers
  int block_items = 1024;  // items per parameter-server key
  std::uint64_t seed = 1;  // initial factors and the order of the ratings

  static mf_config from(const config& cfg);
};

}  // namespace paracel::alg
