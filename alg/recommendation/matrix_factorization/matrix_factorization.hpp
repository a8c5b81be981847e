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
// Within a stratum the ratings are in cache-sized tiles and SGD runs the float kernel of
// sgd_kernel.hpp, the one the serial reference runs too.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mf_config.hpp"
#include "mf_data.hpp"
#include "paracel/paralg.hpp"
#include "rating_tiles.hpp"
#include "sgd_kernel.hpp"

namespace paracel::alg {

class matrix_factorization : public paralg {
 public:
  matrix_factorization(paralg_options options, mf_config cfg);
  void solve() override;
  // Checkpoints (docs/checkpoints.md): the item blocks are on the servers; a worker keeps its
  // user factors, and replays its strata's shuffles (seeded by epoch) on resume.
  void save_state(worker_state& state) const override;

 private:
  using blocks = std::map<std::uint64_t, std::vector<float>>;  // block id -> values

  // A worker's ratings of one stratum: its tiles, whose item indexes are rows of the
  // stratum's local item copy (the stratum's blocks, in `blocks` order, back to back).
  struct stratum {
    std::vector<std::uint64_t> blocks;
    mf::rating_tiles tiles;
  };

  void train();
  void predict();
  void init_items();
  void build_strata();
  void run_stratum(int epoch, int stratum);
  blocks read_blocks(const std::vector<std::uint64_t>& ids);
  // The stratum's item rows from its blocks, and the blocks back from the rows.
  mf::factor_rows unpack_items(const std::vector<std::uint64_t>& ids, const blocks& values) const;
  std::vector<float> pack_block(const mf::factor_rows& items, std::size_t position,
                                std::uint64_t block) const;
  std::string block_key(std::uint64_t block) const;
  std::uint64_t block_of(std::uint64_t item) const { return item / cfg_.block_items; }
  std::size_t block_items(std::uint64_t block) const;
  // Prediction of a held-out rating from what training learned (unknown parts left out).
  double predict_one(const mf_rating& r, const blocks& items) const;
  double train_squared_error(const blocks& items);
  double test_squared_error(const blocks& items);
  void write_results(const blocks& items);

  mf_config cfg_;
  mf_data data_;
  std::size_t stride_ = 1;  // floats per item in a server block: bias, then rank factors
  mf::factor_rows users_;   // this worker's users
  std::vector<stratum> strata_;
  double train_seconds_ = 0;
};

}  // namespace paracel::alg
