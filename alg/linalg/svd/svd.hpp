// Truncated SVD (and PCA) of a matrix partitioned by rows: A ~ U diag(sigma) V', the `rank`
// largest singular triplets.
//
// Every method works in the column space: the only distributed operation is the product
// A'A X for a block X of n-vectors, formed as each worker's A_w'(A_w X) summed on the
// servers. X, V and the Krylov basis are n-row matrices replicated on every worker (each
// computes the same thing from the same sums), so orthonormalisation is a local Householder
// QR, not a QR of distributed rows through their Gram matrix.
//   krylov      block Lanczos on A'A with full reorthogonalisation: the basis grows by one
//               block per product; after each, Rayleigh-Ritz gives the triplets and their
//               residuals |A'u - sigma v| for free (A'A of the basis is kept); stops when
//               every residual is <= tolerance * sigma_1.
//   randomized  Halko, Martinsson, Tropp's range finder: a random block, power_iterations
//               products each followed by QR, then Rayleigh-Ritz (residuals reported).
// U's rows stay with their worker: u = (A v) / sigma. `center` subtracts the column means
// (PCA) without forming the dense centred matrix.
#pragma once

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <string>

#include "named_rows.hpp"
#include "paracel/paralg.hpp"
#include "svd_config.hpp"

namespace paracel::alg {

class svd : public paralg {
 public:
  svd(paralg_options options, svd_config cfg);
  void solve() override;

 private:
  // Triplets from Rayleigh-Ritz: sigma descending, V (n x rank), and the largest residual
  // |A'A v - sigma^2 v| / sigma over the triplets.
  struct triplets {
    Eigen::VectorXd sigma;
    Eigen::MatrixXd v;
    double residual = 0;
  };

  void load();
  // (A'A) X of the (centred) matrix, summed over the workers. Collective.
  Eigen::MatrixXd normal_product(const Eigen::MatrixXd& x);
  // `product` is A'A basis, `projected` basis' A'A basis.
  triplets rayleigh_ritz(const Eigen::Ref<const Eigen::MatrixXd>& basis,
                         const Eigen::Ref<const Eigen::MatrixXd>& product,
                         const Eigen::MatrixXd& projected) const;
  triplets run_krylov();
  triplets run_randomized();
  Eigen::MatrixXd random_block();
  void write_results(triplets t);

  svd_config cfg_;
  named_rows rows_;
  Eigen::SparseMatrix<double, Eigen::RowMajor> a_;  // this worker's rows
  std::uint64_t columns_ = 0;
  id_map column_ids_;  // triples: the column names this worker saw
  std::int64_t total_rows_ = 0;
  Eigen::VectorXd mean_;  // column means (center), else empty
  int products_ = 0;
  int iterations_ = 0;
  bool converged_ = true;
  double seconds_ = 0;
};

}  // namespace paracel::alg
