// datagen: synthetic inputs of any size with fixed seeds, for scale runs and the demo.
//
//   datagen --kind=libsvm  --rows=N --features=D --nnz=K --out=FILE   planted logistic model
//   datagen --kind=regression --rows=N --features=D --nnz=K --support=S --out=FILE
//                                                           planted sparse linear model
//   datagen --kind=ratings --rows=N --users=U --items=I --rank=R --out=FILE
//   datagen --kind=edges   --rows=N --nodes=V --out=FILE              power-law digraph (R-MAT)
//   datagen --kind=text    --rows=N --words_per_line=W --vocabulary=V --out=FILE   Zipf words
//   datagen --kind=bars    --rows=N --words_per_line=W --alpha=A --out=FILE   G.-S. bars
//   datagen --kind=points  --rows=N --dim=D --clusters=K --out=FILE   Gaussian mixture
//
// The same flags and --seed give the same file, byte for byte, on every machine (the
// generators are std::mt19937_64 and hand-written transforms, not the library's
// implementation-defined distributions). Formats are those of tool/data/sets.py, the ones
// the real data sets are converted to.
#include <gflags/gflags.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <vector>

DEFINE_string(kind, "", "libsvm, regression, ratings, edges, text, bars or points");
DEFINE_string(out, "", "output file");
DEFINE_uint64(rows, 10000, "examples, ratings, edges, lines or points");
DEFINE_uint64(seed, 1, "random seed");
DEFINE_uint64(features, 1000, "libsvm: feature count");
DEFINE_uint64(nnz, 20, "libsvm: non-zero features per row");
DEFINE_uint64(support, 10, "regression: nonzero coefficients of the planted model");
DEFINE_double(alpha, 0.1, "bars: the Dirichlet prior of the documents' topic proportions");
DEFINE_uint64(users, 1000, "ratings: users");
DEFINE_uint64(items, 1000, "ratings: items");
DEFINE_uint64(rank, 5, "ratings: rank of the planted preferences");
DEFINE_uint64(nodes, 100000, "edges: vertices (rounded up to a power of two internally)");
DEFINE_uint64(words_per_line, 12, "text, bars: words per line");
DEFINE_uint64(vocabulary, 50000, "text: distinct words");
DEFINE_uint64(dim, 2, "points: dimension");
DEFINE_uint64(clusters, 10, "points: mixture components");

namespace {

// Deterministic draws: uniform in [0, 1) from 53 bits, normal by Box-Muller.
class draws {
 public:
  explicit draws(std::uint64_t seed) : rng_(seed) {}
  double uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  std::uint64_t below(std::uint64_t n) { return static_cast<std::uint64_t>(uniform() * n); }
  double normal() {
    const double u = 1 - uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * uniform());
  }

 private:
  std::mt19937_64 rng_;
};

void libsvm(std::ostream& out, draws& d) {
  std::vector<double> truth(FLAGS_features);
  for (auto& w : truth) w = d.normal() * 3 / std::sqrt(static_cast<double>(FLAGS_nnz));
  for (std::uint64_t r = 0; r < FLAGS_rows; ++r) {
    std::set<std::uint64_t> cols;
    while (cols.size() < std::min(FLAGS_nnz, FLAGS_features)) cols.insert(d.below(FLAGS_features));
    std::vector<std::pair<std::uint64_t, double>> row;
    double margin = 0;
    for (auto c : cols) {
      const double v = std::round(d.uniform() * 1000) / 1000;
      row.emplace_back(c, v);
      margin += truth[c] * v;
    }
    out << (d.uniform() < 1 / (1 + std::exp(-margin)) ? "+1" : "-1");
    for (auto [c, v] : row) out << ' ' << c + 1 << ':' << v;
    out << '\n';
  }
}

// y = x.w + 2 + noise (sd 0.5), w nonzero on `support` features (normal, sd 2), x normal
// with 3 digits: real-valued LIBSVM rows for the Lasso and ridge.
void regression(std::ostream& out, draws& d) {
  std::vector<double> truth(FLAGS_features);
  for (std::uint64_t k = 0; k < std::min(FLAGS_support, FLAGS_features); ++k)
    truth[d.below(FLAGS_features)] = 2 * d.normal();
  for (std::uint64_t r = 0; r < FLAGS_rows; ++r) {
    std::set<std::uint64_t> cols;
    while (cols.size() < std::min(FLAGS_nnz, FLAGS_features)) cols.insert(d.below(FLAGS_features));
    std::vector<std::pair<std::uint64_t, double>> row;
    double label = 2 + 0.5 * d.normal();
    for (auto c : cols) {
      const double v = std::round(d.normal() * 1000) / 1000;
      if (v == 0) continue;
      row.emplace_back(c, v);
      label += truth[c] * v;
    }
    out << label;
    for (auto [c, v] : row) out << ' ' << c + 1 << ':' << v;
    out << '\n';
  }
}

// A Gamma(shape, 1) draw: Marsaglia and Tsang (2000), with U^(1/shape) for shape < 1.
double gamma_draw(draws& d, double shape) {
  if (shape < 1) return gamma_draw(d, shape + 1) * std::pow(1 - d.uniform(), 1 / shape);
  const double k = shape - 1.0 / 3, c = 1 / std::sqrt(9 * k);
  for (;;) {
    const double x = d.normal(), v = std::pow(1 + c * x, 3);
    if (v > 0 && std::log(1 - d.uniform()) < 0.5 * x * x + k - k * v + k * std::log(v))
      return k * v;
  }
}

