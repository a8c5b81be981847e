// Logistic regression with L2 on a parameter server: minimises
//   mean_i log(1 + exp(-y_i x_i.w)) + l2 / 2 * |w|^2
// with one of the original Paracel's methods (README.md):
//   dgd       full-batch gradient descent with Nesterov momentum, one clock per iteration;
//   ipm       iterative parameter mixing: a local SGD pass per worker, the changes averaged;
//   downpour  asynchronous mini-batch SGD bounded by SSP: the model read every fetch_every
//             mini-batches, the steps added every push_every (one clock per push);
//   agd       downpour with AdaGrad steps applied on the servers (plugin lr_adagrad);
//   lbfgs     limited-memory BFGS on the full objective, one clock per iteration (lr_lbfgs.cpp).
// The model lives on the servers in blocks of block_size coordinates. dgd and ipm keep two
// copies (rounds alternate between them) so that, under BSP, a round reads exactly the model
// of the previous round and never an update a faster worker made in the same round.
#pragma once

#include <Eigen/Dense>
#include <chrono>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "examples.hpp"
#include "lr_config.hpp"
#include "paracel/paralg.hpp"

namespace paracel::alg {

class logistic_regression : public paralg {
 public:
  logistic_regression(paralg_options options, lr_config cfg);
  void solve() override;
  // Checkpoints (docs/checkpoints.md): the model is on the servers; a worker keeps the
  // previous round's model (dgd, ipm), its mini-batch cursor (downpour, agd) and the
  // L-BFGS history (lbfgs).
  void save_state(worker_state& state) const override;

 private:
  void train();
  void predict();
  void train_dgd();
  void train_ipm();
  void train_sgd(bool adagrad);
  void train_lbfgs();
  // The objective at w over every worker's rows, and its gradient (collective).
  double full_objective(const Eigen::VectorXd& w, Eigen::VectorXd& gradient);

  // ---- the model on the servers ------------------------------------------------------
  void create_model(Eigen::Index dimension);
  // The model in `buffer` (0 or 1; the methods other than dgd and ipm only use 0).
  Eigen::VectorXd read_model(int buffer);
  void add_to_model(int buffer, const Eigen::VectorXd& delta);
  void write_model(const Eigen::VectorXd& w);  // buffer 0; worker 0 writes
  // A vector of the model's dimension cut into the values of its block keys.
  std::vector<std::vector<double>> split_blocks(const Eigen::VectorXd& v) const;
  // Round t of dgd/ipm read x_t from buffer t % 2; buffer (t + 1) % 2 still holds x_{t-1}.
  // This worker's share of x_{t+1} - x_t is `step`: adds it, with its share of
  // x_t - x_{t-1}, to buffer (t + 1) % 2, which then holds x_{t+1}.
  void advance_model(int t, const Eigen::VectorXd& x, const Eigen::VectorXd& previous,
                     const Eigen::VectorXd& step);
  void adagrad_step(double rate, const Eigen::VectorXd& gradient);
  int buffers() const { return cfg_.method == "dgd" || cfg_.method == "ipm" ? 2 : 1; }
  int final_buffer() const { return buffers() == 2 ? cfg_.rounds % 2 : 0; }

  // ---- helpers -------------------------------------------------------------------------
  double rate_at_pass(int pass) const { return rate_ / (1 + cfg_.decay * pass); }
  double lipschitz_bound();  // of the objective's gradient (collective)
  void maybe_straggle();
  void snapshot(int clock, const Eigen::VectorXd& w);
  // Reports this iteration's loss: the mean of `rows` losses summing to loss_sum (this
  // worker's rows, at the point its gradient was taken) plus the L2 term at w.
  void report_loss(double loss_sum, Eigen::Index rows, const Eigen::VectorXd& w);
  // Mean loss over all rows of `data` plus the L2 term (collective).
  double objective(const examples& data, const Eigen::VectorXd& w, bool with_l2);
  void write_results(const Eigen::VectorXd& w);

  lr_config cfg_;
  examples train_;
  Eigen::Index dimension_ = 0;
  std::vector<std::string> block_keys_[2];
  double rate_ = 0;
  std::mt19937_64 rng_;
  Eigen::VectorXd previous_;         // x_{t-1} (dgd, ipm)
  Eigen::Index next_row_ = 0;        // the next mini-batch's first row (downpour, agd)
  std::vector<double> lbfgs_pairs_;  // lbfgs: the history, flattened (lbfgs_history)
  std::chrono::steady_clock::time_point start_;
  double load_seconds_ = 0;  // reading and parsing the training data
  double train_seconds_ = 0;
  std::vector<std::pair<double, Eigen::VectorXd>> snapshots_;  // worker 0: (seconds, model)
};

}  // namespace paracel::alg
