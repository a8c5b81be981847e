// Serial matrix factorisation, the test oracle of alg/recommendation/matrix_factorization:
// SGD on the Koren model  r_ui ~ mu + b_u + b_i + p_u.q_i  over every training rating, in a
// fixed shuffled order, in plain C++ (no MPI, no parameter server).
//
//   mf_serial TRAIN TEST RANK EPOCHS RATE DECAY L2 [SEED]
//
// TRAIN and TEST hold "user item rating" lines. The factors start as the distributed
// algorithm's do (a normal draw of scale 0.1 seeded by the name, biases 0); the learning
// rate of epoch e is RATE * DECAY^e. RANK 0 is the bias-only baseline. Prints the test RMSE,
// then the seconds the SGD epochs took.
// A test rating of a user or item never seen in training is predicted from what is known.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "factor_init.hpp"

namespace {

struct rating {
  std::size_t user, item;
  double value;
};

struct table {
  std::unordered_map<std::string, std::size_t> index;
  std::vector<std::string> names;
  std::size_t id(const std::string& name) {
    auto [it, added] = index.emplace(name, names.size());
    if (added) names.push_back(name);
    return it->second;
  }
};

std::vector<std::pair<std::string, std::string>> read(const char* path,
                                                      std::vector<double>& values) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "mf_serial: cannot read " << path << "\n";
    std::exit(1);
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  std::string user, item;
  double value = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    if (fields >> user >> item >> value) {
      pairs.emplace_back(user, item);
      values.push_back(value);
    }
  }
  return pairs;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 8) {
    std::cerr << "usage: mf_serial TRAIN TEST RANK EPOCHS RATE DECAY L2 [SEED]\n";
    return 2;
  }
  const int rank = std::atoi(argv[3]);
  const int epochs = std::atoi(argv[4]);
  const double rate0 = std::atof(argv[5]), decay = std::atof(argv[6]), l2 = std::atof(argv[7]);
  const std::uint64_t seed = argc > 8 ? std::strtoull(argv[8], nullptr, 10) : 1;

  std::vector<double> train_values, test_values;
  const auto train_pairs = read(argv[1], train_values);
  const auto test_pairs = read(argv[2], test_values);
  table users, items;
  std::vector<rating> train;
  for (std::size_t i = 0; i < train_pairs.size(); ++i)
    train.push_back(
        {users.id(train_pairs[i].first), items.id(train_pairs[i].second), train_values[i]});
  double mu = 0;
  for (const auto& r : train) mu += r.value;
  mu /= static_cast<double>(train.size());

  const auto k = static_cast<std::size_t>(rank);
  std::vector<double> p(users.names.size() * k), q(items.names.size() * k);
  std::vector<double> bu(users.names.size(), 0.0), bi(items.names.size(), 0.0);
  for (std::size_t u = 0; u < users.names.size(); ++u)
    paracel::alg::init_factors(users.names[u], seed, &p[u * k], k);
  for (std::size_t i = 0; i < items.names.size(); ++i)
    paracel::alg::init_factors(items.names[i], seed, &q[i * k], k);

  std::mt19937_64 shuffle(seed);
  double rate = rate0;
  const auto start = std::chrono::steady_clock::now();
  for (int e = 0; e < epochs; ++e, rate *= decay) {
    std::shuffle(train.begin(), train.end(), shuffle);
    for (const auto& r : train) {
      double* pu = &p[r.user * k];
      double* qi = &q[r.item * k];
      double predicted = mu + bu[r.user] + bi[r.item];
      for (std::size_t f = 0; f < k; ++f) predicted += pu[f] * qi[f];
      const double err = r.value - predicted;
      bu[r.user] += rate * (err - l2 * bu[r.user]);
      bi[r.item] += rate * (err - l2 * bi[r.item]);
      for (std::size_t f = 0; f < k; ++f) {
        const double old = pu[f];
        pu[f] += rate * (err * qi[f] - l2 * pu[f]);
        qi[f] += rate * (err * old - l2 * qi[f]);
      }
    }
  }

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double squared = 0;
  for (std::size_t t = 0; t < test_pairs.size(); ++t) {
    const auto u = users.index.find(test_pairs[t].first);
    const auto i = items.index.find(test_pairs[t].second);
    double predicted = mu;
    if (u != users.index.end()) predicted += bu[u->second];
    if (i != items.index.end()) predicted += bi[i->second];
    if (u != users.index.end() && i != items.index.end()) {
      for (std::size_t f = 0; f < k; ++f) predicted += p[u->second * k + f] * q[i->second * k + f];
    }
    squared += (test_values[t] - predicted) * (test_values[t] - predicted);
  }
  std::printf("%.10f\n%.6f\n", std::sqrt(squared / static_cast<double>(test_pairs.size())),
              seconds);
}