// Griffiths and Steyvers (2004): 10 topics over a 5 x 5 grid of words w0..w24, each uniform
// on one row or one column of the grid; every document mixes them with proportions from a
// symmetric Dirichlet(alpha) and draws its words.
void bars(std::ostream& out, draws& d) {
  constexpr int side = 5, topics = 2 * side;
  for (std::uint64_t r = 0; r < FLAGS_rows; ++r) {
    double mix[topics], total = 0;
    for (double& m : mix) total += m = gamma_draw(d, FLAGS_alpha);
    for (std::uint64_t t = 0; t < FLAGS_words_per_line; ++t) {
      double u = d.uniform() * total;
      int k = 0;
      while (k < topics - 1 && u >= mix[k]) u -= mix[k++];
      const int cell = static_cast<int>(d.below(side));
      const int word = k < side ? k * side + cell : cell * side + (k - side);
      out << (t ? " w" : "w") << word;
    }
    out << '\n';
  }
}

void ratings(std::ostream& out, draws& d) {
  auto factors = [&](std::uint64_t n) {
    std::vector<double> f(n * FLAGS_rank);
    for (auto& v : f) v = d.normal() / std::sqrt(static_cast<double>(FLAGS_rank));
    return f;
  };
  const auto users = factors(FLAGS_users);
  const auto items = factors(FLAGS_items);
  std::vector<double> item_bias(FLAGS_items);
  for (auto& b : item_bias) b = d.normal() * 0.5;
  for (std::uint64_t r = 0; r < FLAGS_rows; ++r) {
    const auto u = d.below(FLAGS_users);
    // Popular items are rated more: a skewed item draw.
    const auto i = static_cast<std::uint64_t>(std::pow(d.uniform(), 2.0) * FLAGS_items);
    double score = 3.5 + item_bias[i] + 0.3 * d.normal();
    for (std::uint64_t k = 0; k < FLAGS_rank; ++k)
      score += users[u * FLAGS_rank + k] * items[i * FLAGS_rank + k];
    out << 'u' << u << " i" << i << ' ' << std::clamp(std::round(score * 2) / 2, 0.5, 5.0) << '\n';
  }
}

void edges(std::ostream& out, draws& d) {
  // R-MAT (a = 0.57, b = 0.19, c = 0.19): a power-law graph, as web and social graphs are.
  int levels = 0;
  while ((std::uint64_t{1} << levels) < FLAGS_nodes) ++levels;
  for (std::uint64_t e = 0; e < FLAGS_rows; ++e) {
    std::uint64_t from = 0, to = 0;
    for (int l = 0; l < levels; ++l) {
      const double p = d.uniform();
      from = from * 2 + (p >= 0.76);
      to = to * 2 + ((p >= 0.57 && p < 0.76) || p >= 0.95);
    }
    from %= FLAGS_nodes;
    to %= FLAGS_nodes;
    if (from != to) out << from << ' ' << to << '\n';
  }
}

void text(std::ostream& out, draws& d) {
  // Zipf(1) over the vocabulary by inverting its cumulative weights.
  std::vector<double> cumulative(FLAGS_vocabulary);
  double sum = 0;
  for (std::uint64_t k = 0; k < FLAGS_vocabulary; ++k) cumulative[k] = sum += 1.0 / (k + 1);
  auto word = [](std::uint64_t k) {
    static const char* syllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo"};
    std::string w;
    do {
      w += syllables[k % 8];
      k /= 8;
    } while (k);
    return w;
  };
  for (std::uint64_t r = 0; r < FLAGS_rows; ++r) {
    for (std::uint64_t i = 0; i < FLAGS_words_per_line; ++i) {
      const double target = d.uniform() * sum;
      const auto k = static_cast<std::uint64_t>(
          std::lower_bound(cumulative.begin(), cumulative.end(), target) - cumulative.begin());
      out << (i ? " " : "") << word(std::min(k, FLAGS_vocabulary - 1));
    }
    out << '\n';
  }
}

void points(std::ostream& out, draws& d) {
  std::vector<double> centres(FLAGS_clusters * FLAGS_dim);
  for (auto& c : centres) c = d.uniform() * 100;
  for (std::uint64_t r = 0; r < FLAGS_rows; ++r) {
    const auto k = d.below(FLAGS_clusters);
    for (std::uint64_t j = 0; j < FLAGS_dim; ++j)
      out << (j ? " " : "") << centres[k * FLAGS_dim + j] + 3 * d.normal();
    out << '\n';
  }
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage("synthetic inputs with fixed seeds; see the top of tool/datagen.cpp");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  if (FLAGS_out.empty()) {
    std::cerr << "datagen: --out=FILE is required\n";
    return 2;
  }
  std::ofstream out(FLAGS_out, std::ios::binary | std::ios::trunc);
  if (!out) {
    std::cerr << "datagen: cannot write " << FLAGS_out << "\n";
    return 1;
  }
  out.precision(6);
  draws d(FLAGS_seed);
  if (FLAGS_kind == "libsvm") {
    libsvm(out, d);
  } else if (FLAGS_kind == "regression") {
    regression(out, d);
  } else if (FLAGS_kind == "bars") {
    bars(out, d);
  } else if (FLAGS_kind == "ratings") {
    ratings(out, d);
  } else if (FLAGS_kind == "edges") {
    edges(out, d);
  } else if (FLAGS_kind == "text") {
    text(out, d);
  } else if (FLAGS_kind == "points") {
    points(out, d);
  } else {
    std::cerr
        << "datagen: --kind must be libsvm, regression, ratings, edges, text, bars or points, not '"
        << FLAGS_kind << "'\n";
    return 2;
  }
  out.close();
  if (!out) {
    std::cerr << "datagen: writing " << FLAGS_out << " failed\n";
    return 1;
  }
  return 0;
}
