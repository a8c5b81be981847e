// Serial PageRank, the test oracle of alg/graph/pagerank: power iteration in plain C++
// (no MPI, no parameter server) with networkx's conventions — ranks sum to 1, the rank of
// dangling vertices spread over all vertices, uniform teleport.
//
//   pagerank_serial EDGES [DAMPING] [TOLERANCE] [MAX_ROUNDS]
//
// EDGES holds "src dst" lines (names). Prints "name<TAB>rank" sorted by name.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: pagerank_serial EDGES [DAMPING] [TOLERANCE] [MAX_ROUNDS]\n";
    return 2;
  }
  const double damping = argc > 2 ? std::atof(argv[2]) : 0.85;
  const double tolerance = argc > 3 ? std::atof(argv[3]) : 1e-9;
  const int max_rounds = argc > 4 ? std::atoi(argv[4]) : 100;
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "pagerank_serial: cannot read " << argv[1] << "\n";
    return 1;
  }
  std::unordered_map<std::string, std::size_t> index;
  std::vector<std::string> names;
  auto id = [&](const std::string& name) {
    auto [it, added] = index.emplace(name, names.size());
    if (added) names.push_back(name);
    return it->second;
  };
  std::vector<std::pair<std::size_t, std::size_t>> edges;
  for (std::string from, to; in >> from >> to;) edges.emplace_back(id(from), id(to));
  const std::size_t n = names.size();
  std::vector<double> degree(n, 0), rank(n, 1.0 / static_cast<double>(n)), next(n);
  for (const auto& e : edges) degree[e.first] += 1;
  for (int round = 0; round < max_rounds; ++round) {
    double dangling = 0;
    for (std::size_t v = 0; v < n; ++v)
      if (degree[v] == 0) dangling += rank[v];
    std::fill(next.begin(), next.end(), 0.0);
    for (const auto& [from, to] : edges) next[to] += rank[from] / degree[from];
    double change = 0;
    for (std::size_t v = 0; v < n; ++v) {
      next[v] = damping * (next[v] + dangling / static_cast<double>(n)) +
                (1 - damping) / static_cast<double>(n);
      change += std::abs(next[v] - rank[v]);
    }
    rank.swap(next);
    if (change < tolerance) break;
  }
  std::map<std::string, double> sorted;
  for (std::size_t v = 0; v < n; ++v) sorted.emplace(names[v], rank[v]);
  for (const auto& [name, r] : sorted) std::printf("%s\t%.17g\n", name.c_str(), r);
}
