// In-memory graphs over dense 64-bit vertex ids, as paralg's loaders build them (a worker's
// block, or a whole graph). Not thread-safe for writes; concurrent reads are fine.
//   digraph            directed, weighted; out/in degrees, BFS, DFS, weakly connected components
//   undirected_graph   each edge stored both ways; degree, BFS, DFS, connected components
//   bigraph            bipartite (left -> right), separate id spaces; degrees on both sides
//   bigraph_continuous bipartite with contiguous left ids in compressed rows (CSR), for speed
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace paracel {

using vertex = std::uint64_t;

template <class W = double>
class digraph {
 public:
  using weight_type = W;
  using edge_list = std::vector<std::pair<vertex, W>>;

  void add_edge(vertex from, vertex to, W weight = W(1)) {
    out_[from].emplace_back(to, weight);
    out_.try_emplace(to);
    ++in_degree_[to];
    ++edges_;
  }

  std::size_t vertex_count() const { return out_.size(); }
  std::size_t edge_count() const { return edges_; }
  bool has_vertex(vertex v) const { return out_.count(v) != 0; }
  std::size_t out_degree(vertex v) const {
    auto it = out_.find(v);
    return it == out_.end() ? 0 : it->second.size();
  }
  std::size_t in_degree(vertex v) const {
    auto it = in_degree_.find(v);
    return it == in_degree_.end() ? 0 : it->second;
  }
  const edge_list& out_edges(vertex v) const {
    static const edge_list none;
    auto it = out_.find(v);
    return it == out_.end() ? none : it->second;
  }
  // Sorted vertex ids.
  std::vector<vertex> vertices() const {
    std::vector<vertex> out;
    out.reserve(out_.size());
    for (const auto& [v, edges] : out_) out.push_back(v);
    std::sort(out.begin(), out.end());
    return out;
  }
  // Calls visit(from, to, weight) for every edge.
  template <class F>
  void traverse(F&& visit) const {
    for (const auto& [from, edges] : out_) {
      for (const auto& [to, w] : edges) visit(from, to, w);
    }
  }
  // Vertices reachable from `start` along out-edges, in breadth-first order.
  std::vector<vertex> bfs(vertex start) const {
    std::vector<vertex> order;
    if (!has_vertex(start)) return order;
    std::unordered_map<vertex, bool> seen{{start, true}};
    std::deque<vertex> queue{start};
    while (!queue.empty()) {
      const vertex v = queue.front();
      queue.pop_front();
      order.push_back(v);
      for (const auto& [to, w] : out_edges(v)) {
        if (seen.try_emplace(to, true).second) queue.push_back(to);
      }
    }
    return order;
  }
  // Vertices reachable from `start`, in depth-first preorder (edges in insertion order).
  std::vector<vertex> dfs(vertex start) const {
    std::vector<vertex> order;
    if (!has_vertex(start)) return order;
    std::unordered_map<vertex, bool> seen;
    std::vector<vertex> stack{start};
    while (!stack.empty()) {
      const vertex v = stack.back();
      stack.pop_back();
      if (!seen.try_emplace(v, true).second) continue;
      order.push_back(v);
      const auto& edges = out_edges(v);
      for (auto it = edges.rbegin(); it != edges.rend(); ++it) {
        if (!seen.count(it->first)) stack.push_back(it->first);
      }
    }
    return order;
  }
  // Weakly connected components: vertex -> smallest vertex id of its component.
  std::unordered_map<vertex, vertex> connected_components() const {
    std::unordered_map<vertex, vertex> parent;
    for (const auto& [v, edges] : out_) parent.emplace(v, v);
    auto find = [&](vertex v) {
      while (parent[v] != v) v = parent[v] = parent[parent[v]];
      return v;
    };
    traverse([&](vertex a, vertex b, const W&) {
      const vertex ra = find(a);
      const vertex rb = find(b);
      if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
    });
    std::unordered_map<vertex, vertex> out;
    for (const auto& [v, p] : parent) out.emplace(v, find(v));
    return out;
  }

 private:
  std::unordered_map<vertex, edge_list> out_;
  std::unordered_map<vertex, std::size_t> in_degree_;
  std::size_t edges_ = 0;
};

template <class W = double>
class undirected_graph {
 public:
  using weight_type = W;
  void add_edge(vertex a, vertex b, W weight = W(1)) {
    g_.add_edge(a, b, weight);
    if (a != b) g_.add_edge(b, a, weight);
    ++edges_;
  }
  std::size_t vertex_count() const { return g_.vertex_count(); }
  std::size_t edge_count() const { return edges_; }
  std::size_t degree(vertex v) const { return g_.out_degree(v); }
  const typename digraph<W>::edge_list& neighbours(vertex v) const { return g_.out_edges(v); }
  std::vector<vertex> vertices() const { return g_.vertices(); }
  std::vector<vertex> bfs(vertex start) const { return g_.bfs(start); }
  std::vector<vertex> dfs(vertex start) const { return g_.dfs(start); }
  std::unordered_map<vertex, vertex> connected_components() const {
    return g_.connected_components();
  }

 private:
  digraph<W> g_;
  std::size_t edges_ = 0;
};

template <class W = double>
class bigraph {
 public:
  using weight_type = W;
  using edge_list = std::vector<std::pair<vertex, W>>;
  void add_edge(vertex left, vertex right, W weight = W(1)) {
    left_[left].emplace_back(right, weight);
    right_[right].emplace_back(left, weight);
    ++edges_;
  }
  std::size_t left_count() const { return left_.size(); }
  std::size_t right_count() const { return right_.size(); }
  std::size_t edge_count() const { return edges_; }
  std::size_t left_degree(vertex v) const { return find(left_, v).size(); }
  std::size_t right_degree(vertex v) const { return find(right_, v).size(); }
  const edge_list& right_of(vertex left) const { return find(left_, left); }
  const edge_list& left_of(vertex right) const { return find(right_, right); }
  template <class F>
  void traverse(F&& visit) const {
    for (const auto& [l, edges] : left_) {
      for (const auto& [r, w] : edges) visit(l, r, w);
    }
  }

 private:
  static const edge_list& find(const std::unordered_map<vertex, edge_list>& side, vertex v) {
    static const edge_list none;
    auto it = side.find(v);
    return it == side.end() ? none : it->second;
  }
  std::unordered_map<vertex, edge_list> left_;
  std::unordered_map<vertex, edge_list> right_;
  std::size_t edges_ = 0;
};

// Left ids 0..left_count-1 in compressed rows: edges of u are right_[offsets_[u] ..
// offsets_[u+1]). Build once from (left, right, weight) edges.
template <class W = double>
class bigraph_continuous {
 public:
  bigraph_continuous() = default;
  bigraph_continuous(std::size_t left_count, std::vector<std::tuple<vertex, vertex, W>> edges) {
    std::sort(edges.begin(), edges.end(),
              [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    offsets_.assign(left_count + 1, 0);
    for (const auto& e : edges) ++offsets_[std::get<0>(e) + 1];
    std::partial_sum(offsets_.begin(), offsets_.end(), offsets_.begin());
    for (const auto& [l, r, w] : edges) targets_.emplace_back(r, w);
  }
  std::size_t left_count() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::size_t edge_count() const { return targets_.size(); }
  std::size_t left_degree(vertex u) const { return offsets_[u + 1] - offsets_[u]; }
  // The (right, weight) pairs of left vertex u.
  std::pair<const std::pair<vertex, W>*, const std::pair<vertex, W>*> right_of(vertex u) const {
    return {targets_.data() + offsets_[u], targets_.data() + offsets_[u + 1]};
  }
  template <class F>
  void traverse(F&& visit) const {
    for (vertex u = 0; u < left_count(); ++u) {
      for (auto* e = targets_.data() + offsets_[u]; e != targets_.data() + offsets_[u + 1]; ++e) {
        visit(u, e->first, e->second);
      }
    }
  }

 private:
  std::vector<std::size_t> offsets_;
  std::vector<std::pair<vertex, W>> targets_;
};

}  // namespace paracel
