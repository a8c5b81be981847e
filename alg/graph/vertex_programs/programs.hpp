// Three vertex programs on paracel::pregel (include/paracel/pregel.hpp).
//   components  weakly connected components by min-label propagation over edges taken both
//               ways: every vertex ends with the smallest label of its component.
//   max_value   every vertex ends with the largest value among itself and the vertices that
//               reach it (its ancestors): values flow along the edges.
//   sssp        single-source shortest paths (weights >= 0): the distance from the source.
// A vertex's label or value is its number (see numbered).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "paracel/pregel.hpp"

namespace paracel::alg {

// A vertex's number: its name read as an integer when every name is one, else its dense id.
class numbered {
 public:
  bool numeric_names = false;
  std::uint64_t number(const std::string& name, std::uint64_t id) const {
    return numeric_names ? std::stoull(name) : id;
  }
};

// Each vertex ends with the best number (by Better) it hears of: its own, or one sent along
// an edge. components takes the smallest over edges both ways, max_value the largest over
// the edges as they are.
template <class Better>
class propagate_best : public pregel<std::uint64_t, std::uint64_t>, public numbered {
 public:
  using pregel::pregel;

 protected:
  void init(vertex& v) override { v.value() = number(v.name(), v.id()); }
  void compute(vertex& v, const std::vector<std::uint64_t>& messages) override {
    const bool improved = !messages.empty() && Better()(messages.front(), v.value());
    if (improved) v.value() = messages.front();
    if (v.superstep() == 0 || improved) v.send_to_neighbours(v.value());
    v.vote_to_halt();
  }
  bool combine(std::uint64_t& into, const std::uint64_t& next) const override {
    if (Better()(next, into)) into = next;
    return true;
  }
};

using components = propagate_best<std::less<>>;
using max_value = propagate_best<std::greater<>>;

class shortest_paths : public pregel<double, double> {
 public:
  using pregel::pregel;
  std::uint64_t source = 0;

 protected:
  void init(vertex& v) override {
    v.value() = v.id() == source ? 0.0 : std::numeric_limits<double>::infinity();
  }
  void compute(vertex& v, const std::vector<double>& messages) override {
    const double best = messages.empty() ? v.value() : std::min(v.value(), messages.front());
    if ((v.superstep() == 0 && v.id() == source) || best < v.value()) {
      v.value() = best;
      for (const auto& e : v.out_edges()) v.send(e.target, best + e.weight);
    }
    v.vote_to_halt();
  }
  bool combine(double& into, const double& next) const override {
    into = std::min(into, next);
    return true;
  }
};

}  // namespace paracel::alg
