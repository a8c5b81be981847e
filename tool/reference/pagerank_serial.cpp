// Serial PageRank, the test oracle of alg/graph/pagerank: power iteration in plain C++
// (no MPI, no parameter server) with networkx's conventions — ranks sum to 1, the rank of
// dangling vertices spread over all vertices, uniform teleport.
//
//   pagerank_serial EDGES [DAMPING] [TOLERANCE] [MAX_ROUNDS]
//
// EDGES holds "src dst" lines (names). Prints "name<TAB>rank" sorted by name, and on stderr
// the time per iteration: the iterations are the tight loop the benchmarks compare
// Paracel's with (in-edges grouped by destination, CSR: one write per vertex, a read per
// edge), and each vertex sums its in-edges in file order, as a loop over the edges would.
#include <chrono>
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
  std::vector<double> degree(n, 0), rank(n, 1.0 / static_cast<double>(n)), next(n), share(n);
  std::vector<std::size_t> in_start(n + 1, 0), sources(edges.size());
  for (const auto& [from, to] : edges) {
    degree[from] += 1;
    ++in_start[to + 1];
  }
  for (std::size_t v = 0; v < n; ++v) in_start[v + 1] += in_start[v];
  {
    std::vector<std::size_t> fill(in_start.begin(), in_start.end() - 1);
    for (const auto& [from, to] : edges) sources[fill[to]++] = from;
  }
  const auto start = std::chrono::steady_clock::now();
  int rounds = 0;
  while (rounds < max_rounds) {
    ++rounds;
    double dangling = 0;
    for (std::size_t v = 0; v < n; ++v) {
      if (degree[v] == 0) dangling += rank[v];
      share[v] = degree[v] ? rank[v] / degree[v] : 0;
    }
    double change = 0;
    for (std::size_t v = 0; v < n; ++v) {
      double in = 0;
      for (auto k = in_start[v]; k < in_start[v + 1]; ++k) in += share[sources[k]];
      next[v] = damping * (in + dangling / static_cast<double>(n)) +
                (1 - damping) / static_cast<double>(n);
      change += std::abs(next[v] - rank[v]);
    }
    rank.swap(next);
    if (change < tolerance) break;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "pagerank_serial: %zu vertices, %zu edges, %d rounds, %.6f s per round\n", n,
               edges.size(), rounds, seconds / rounds);
  std::map<std::string, double> sorted;
  for (std::size_t v = 0; v < n; ++v) sorted.emplace(names[v], rank[v]);
  for (const auto& [name, r] : sorted) std::printf("%s\t%.17g\n", name.c_str(), r);
}
