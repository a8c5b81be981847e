// The Lasso on a parameter server: minimises, for each penalty of a path,
//   1/(2n) |y - Xw - b|^2 + lambda sum_j s_j |w_j|     (b unpenalised; s_j = 1, or the
//                                                         column's deviation with standardize)
// by coordinate descent whose rounds are model-parallel in the STRADS sense: each round a
// schedule (coordinate_schedule) picks a set of coordinates; every worker adds, for its own
// rows, x_j'u for each (u = y - Xw, its residual, kept locally) and the Gram entries x_j'x_k
// not yet known, in one vector to the servers; from the sums every worker performs the same
// exact sequential updates of the set (the Gram entries carry each update to the next), so
// correlated coordinates in one round are no hazard and all workers hold the same w.
//
// SSP pipelines the rounds: with staleness s, round c's sums are pushed at clock c and used
// at clock c + s + 1, s rounds later; they were formed from a residual that lacked the s
// rounds then in flight, and the Gram entries between round c's coordinates and theirs,
// sent with round c, correct them exactly. So the iterates equal BSP's up to the order of
// the schedule, and the objective decreases at every update under any staleness.
#pragma once

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "coordinate_schedule.hpp"
#include "examples.hpp"
#include "gram_cache.hpp"
#include "lasso_config.hpp"
#include "paracel/paralg.hpp"

namespace paracel::alg {

class lasso : public paralg {
 public:
  lasso(paralg_options options, lasso_config cfg);
  void solve() override;

 private:
  // A round of coordinate descent: its coordinates, every Gram pair its updates need
  // (sorted), their values (those not known when it was pushed filled in when the sums
  // arrive), which of them it sent, and, once applied, each coordinate's change of w.
  struct round {
    std::int64_t clock = 0;
    std::vector<int> coordinates;
    std::vector<std::uint64_t> pairs;
    std::vector<double> gram;
    std::vector<std::size_t> sent;  // indices into pairs, in the order of the message
    std::vector<double> changes;
  };

  struct path_point {
    double lambda, objective;
    std::int64_t nonzeros, passes;
    bool converged;
    std::vector<double> coefficients;  // the intercept, then w
  };

  void load();
  std::vector<double> penalties() const;
  path_point solve_penalty(double lambda);
  // Passes over the schedule's working set until one changes nothing beyond the tolerance
  // (true) or `passes` reaches max_passes (false).
  bool run_passes(double lambda, int& passes);
  // The zero coordinates whose gradient exceeds lambda. Collective.
  std::vector<int> violators(double lambda);
  Eigen::VectorXd gradient(const std::string& name);  // on the scaled columns; collective
  round plan_round(std::vector<int> coordinates);
  void push_round(const round& r);
  void apply_round(round& r, double lambda);
  double residual(Eigen::Index i) const { return u_[i] - mean_y_ + shift_; }
  double squared_residuals();               // |y - Xw - b|^2 over all rows; collective
  double objective(double lambda);          // exact, from every worker's residuals; collective
  double max_kkt_violation(double lambda);  // collective
  void write_results(const std::vector<path_point>& path, double seconds);

  lasso_config cfg_;
  examples train_;
  Eigen::SparseMatrix<double> columns_;  // this worker's rows, column-major
  Eigen::VectorXd u_;                    // y - Xw on this worker's rows
  double n_ = 0;
  Eigen::VectorXd mean_;   // m_j (0 without an intercept)
  Eigen::VectorXd scale_;  // s_j
  Eigen::VectorXd diag_;   // x_j'x_j over all rows (raw)
  Eigen::VectorXd var_;    // v_j: the centred, scaled column's squared norm / n
  Eigen::VectorXd xty_;    // x_j'y over all rows
  double mean_y_ = 0, var_y_ = 0;
  double lambda_max_ = 0;
  Eigen::VectorXd w_;  // original scale, the same on every worker
  double shift_ = 0;   // sum_j m_j w_j: the centring of Xw (b = mean_y - shift)
  std::vector<int> eligible_;
  gram_cache gram_;
  std::deque<round> in_flight_;  // pushed, not applied (at most `staleness`)
  std::deque<round> recent_;     // applied, of the last `staleness` clocks or so
  std::int64_t clock_ = 0;
  double max_change_ = 0;  // of the current pass: max v_j (delta beta_j)^2
  double tracked_objective_ = 0;
  std::vector<std::vector<double>> trace_;  // [pass, objective] per pass, of the last penalty
  std::int64_t rounds_ = 0, pairs_sent_ = 0, checks_ = 0;
  std::optional<coordinate_schedule> schedule_;  // made once the eligible columns are known
};

}  // namespace paracel::alg
