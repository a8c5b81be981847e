#include "svd.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>

#include "paracel/log.hpp"
#include "server_sum.hpp"

namespace paracel::alg {

namespace {

constexpr const char* k_prefix = "svd/";

// An orthonormal basis of the part of `block` outside span(basis) (whose columns are
// orthonormal); empty when nothing is left (the basis spans an invariant subspace).
Eigen::MatrixXd orthonormal_block(const Eigen::Ref<const Eigen::MatrixXd>& basis,
                                  Eigen::MatrixXd block) {
  const double before = block.norm();
  for (int pass = 0; pass < 2 && basis.cols() > 0; ++pass)  // twice is enough (Kahan)
    block -= basis * (basis.transpose() * block);
  if (!(block.norm() > 1e-12 * before)) return {};
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> pivoted(block);
  pivoted.setThreshold(1e-10);
  const Eigen::Index rank = pivoted.rank();
  if (rank == 0) return {};
  // Q's columns combine the projected columns: orthogonal to the basis as they are.
  return pivoted.householderQ() * Eigen::MatrixXd::Identity(block.rows(), rank);
}

std::string vector_line(const std::string& name, const Eigen::RowVectorXd& values) {
  std::ostringstream out;
  out << std::setprecision(17) << name << '\t';
  for (Eigen::Index i = 0; i < values.size(); ++i) out << (i ? " " : "") << values[i];
  return out.str();
}

}  // namespace

svd::svd(paralg_options options, svd_config cfg)
    : paralg(std::move(options)), cfg_(std::move(cfg)) {}

void svd::load() {
  loaded_rows loaded = load_named_rows(*this, {cfg_.input}, cfg_.format, cfg_.transpose);
  rows_ = std::move(loaded.sets[0]);
  columns_ = loaded.columns;
  column_ids_ = std::move(loaded.column_ids);
  total_rows_ = get_comm().allreduce(static_cast<std::int64_t>(rows_.size()), reduce_op::sum);
  const auto smaller = std::min<std::uint64_t>(columns_, static_cast<std::uint64_t>(total_rows_));
  if (static_cast<std::uint64_t>(cfg_.rank) > smaller) {
    throw error("rank " + std::to_string(cfg_.rank) + " exceeds the matrix's smaller side (" +
                std::to_string(total_rows_) + " rows x " + std::to_string(columns_) +
                " columns in " + cfg_.input + ")");
  }
  // The basis has as many rows as A has columns: the smaller side belongs there.
  if (cfg_.format == "triples" && columns_ > 2 * static_cast<std::uint64_t>(total_rows_) &&
      get_worker_id() == 0) {
    log::warn("svd: ", total_rows_, " rows x ", columns_,
              " columns: with \"transpose\": ", cfg_.transpose ? "false" : "true",
              " the Krylov basis would be ", columns_ / static_cast<std::uint64_t>(total_rows_),
              "x smaller (U and V swap)");
  }
  std::vector<Eigen::Triplet<double>> entries;
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    for (auto at = rows_.offsets[r]; at < rows_.offsets[r + 1]; ++at)
      entries.emplace_back(static_cast<int>(r), static_cast<int>(rows_.cols[at]), rows_.values[at]);
  }
  a_.resize(static_cast<Eigen::Index>(rows_.size()), static_cast<Eigen::Index>(columns_));
  a_.setFromTriplets(entries.begin(), entries.end());
  if (cfg_.center) {
    Eigen::VectorXd sums = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(columns_));
    for (Eigen::Index r = 0; r < a_.outerSize(); ++r) {
      for (decltype(a_)::InnerIterator it(a_, r); it; ++it) sums[it.col()] += it.value();
    }
    mean_ = sum_over_workers(*this, std::string(k_prefix) + "mean", sums) /
            static_cast<double>(total_rows_);
  }
}

