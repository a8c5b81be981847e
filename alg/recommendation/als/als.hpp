// Alternating least squares for matrix factorisation, r_ui ~ x_u . y_i, with explicit ratings
// (ALS-WR, Zhou et al. 2008) or implicit feedback (Hu, Koren, Volinsky 2008); row_solver.hpp
// has the normal equations of one row.
//
// Distribution: both factor matrices live on the parameter servers, each cut into blocks of
// block_rows rows (one key per block, k+1 values per row: the row's number of training
// ratings, then its factors). Block b of a side is solved by worker b % W, which holds the
// ratings of that block's rows (each rating is held twice: by user and by item). A half-step
// reads the fixed side's blocks its rows need (one request), solves every row it owns,
// writes its blocks (nobody else writes them) and synchronises: an iteration is a user
// half-step then an item half-step, exactly the serial algorithm.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "als_config.hpp"
#include "als_data.hpp"
#include "paracel/paralg.hpp"
#include "row_solver.hpp"

namespace paracel::alg {

class als : public paralg {
 public:
  als(paralg_options options, als_config cfg);
  void solve() override;
  // Checkpoints (docs/checkpoints.md): both sides are on the servers; a worker keeps its own
  // rows, the trace and the last two objectives (which decide whether to go on).
  void save_state(worker_state& state) const override;

  // A side's factors on this worker: one row (k+1 values) per owned id, in local order.
  using factor_rows = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

 private:
  // The fixed side's rows a half-step reads, by block.
  struct fixed_rows {
    std::unordered_map<std::uint64_t, std::vector<double>> blocks;
    std::uint64_t block_rows = 1;
    std::size_t stride = 1;
    // The row of `id`: its rating count, then its factors.
    const double* row(std::uint64_t id) const {
      return blocks.at(id / block_rows).data() + (id % block_rows) * stride;
    }
  };

  struct objective {
    double value = 0;
    double train_rmse = 0;
    double test_rmse = 0;
  };

  void train();
  void predict();
  void restore_state(const worker_state& state);
  static objective objective_of(const std::vector<double>& v);
  void init_items();
  fixed_rows read_fixed(const als_side& solving, const std::string& fixed_name,
                        const als_side& fixed_side);
  void write_blocks(const std::string& name, const als_side& side, const factor_rows& rows);
  // Y'Y of a side: every worker's owned rows, summed on the servers.
  Eigen::MatrixXd side_gram(const factor_rows& rows, int step);
  void half_step(const als_side& solving, factor_rows& solved, const std::string& solved_name,
                 const fixed_rows& fixed, const Eigen::MatrixXd& gram);
  objective evaluate(const fixed_rows& users, const Eigen::MatrixXd& user_gram);
  void write_results(const objective& last);

  als_config cfg_;
  als_data data_;
  std::size_t stride_ = 1;  // k + 1
  factor_rows users_, items_;
  row_problem problem_;
  std::vector<std::vector<double>> trace_;  // per iteration: objective, RMSEs, seconds
  int iterations_run_ = 0;
  objective last_;    // of the last iteration run
  objective before_;  // of the one before it
  double train_seconds_ = 0;
};

}  // namespace paracel::alg
