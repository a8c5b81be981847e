// Matrix factorisation of a ratings matrix by SGD on the Koren model
//   r_ui ~ mu + b_u + b_i + p_u . q_i,   loss (r - r_ui)^2 + l2 (b_u^2 + b_i^2 + |p_u|^2 + |q_i|^2)
// distributed as DSGD (Gemulla et al., 2011). Users are partitioned over the W workers (all
// of a user's ratings on one worker), so user biases and factors stay local. Item biases
// and factors live on the servers in blocks of block_items items; block b is in stratum
// b % W. An epoch is W clocks: at clock s worker w runs SGD over its ratings of stratum
// (w + s) % W, which no other worker touches at that clock, reading those item blocks
// before and adding its change after. Under BSP this is a serial SGD over the ratings in
// some order (so it is deterministic and converges like the serial reference); with
// staleness > 0 a worker may start a stratum before the previous one's change arrived.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "mf_config.hpp"
#include "mf_data.hpp"
#include "paracel/paralg.hpp"

namespace paracel::alg {

class matrix_factorization : public paralg {
 public:
  matrix_factorization(paralg_options options, mf_config cfg);
  void solve() override;
  // Checkpoints (docs/checkpoints.md): the item blocks are on the servers; a worker keeps its
  // user factors, and replays its strata's shuffles (seeded by epoch) on resume.
  void save_state(worker_state& state) const override;

 private:
  using blocks = std::map<std::uint64_t, std::vector<double>>;  // block id -> values

  void train();
  void predict();
  void init_items();
  void run_stratum(int epoch, int stratum);
  // The shuffle run_stratum starts with: the same order for the same (worker, epoch).
  void shuffle_stratum(int epoch, int stratum);
  blocks read_blocks(const std::vector<std::uint64_t>& ids);
  std::string block_key(std::uint64_t block) const;
  std::uint64_t block_of(std::uint64_t item) const { return item / cfg_.block_items; }
  std::size_t block_items(std::uint64_t block) const;
  // Prediction of a rating from what training learned (unknown parts left out).
  double predict_one(const mf_rating& r, const blocks& items) const;
  double squared_error(const std::vector<mf_rating>& ratings, const blocks& items);
  void write_results(const blocks& items);

  mf_config cfg_;
  mf_data data_;
  std::size_t stride_ = 1;           // values per item: bias, then rank factors
  std::vector<double> user_values_;  // per local user: bias, then factors
  // Per stratum: this worker's training ratings in it, and the blocks they touch.
  std::vector<std::vector<mf_rating>> strata_;
  std::vector<std::vector<std::uint64_t>> strata_blocks_;
  double train_seconds_ = 0;
};

}  // namespace paracel::alg