Eigen::MatrixXd svd::normal_product(const Eigen::MatrixXd& x) {
  Eigen::MatrixXd y = a_ * x;  // this worker's rows of A X
  // Centred: A_c X = A X - 1 (mean' X), A_c' Y = A' Y - mean (1' Y).
  if (cfg_.center) y.rowwise() -= mean_.transpose() * x;
  Eigen::MatrixXd local = a_.transpose() * y;
  if (cfg_.center) local -= mean_ * y.colwise().sum();
  const std::string key = k_prefix + std::to_string(products_);
  const Eigen::VectorXd sum =
      sum_over_workers(*this, key, Eigen::Map<const Eigen::VectorXd>(local.data(), local.size()));
  // Every worker read the previous product before this product's synchronisation.
  if (get_worker_id() == 0 && products_ > 0)
    paracel_remove_special(prefix_filter(k_prefix + std::to_string(products_ - 1) + "/"));
  ++products_;
  return Eigen::Map<const Eigen::MatrixXd>(sum.data(), x.rows(), x.cols());
}

svd::triplets svd::rayleigh_ritz(const Eigen::Ref<const Eigen::MatrixXd>& basis,
                                 const Eigen::Ref<const Eigen::MatrixXd>& product,
                                 const Eigen::MatrixXd& projected) const {
  // The eigenvalues of basis' A'A basis (symmetric up to rounding) ascend: the largest k
  // are the last ones.
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen((projected + projected.transpose()) /
                                                             2);
  const Eigen::Index k = cfg_.rank;
  const Eigen::MatrixXd y = eigen.eigenvectors().rightCols(k).rowwise().reverse();
  const Eigen::VectorXd theta = eigen.eigenvalues().tail(k).reverse().cwiseMax(0.0);
  triplets out;
  out.sigma = theta.cwiseSqrt();
  out.v = basis * y;
  const Eigen::MatrixXd residual = product * y - out.v * theta.asDiagonal();
  for (Eigen::Index i = 0; i < k; ++i) {
    if (out.sigma[i] > 0)
      out.residual = std::max(out.residual, residual.col(i).norm() / out.sigma[i]);
  }
  return out;
}

Eigen::MatrixXd svd::random_block() {
  // The same numbers on every worker: one generator, one seed.
  std::mt19937_64 rng(cfg_.seed);
  std::normal_distribution<double> normal;
  const auto l = std::min<Eigen::Index>(cfg_.block(), static_cast<Eigen::Index>(columns_));
  Eigen::MatrixXd omega(static_cast<Eigen::Index>(columns_), l);
  for (Eigen::Index j = 0; j < omega.cols(); ++j)
    for (Eigen::Index i = 0; i < omega.rows(); ++i) omega(i, j) = normal(rng);
  return orthonormal_block(Eigen::MatrixXd(omega.rows(), 0), omega);
}

svd::triplets svd::run_randomized() {
  Eigen::MatrixXd x = random_block();
  for (int q = 0; q < cfg_.power_iterations; ++q) {
    x = orthonormal_block(Eigen::MatrixXd(x.rows(), 0), normal_product(x));
    if (x.cols() < cfg_.rank) {
      throw error("the matrix has rank below " + std::to_string(cfg_.rank) +
                  ": ask for fewer singular values");
    }
  }
  iterations_ = cfg_.power_iterations;
  const Eigen::MatrixXd product = normal_product(x);
  return rayleigh_ritz(x, product, x.transpose() * product);
}

svd::triplets svd::run_krylov() {
  // The basis and A'A of it, in buffers whose capacity doubles (no copy per block).
  Eigen::MatrixXd basis_store = random_block();
  Eigen::MatrixXd product_store = normal_product(basis_store);
  Eigen::Index used = basis_store.cols();
  Eigen::MatrixXd projected = basis_store.transpose() * product_store;  // grown a block at a time
  Eigen::Index last = used;  // columns of the newest block
  triplets t;
  for (iterations_ = 1;; ++iterations_) {
    const auto basis = basis_store.leftCols(used);
    const auto product = product_store.leftCols(used);
    if (used >= cfg_.rank) {
      t = rayleigh_ritz(basis, product, projected);
      if (t.residual <= cfg_.tolerance * t.sigma[0]) break;
    }
    if (iterations_ >= cfg_.max_iterations) {
      converged_ = false;
      break;
    }
    const Eigen::MatrixXd next = orthonormal_block(basis, product.rightCols(last));
    if (next.cols() == 0) break;  // an invariant subspace: the triplets are exact
    const Eigen::MatrixXd next_product = normal_product(next);
    // The new rows and columns of basis' A'A basis (A'A is symmetric).
    const Eigen::MatrixXd cross = basis.transpose() * next_product;
    const Eigen::Index b = next.cols();
    projected.conservativeResize(used + b, used + b);
    projected.topRightCorner(used, b) = cross;
    projected.bottomLeftCorner(b, used) = cross.transpose();
    projected.bottomRightCorner(b, b) = next.transpose() * next_product;
    if (used + b > basis_store.cols()) {
      const Eigen::Index capacity = std::max(used + b, 2 * basis_store.cols());
      basis_store.conservativeResize(Eigen::NoChange, capacity);
      product_store.conservativeResize(Eigen::NoChange, capacity);
    }
    basis_store.middleCols(used, b) = next;
    product_store.middleCols(used, b) = next_product;
    used += b;
    last = b;
  }
  if (used < cfg_.rank) {
    throw error("the matrix has rank below " + std::to_string(cfg_.rank) +
                ": ask for fewer singular values");
  }
  if (!converged_ && get_worker_id() == 0) {
    log::warn("svd: not converged after ", cfg_.max_iterations, " blocks (largest residual ",
              t.residual / t.sigma[0], " of sigma_1, tolerance ", cfg_.tolerance,
              "); raise max_iterations");
  }
  return t;
}

