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

class components : public pregel<std::uint64_t, std::uint64_t>, public numbered {
 public:
  using pregel::pregel;

 protected:
  void init(vertex& v) override { v.value() = number(v.name(), v.id()); }
  void compute(vertex& v, const std::vector<std::uint64_t>& messages) override {
    const std::uint64_t best = std::min(v.value(), messages.empty() ? v.value() : messages.front());
    if (v.superstep() == 0 || best < v.value()) {
      v.value() = best;
      v.send_to_neighbours(best);
    }
    v.vote_to_halt();
  }
  bool combine(std::uint64_t& into, const std::uint64_t& next) const override {
    into = std::min(into, next);
    return true;
  }
};

class max_value : public pregel<std::uint64_t, std::uint64_t>, public numbered {
 public:
  using pregel::pregel;

 protected:
  void init(vertex& v) override { v.value() = number(v.name(), v.id()); }
  void compute(vertex& v, const std::vector<std::uint64_t>& messages) override {
    const std::uint64_t best = std::max(v.value(), messages.empty() ? v.value() : messages.front());
    if (v.superstep() == 0 || best > v.value()) {
      v.value() = best;
      v.send_to_neighbours(best);
    }
    v.vote_to_halt();
  }
  bool combine(std::uint64_t& into, const std::uint64_t& next) const override {
    into = std::max(into, next);
    return true;
  }
};

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
