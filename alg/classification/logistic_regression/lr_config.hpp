// The configuration of logistic regression (see README.md for every key).
#pragma once

#include <string>

#include "paracel/config.hpp"

namespace paracel::alg {

struct lr_config {
  std::string mode = "train";     // "train" or "predict"
  std::string input;              // training data (train) or data to score (predict)
  std::string test_input;         // optional held-out data, scored after training
  std::string format = "libsvm";  // "libsvm" or "csv" (features..., label per line)
  std::string output;             // folder for model, metrics, predictions
  std::string model_input;        // predict: the model file a training run wrote
  std::string method = "dgd";     // dgd, ipm, downpour, agd, lbfgs
  int rounds = 100;               // dgd: iterations; others: passes over the data
  int batch_size = 100;           // downpour/agd/ipm mini-batch rows
  int fetch_every = 1;            // downpour: read the model every n mini-batches (n_fetch)
  int push_every = 1;             // downpour: add the steps taken every n mini-batches (n_push)
  int lbfgs_memory = 10;          // lbfgs: curvature pairs kept
  double learning_rate = 0;       // 0: dgd picks 1/L; others need it
  double decay = 0;               // learning rate at pass e: learning_rate / (1 + decay * e)
  double l2 = 1e-3;               // objective: mean log-loss + l2 / 2 * |w|^2
  bool bias = true;               // learn an intercept (a constant feature 1, regularised)
  int staleness = 0;              // SSP bound between workers (0 = BSP, negative = async)
  int block_size = 65536;         // model coordinates per parameter-server key
  int eval_every = 0;             // write the training objective every n rounds (0: never)
  unsigned seed = 1;              // shuffling of the mini-batches
  // Injected slowness (to measure SSP): the workers in `slow_workers` ("all", or ids like
  // "1,3"; empty: none) sleep `slow_ms` with probability `slow_prob` at each clock.
  std::string slow_workers;
  double slow_ms = 0;
  double slow_prob = 1;

  static lr_config from(const config& cfg);
  bool slowed(int worker) const;
};

}  // namespace paracel::alg
