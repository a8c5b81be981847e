// The limited-memory BFGS approximation of an inverse Hessian (Nocedal & Wright, Numerical
// Optimization, 2nd ed., algorithm 7.4): the last `memory` steps s = x' - x and gradient
// changes y = g' - g, applied to a vector by the two-loop recursion, with the initial
// scaling s.y / y.y of the newest pair.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <deque>
#include <vector>

namespace paracel::alg {

class lbfgs_history {
 public:
  explicit lbfgs_history(std::size_t memory) : memory_(memory) {}

  // Keeps the pair unless its curvature s.y is not clearly positive (then the secant
  // condition cannot hold and the approximation would stop being positive definite).
  void add(Eigen::VectorXd s, Eigen::VectorXd y) {
    const double sy = s.dot(y);
    if (!(sy > 1e-10 * y.squaredNorm()) || memory_ == 0) return;
    pairs_.push_back({std::move(s), std::move(y), 1 / sy});
    if (pairs_.size() > memory_) pairs_.pop_front();
  }
  void clear() { pairs_.clear(); }
  bool empty() const { return pairs_.empty(); }

  // H * g for the approximation H of the inverse Hessian (g itself when empty).
  Eigen::VectorXd apply(const Eigen::VectorXd& g) const {
    Eigen::VectorXd q = g;
    std::vector<double> alpha(pairs_.size());
    for (std::size_t i = pairs_.size(); i-- > 0;) {
      alpha[i] = pairs_[i].rho * pairs_[i].s.dot(q);
      q -= alpha[i] * pairs_[i].y;
    }
    if (!pairs_.empty()) {
      const auto& newest = pairs_.back();
      q *= 1 / (newest.rho * newest.y.squaredNorm());  // s.y / y.y
    }
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      const double beta = pairs_[i].rho * pairs_[i].y.dot(q);
      q += (alpha[i] - beta) * pairs_[i].s;
    }
    return q;
  }

  // The pairs, oldest first, as s0, y0, s1, y1, ... (for checkpoints).
  std::vector<double> flatten() const {
    std::vector<double> out;
    for (const auto& p : pairs_) {
      out.insert(out.end(), p.s.data(), p.s.data() + p.s.size());
      out.insert(out.end(), p.y.data(), p.y.data() + p.y.size());
    }
    return out;
  }
  void restore(const std::vector<double>& flat, Eigen::Index dimension) {
    clear();
    for (std::size_t at = 0; at + 2 * static_cast<std::size_t>(dimension) <= flat.size();
         at += 2 * static_cast<std::size_t>(dimension)) {
      add(Eigen::Map<const Eigen::VectorXd>(flat.data() + at, dimension),
          Eigen::Map<const Eigen::VectorXd>(flat.data() + at + dimension, dimension));
    }
  }

 private:
  struct curvature_pair {
    Eigen::VectorXd s;
    Eigen::VectorXd y;
    double rho;  // 1 / s.y
  };
  std::size_t memory_;
  std::deque<curvature_pair> pairs_;
};

}  // namespace paracel::alg
