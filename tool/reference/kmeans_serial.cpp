// Serial k-means (Lloyd), the test oracle of alg/clustering/kmeans, in plain C++ (no MPI,
// no parameter server, no Eigen): from the given initial centres, assign every point to the
// nearest centre (the lowest index on ties), move each centre to its points' mean (an empty
// cluster keeps its centre), until no centre moves more than TOLERANCE or MAX_ROUNDS.
//
//   kmeans_serial POINTS CENTRES MAX_ROUNDS TOLERANCE
//
// Prints the inertia of the final centres and the number of rounds, then the centres.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::vector<double>> read_rows(const char* path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "kmeans_serial: cannot read " << path << "\n";
    std::exit(1);
  }
  std::vector<std::vector<double>> rows;
  for (std::string line; std::getline(in, line);) {
    for (char& c : line)
      if (c == ',') c = ' ';
    std::istringstream fields(line);
    std::vector<double> row;
    for (double v; fields >> v;) row.push_back(v);
    if (!row.empty()) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: kmeans_serial POINTS CENTRES MAX_ROUNDS TOLERANCE\n";
    return 2;
  }
  const auto points = read_rows(argv[1]);
  auto centres = read_rows(argv[2]);
  const int max_rounds = std::atoi(argv[3]);
  const double tolerance = std::atof(argv[4]);
  const std::size_t k = centres.size(), d = centres.front().size();
  double inertia = 0;
  int rounds = 0;
  for (int t = 0; t < max_rounds; ++t) {
    std::vector<std::vector<double>> sums(k, std::vector<double>(d, 0.0));
    std::vector<double> counts(k, 0.0);
    inertia = 0;
    for (const auto& p : points) {
      std::size_t best = 0;
      double best_distance = 0;
      for (std::size_t c = 0; c < k; ++c) {
        double distance = 0;
        for (std::size_t j = 0; j < d; ++j)
          distance += (centres[c][j] - p[j]) * (centres[c][j] - p[j]);
        if (c == 0 || distance < best_distance) {
          best = c;
          best_distance = distance;
        }
      }
      for (std::size_t j = 0; j < d; ++j) sums[best][j] += p[j];
      counts[best] += 1;
      inertia += best_distance;
    }
    rounds = t + 1;
    double shift = 0;
    auto next = centres;
    for (std::size_t c = 0; c < k; ++c) {
      if (counts[c] == 0) continue;
      double moved = 0;
      for (std::size_t j = 0; j < d; ++j) {
        next[c][j] = sums[c][j] / counts[c];
        moved += (next[c][j] - centres[c][j]) * (next[c][j] - centres[c][j]);
      }
      shift = std::max(shift, std::sqrt(moved));
    }
    if (shift <= tolerance || t + 1 == max_rounds) break;
    centres = next;
  }
  std::printf("%.17g\n%d\n", inertia, rounds);
  for (const auto& c : centres) {
    for (std::size_t j = 0; j < d; ++j) std::printf(j ? " %.17g" : "%.17g", c[j]);
    std::printf("\n");
  }
}