void svd::solve() {
  load();
  const auto start = std::chrono::steady_clock::now();
  triplets t = cfg_.method == "krylov" ? run_krylov() : run_randomized();
  seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_results(std::move(t));
}

void svd::write_results(triplets t) {
  const Eigen::Index k = cfg_.rank;
  // Signs: each v's largest entry positive, so that runs agree.
  for (Eigen::Index i = 0; i < k; ++i) {
    Eigen::Index at = 0;
    t.v.col(i).cwiseAbs().maxCoeff(&at);
    if (t.v(at, i) < 0) t.v.col(i) *= -1;
  }
  Eigen::MatrixXd u = a_ * t.v;
  if (cfg_.center) u.rowwise() -= mean_.transpose() * t.v;
  for (Eigen::Index i = 0; i < k; ++i) u.col(i) *= t.sigma[i] > 0 ? 1 / t.sigma[i] : 0.0;

  std::vector<std::string> u_lines, v_lines, sigma_lines;
  for (std::size_t r = 0; r < rows_.size(); ++r)
    u_lines.push_back(vector_line(rows_.names[r], u.row(static_cast<Eigen::Index>(r))));
  const int workers = get_worker_size();
  auto owner = [&](std::uint64_t id) {
    return static_cast<int>(id % static_cast<std::uint64_t>(workers));
  };
  if (cfg_.format != "triples") {  // columns are positions: from 0, or LIBSVM's from 1
    const std::uint64_t base = cfg_.format == "libsvm" ? 1 : 0;
    for (std::uint64_t j = 0; j < columns_; ++j) {
      if (owner(j) == get_worker_id()) {
        v_lines.push_back(
            vector_line(std::to_string(j + base), t.v.row(static_cast<Eigen::Index>(j))));
      }
    }
  } else {
    for (const auto& [id, name] : names_of_owned_ids(get_comm(), column_ids_, owner))
      v_lines.push_back(vector_line(name, t.v.row(static_cast<Eigen::Index>(id))));
  }
  metrics m;
  if (get_worker_id() == 0) {
    for (Eigen::Index i = 0; i < k; ++i) {
      std::ostringstream line;
      line << std::setprecision(17) << t.sigma[i];
      if (cfg_.center)
        line << '\t' << t.sigma[i] * t.sigma[i] / static_cast<double>(total_rows_ - 1);
      sigma_lines.push_back(line.str());
    }
  }
  m.set("method", cfg_.method)
      .set("rank", cfg_.rank)
      .set("rows", total_rows_)
      .set("columns", static_cast<std::int64_t>(columns_))
      .set("center", cfg_.center)
      .set("workers", workers)
      .set("products", products_)
      .set("iterations", iterations_)
      .set("converged", converged_)
      .set("sigma_1", t.sigma[0])
      .set("relative_residual", t.sigma[0] > 0 ? t.residual / t.sigma[0] : 0.0)
      .set("seconds", seconds_);
  paracel_dump_vector(sigma_lines, "singular_values");
  paracel_dump_vector(u_lines, "u");
  paracel_dump_vector(v_lines, "v");
  paracel_dump_metrics(m, "svd");
}

}  // namespace paracel::alg
