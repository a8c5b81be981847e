// Serial matrix factorisation, the test oracle and the benchmark baseline of
// alg/recommendation/matrix_factorization: SGD on the Koren model
//   r_ui ~ mu + b_u + b_i + p_u.q_i
// in plain C++ (no MPI, no parameter server) as a tight loop: float factors, the vectorised
// kernel the algorithm runs too (sgd_kernel.hpp), and the ratings in cache-sized tiles
// (rating_tiles.hpp) visited in a random order each epoch, as LIBMF does.
//
//   mf_serial TRAIN TEST RANK EPOCHS RATE DECAY L2 [SEED] [THREADS]
//
// With THREADS = T > 1 an epoch is T rounds; in round s thread t runs the tiles of user
// range u and item range i with u % T == t and i % T == (t + s) % T (DSGD's strata on one
// machine): no two threads touch the same row, so no locks.
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
#include <thread>
#include <unordered_map>
#include <vector>

#include "factor_init.hpp"
#include "rating_tiles.hpp"
#include "sgd_kernel.hpp"

namespace {

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
  namespace mf = paracel::alg::mf;
  if (argc < 8) {
    std::cerr << "usage: mf_serial TRAIN TEST RANK EPOCHS RATE DECAY L2 [SEED] [THREADS]\n";
    return 2;
  }
  const int rank = std::atoi(argv[3]);
  const int epochs = std::atoi(argv[4]);
  const double rate0 = std::atof(argv[5]), decay = std::atof(argv[6]), l2 = std::atof(argv[7]);
  const std::uint64_t seed = argc > 8 ? std::strtoull(argv[8], nullptr, 10) : 1;
  const std::size_t threads = argc > 9 ? std::strtoull(argv[9], nullptr, 10) : 1;
  if (threads < 1) {
    std::cerr << "mf_serial: THREADS must be at least 1\n";
    return 2;
  }

  std::vector<double> train_values, test_values;
  const auto train_pairs = read(argv[1], train_values);
  const auto test_pairs = read(argv[2], test_values);
  table users, items;
  std::vector<mf::sgd_rating> train;
  double mu = 0;
  for (std::size_t i = 0; i < train_pairs.size(); ++i) {
    const auto user = static_cast<std::uint32_t>(users.id(train_pairs[i].first));
    const auto item = static_cast<std::uint32_t>(items.id(train_pairs[i].second));
    train.push_back({user, item, static_cast<float>(train_values[i])});
    mu += train_values[i];
  }
  mu /= static_cast<double>(train.size());

  const auto k = static_cast<std::size_t>(rank);
  auto initial = [&](const table& names) {
    mf::factor_rows rows(names.names.size(), k);
    std::vector<double> draw(k);
    for (std::size_t r = 0; r < rows.rows(); ++r) {
      paracel::alg::init_factors(names.names[r], seed, draw.data(), k);
      std::copy(draw.begin(), draw.end(), rows.row(r));
    }
    return rows;
  };
  mf::factor_rows p = initial(users), q = initial(items);

  std::mt19937_64 shuffle(seed);
  const mf::rating_tiles tiles(std::move(train), mf::default_tile_shape(p.width));
  double rate = rate0;
  const auto start = std::chrono::steady_clock::now();
  for (int e = 0; e < epochs; ++e, rate *= decay) {
    const mf::sgd_step step{static_cast<float>(mu), static_cast<float>(rate),
                            static_cast<float>(l2)};
    const auto order = tiles.visit_order(shuffle);
    if (threads == 1) {
      for (auto t : order) mf::sgd_run(tiles.begin(t), tiles.end(t), p, q, step);
      continue;
    }
    for (std::size_t round = 0; round < threads; ++round) {
      std::vector<std::thread> team;
      for (std::size_t id = 0; id < threads; ++id) {
        team.emplace_back([&, id] {
          for (auto t : order) {
            if (tiles.user_range(t) % threads == id &&
                tiles.item_range(t) % threads == (id + round) % threads)
              mf::sgd_run(tiles.begin(t), tiles.end(t), p, q, step);
          }
        });
      }
      for (auto& member : team) member.join();
    }
  }

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double squared = 0;
  for (std::size_t t = 0; t < test_pairs.size(); ++t) {
    const auto u = users.index.find(test_pairs[t].first);
    const auto i = items.index.find(test_pairs[t].second);
    double predicted = mu;
    if (u != users.index.end() && i != items.index.end()) {
      predicted = mf::predict(p, u->second, q, i->second, static_cast<float>(mu));
    } else if (u != users.index.end()) {
      predicted += p.bias[u->second];
    } else if (i != items.index.end()) {
      predicted += q.bias[i->second];
    }
    squared += (test_values[t] - predicted) * (test_values[t] - predicted);
  }
  std::printf("%.10f\n%.6f\n", std::sqrt(squared / static_cast<double>(test_pairs.size())),
              seconds);
}
