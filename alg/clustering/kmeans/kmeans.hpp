// k-means (Lloyd's algorithm). Each worker holds its share of the points. One clock per
// iteration: a worker assigns its points to the nearest centre and adds, per cluster, the
// sum of its points, their count and their squared distances to an accumulator on the
// servers (one key per iteration); after the clock every worker reads the complete
// accumulator and computes the same new centres (BSP: staleness 0, as the sums must be
// complete). A cluster that gets no point keeps its centre. Stops when no centre moves
// more than `tolerance` or after `max_rounds`; the reported inertia (sum of squared
// distances to the nearest centre) is that of the written centres.
//
// Initial centres: k-means++ (distributed: each pick is drawn with probability
// proportional to the squared distance, by a random number every worker draws alike),
// k distinct random points, or a file.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kmeans_config.hpp"
#include "paracel/paralg.hpp"

namespace paracel::alg {

class kmeans : public paralg {
 public:
  kmeans(paralg_options options, kmeans_config cfg);
  void solve() override;
  // Checkpoints (docs/checkpoints.md): the initial and current centres.
  void save_state(worker_state& state) const override;

 private:
  void load_points();
  Eigen::MatrixXd initial_centres();
  Eigen::MatrixXd kmeans_plus_plus();
  Eigen::MatrixXd random_points();
  // Row `index` of all workers' points (in worker order), on every worker. Collective.
  Eigen::RowVectorXd point_at(std::uint64_t index);
  double shared_uniform() { return static_cast<double>(shared_rng_() >> 11) * 0x1.0p-53; }
  // Assigns the local points; returns [sums (k x d), counts (k), inertia] (local).
  std::vector<double> assign(const Eigen::MatrixXd& centres, std::vector<int>* labels) const;
  void write_results(const Eigen::MatrixXd& initial, const Eigen::MatrixXd& centres, double inertia,
                     int rounds, const std::vector<int>& labels);

  kmeans_config cfg_;
  Eigen::MatrixXd points_;            // this worker's points, one per row
  std::vector<std::int64_t> counts_;  // every worker's number of points
  std::mt19937_64 shared_rng_;        // the same sequence on every worker
  double seconds_ = 0;                // of the Lloyd iterations
  Eigen::MatrixXd initial_;           // k x d
  Eigen::MatrixXd centres_;           // those of the current round
};

}  // namespace paracel::alg
