// Serial ALS, the test oracle and benchmark baseline of alg/recommendation/als: the same
// model and updates in plain C++ and Eigen (no MPI, no parameter server).
//
//   als_serial TRAIN TEST RANK ITERATIONS LAMBDA [--implicit ALPHA] [--plain] [--cg STEPS]
//              [--items FILE] [--seed S]
//
// TRAIN and TEST hold "user item rating" lines (TEST may be "-": none). Explicit ratings use
// ALS-WR's penalty lambda * (the row's rating count) unless --plain; --implicit uses
// Hu-Koren-Volinsky's confidence 1 + ALPHA r and a plain penalty unless --weighted. The item
// factors start as the distributed algorithm's (seeded by name) or from FILE
// ("name<TAB>f1 ... fk"). A pair on several lines is several observations (explicit) or one
// whose value is their sum (implicit). Prints one line per iteration:
//   iteration objective train_rmse test_rmse seconds
// A test rating of a user or item without training ratings is predicted as the mean.
#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "factor_init.hpp"

namespace {

struct names {
  std::unordered_map<std::string, int> index;
  std::vector<std::string> list;
  int id(const std::string& name) {
    auto [it, added] = index.emplace(name, static_cast<int>(list.size()));
    if (added) list.push_back(name);
    return it->second;
  }
};

struct rating {
  int user, item;
  double value;
};

[[noreturn]] void fail(const std::string& what) {
  std::cerr << "als_serial: " << what << "\n";
  std::exit(1);
}

std::vector<rating> read(const std::string& path, names& users, names& items) {
  std::vector<rating> out;
  if (path == "-") return out;
  std::ifstream in(path);
  if (!in) fail("cannot read " + path);
  for (std::string line; std::getline(in, line);) {
    for (char& c : line)
      if (c == ',') c = ' ';
    std::istringstream fields(line);
    std::string u, i;
    double v = 0;
    if (fields >> u >> i >> v) out.push_back({users.id(u), items.id(i), v});
  }
  return out;
}

struct options {
  int rank = 10, iterations = 10;
  double lambda = 0.1, alpha = 0;
  bool implicit = false, weighted = true, cg = false;
  int cg_steps = 3;
  std::string items;
  std::uint64_t seed = 1;
};

// Per row of one side: (other side's id, value) of its ratings.
using by_row = std::vector<std::vector<std::pair<int, double>>>;

// Solves every row of `x` from the fixed factors `y` (rows are factor vectors).
void half_step(const options& o, const by_row& rows, Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
  const Eigen::MatrixXd gram = y.transpose() * y;
  const auto k = y.cols();
  for (std::size_t u = 0; u < rows.size(); ++u) {
    const auto& rated = rows[u];
    if (rated.empty()) {
      x.row(static_cast<Eigen::Index>(u)).setZero();
      continue;
    }
    const double reg = o.weighted ? o.lambda * static_cast<double>(rated.size()) : o.lambda;
    // The rated rows' factors, each weighted on one side: a = Y_u' W Y_u (one matrix
    // product, as a tight loop would do it) and b = Y_u' v.
    const auto n = static_cast<Eigen::Index>(rated.size());
    Eigen::MatrixXd yu(n, k), weighted(n, k);
    Eigen::VectorXd v(n);
    for (Eigen::Index j = 0; j < n; ++j) {
      const auto [i, r] = rated[static_cast<std::size_t>(j)];
      yu.row(j) = y.row(i);
      weighted.row(j) = (o.implicit ? o.alpha * r : 1.0) * y.row(i);  // extra confidence
      v[j] = o.implicit ? 1 + o.alpha * r : r;
    }
    Eigen::MatrixXd a = yu.transpose() * weighted;
    if (o.implicit) a += gram;
    a.diagonal().array() += reg;
    const Eigen::VectorXd b = yu.transpose() * v;
    Eigen::VectorXd xu;
    if (o.cg) {
      xu = x.row(static_cast<Eigen::Index>(u)).transpose();
      Eigen::VectorXd res = b - a * xu, d = res;
      double rr = res.squaredNorm();
      for (int s = 0; s < o.cg_steps && rr > 0; ++s) {
        const Eigen::VectorXd ad = a * d;
        const double step = rr / d.dot(ad);
        xu += step * d;
        res -= step * ad;
        const double next = res.squaredNorm();
        d = res + (next / rr) * d;
        rr = next;
      }
    } else {
      xu = a.llt().solve(b);
    }
    x.row(static_cast<Eigen::Index>(u)) = xu.transpose();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr << "usage: als_serial TRAIN TEST RANK ITERATIONS LAMBDA [--implicit ALPHA] "
                 "[--plain] [--weighted] [--cg STEPS] [--items FILE] [--seed S]\n";
    return 2;
  }
  options o;
  o.rank = std::atoi(argv[3]);
  o.iterations = std::atoi(argv[4]);
  o.lambda = std::atof(argv[5]);
  bool weighted_given = false;
  for (int a = 6; a < argc; ++a) {
    const std::string flag = argv[a];
    auto value = [&] {
      if (a + 1 >= argc) fail(flag + " needs a value");
      return std::string(argv[++a]);
    };
    if (flag == "--implicit") {
      o.implicit = true;
      o.alpha = std::stod(value());
    } else if (flag == "--plain") {
      o.weighted = false;
      weighted_given = true;
    } else if (flag == "--weighted") {
      o.weighted = true;
      weighted_given = true;
    } else if (flag == "--cg") {
      o.cg = true;
      o.cg_steps = std::stoi(value());
    } else if (flag == "--items") {
      o.items = value();
    } else if (flag == "--seed") {
      o.seed = std::stoull(value());
    } else {
      fail("unknown option " + flag);
    }
  }
  if (o.implicit && !weighted_given) o.weighted = false;

  names users, items;
  const auto train = read(argv[1], users, items);
  const auto test = read(argv[2], users, items);
  const auto nu = users.list.size(), ni = items.list.size();
  const auto k = static_cast<Eigen::Index>(o.rank);
  by_row by_user(nu), by_item(ni);
  double mean = 0;
  std::unordered_map<std::uint64_t, std::size_t> where;  // implicit: (user, item) -> position
  for (const auto& r : train) {
    mean += r.value;
    auto& of_user = by_user[static_cast<std::size_t>(r.user)];
    auto& of_item = by_item[static_cast<std::size_t>(r.item)];
    if (o.implicit) {  // repeated events add up
      const auto pair =
          (static_cast<std::uint64_t>(r.user) << 32) | static_cast<std::uint32_t>(r.item);
      const auto [it, added] = where.emplace(pair, of_user.size());
      if (!added) {
        of_user[it->second].second += r.value;
        for (auto& [u, v] : of_item)
          if (u == r.user) v += r.value;
        continue;
      }
    }
    of_user.emplace_back(r.item, r.value);
    of_item.emplace_back(r.user, r.value);
  }
  mean /= static_cast<double>(train.size());

  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(nu), k);
  Eigen::MatrixXd y(static_cast<Eigen::Index>(ni), k);
  std::unordered_map<std::string, std::vector<double>> given;
  if (!o.items.empty()) {
    std::ifstream in(o.items);
    if (!in) fail("cannot read " + o.items);
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      std::string name;
      fields >> name;
      std::vector<double> v;
      for (double f; fields >> f;) v.push_back(f);
      given[name] = v;
    }
  }
  for (std::size_t i = 0; i < ni; ++i) {
    std::vector<double> f(static_cast<std::size_t>(k));
    if (by_item[i].empty()) {  // only in the test set: no factors
      y.row(static_cast<Eigen::Index>(i)).setZero();
      continue;
    }
    if (o.items.empty()) {
      paracel::alg::init_factors(items.list[i], o.seed, f.data(), f.size());
    } else {
      auto it = given.find(items.list[i]);
      if (it == given.end() || it->second.size() != f.size())
        fail("no factors for " + items.list[i]);
      f = it->second;
    }
    y.row(static_cast<Eigen::Index>(i)) = Eigen::Map<Eigen::RowVectorXd>(f.data(), k);
  }

  const auto start = std::chrono::steady_clock::now();
  for (int it = 1; it <= o.iterations; ++it) {
    half_step(o, by_user, x, y);
    half_step(o, by_item, y, x);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double sse = 0, fit = 0;
    std::size_t observed = 0;  // training pairs as held (implicit: repeats summed)
    for (std::size_t u = 0; u < nu; ++u) {
      for (const auto& [i, r] : by_user[u]) {
        const double p = x.row(static_cast<Eigen::Index>(u)).dot(y.row(i));
        sse += (r - p) * (r - p);
        fit += (1 + o.alpha * r) * (1 - p) * (1 - p) - p * p;
        ++observed;
      }
    }
    // Implicit: every pair's (x.y)^2, plus the rated pairs' correction above.
    fit = o.implicit ? fit + (y * (x.transpose() * x)).cwiseProduct(y).sum() : sse;
    double penalty = 0;
    for (std::size_t u = 0; u < nu; ++u)
      penalty += (o.weighted ? static_cast<double>(by_user[u].size()) : 1.0) *
                 x.row(static_cast<Eigen::Index>(u)).squaredNorm();
    for (std::size_t i = 0; i < ni; ++i)
      penalty += (o.weighted ? static_cast<double>(by_item[i].size()) : 1.0) *
                 y.row(static_cast<Eigen::Index>(i)).squaredNorm();
    double test_sse = 0;
    for (const auto& r : test) {
      const bool known = !by_user[static_cast<std::size_t>(r.user)].empty() &&
                         !by_item[static_cast<std::size_t>(r.item)].empty();
      const double p = known ? x.row(r.user).dot(y.row(r.item)) : mean;
      test_sse += (r.value - p) * (r.value - p);
    }
    std::printf("%d %.17g %.17g %.17g %.6f\n", it, fit + o.lambda * penalty,
                std::sqrt(sse / static_cast<double>(observed)),
                test.empty() ? 0.0 : std::sqrt(test_sse / static_cast<double>(test.size())),
                seconds);
  }
}
