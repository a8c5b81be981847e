// Serial LDA by collapsed Gibbs sampling, the test oracle and benchmark baseline of
// alg/text/lda: a tight O(K) sampler over every token in one process (no MPI, no parameter
// server), with the random streams and tokenisation the distributed sampler uses
// (alg/text/lda/lda_streams.hpp), so that one worker's sweep and this one draw the same z.
//
//   lda_serial DOCS TOPICS ALPHA BETA SWEEPS [--seed=S] [--words] [--stop_words=FILE]
//              [--initial_assignment=FILE] [--assignment_out=FILE]
//
// Prints one line per sweep, before it and after the last: "sweep loglik_per_token
// tokens_per_second" (log p(w|z) of the counts then; the rate of that sweep, 0 before any).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "lda_streams.hpp"

namespace streams = paracel::alg::lda_streams;

namespace {

struct options {
  std::string docs, stop_words, initial, assignment_out;
  int topics = 0, sweeps = 0;
  double alpha = 0, beta = 0;
  std::int64_t seed = 1;
  bool words = false;
};

double log_likelihood(const std::vector<std::int64_t>& nwk, const std::vector<std::int64_t>& nk,
                      std::size_t v, double beta) {
  double out = 0;
  for (std::size_t k = 0; k < nk.size(); ++k) {
    out += std::lgamma(static_cast<double>(v) * beta) -
           std::lgamma(static_cast<double>(nk[k]) + static_cast<double>(v) * beta);
  }
  for (auto n : nwk) {
    if (n > 0) out += std::lgamma(static_cast<double>(n) + beta) - std::lgamma(beta);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> positional;
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto value = [&](const char* flag) { return a.substr(std::string(flag).size()); };
    if (a.rfind("--seed=", 0) == 0)
      o.seed = std::stoll(value("--seed="));
    else if (a == "--words")
      o.words = true;
    else if (a.rfind("--stop_words=", 0) == 0)
      o.stop_words = value("--stop_words=");
    else if (a.rfind("--initial_assignment=", 0) == 0)
      o.initial = value("--initial_assignment=");
    else if (a.rfind("--assignment_out=", 0) == 0)
      o.assignment_out = value("--assignment_out=");
    else
      positional.push_back(a);
  }
  if (positional.size() != 5) {
    std::cerr << "usage: lda_serial DOCS TOPICS ALPHA BETA SWEEPS [--seed=S] [--words] "
                 "[--stop_words=FILE] [--initial_assignment=FILE] [--assignment_out=FILE]\n";
    return 2;
  }
  o.docs = positional[0];
  o.topics = std::stoi(positional[1]);
  o.alpha = std::stod(positional[2]);
  o.beta = std::stod(positional[3]);
  o.sweeps = std::stoi(positional[4]);

  std::unordered_set<std::string> stop;
  if (!o.stop_words.empty()) {
    std::ifstream in(o.stop_words);
    for (std::string w; in >> w;) stop.insert(w);
  }
  std::ifstream in(o.docs);
  if (!in) {
    std::cerr << "lda_serial: cannot read " << o.docs << "\n";
    return 1;
  }
  std::vector<std::vector<std::string>> text;
  std::map<std::string, std::int32_t> ids;  // sorted: the vocabulary order
  for (std::string line; std::getline(in, line);) {
    text.emplace_back();
    streams::tokenize(line, o.words, [&](std::string_view t) {
      if (stop.count(std::string(t))) return;
      text.back().emplace_back(t);
      ids.emplace(std::string(t), 0);
    });
  }
  std::int32_t next = 0;
  for (auto& [word, id] : ids) id = next++;
  const std::size_t v = ids.size(), k_count = static_cast<std::size_t>(o.topics);
  std::vector<std::vector<std::int32_t>> w(text.size()), z(text.size());
  for (std::size_t d = 0; d < text.size(); ++d) {
    for (auto& t : text[d]) w[d].push_back(ids.at(t));
  }
  if (!o.initial.empty()) {
    std::ifstream init(o.initial);
    for (std::size_t d = 0; d < text.size(); ++d) {
      std::string line;
      std::getline(init, line);
      std::istringstream fields(line);
      for (std::int32_t k; fields >> k;) z[d].push_back(k);
      if (z[d].size() != w[d].size()) {
        std::cerr << "lda_serial: " << o.initial << ":" << d + 1 << ": wrong topic count\n";
        return 1;
      }
    }
  } else {
    for (std::size_t d = 0; d < text.size(); ++d) {
      auto rng = streams::document_stream(o.seed, static_cast<std::int64_t>(d), 0);
      for (std::size_t i = 0; i < w[d].size(); ++i)
        z[d].push_back(static_cast<std::int32_t>(streams::uniform(rng) * o.topics));
    }
  }
  std::vector<std::int64_t> nwk(v * k_count, 0), nk(k_count, 0), ndk(text.size() * k_count, 0);
  std::int64_t tokens = 0;
  for (std::size_t d = 0; d < text.size(); ++d) {
    for (std::size_t i = 0; i < w[d].size(); ++i) {
      ++nwk[static_cast<std::size_t>(w[d][i]) * k_count + static_cast<std::size_t>(z[d][i])];
      ++nk[static_cast<std::size_t>(z[d][i])];
      ++ndk[d * k_count + static_cast<std::size_t>(z[d][i])];
      ++tokens;
    }
  }
  const double vbeta = static_cast<double>(v) * o.beta;
  std::cout << std::setprecision(17);
  std::cout << 0 << ' ' << log_likelihood(nwk, nk, v, o.beta) / static_cast<double>(tokens)
            << " 0\n";
  std::vector<double> cdf(k_count);
  for (int sweep = 1; sweep <= o.sweeps; ++sweep) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t d = 0; d < text.size(); ++d) {
      auto rng = streams::document_stream(o.seed, static_cast<std::int64_t>(d), sweep);
      std::int64_t* nd = &ndk[d * k_count];
      for (std::size_t i = 0; i < w[d].size(); ++i) {
        std::int64_t* nw = &nwk[static_cast<std::size_t>(w[d][i]) * k_count];
        const auto s = static_cast<std::size_t>(z[d][i]);
        --nd[s], --nw[s], --nk[s];
        double total = 0;
        for (std::size_t k = 0; k < k_count; ++k) {
          total += (static_cast<double>(nd[k]) + o.alpha) * (static_cast<double>(nw[k]) + o.beta) /
                   (static_cast<double>(nk[k]) + vbeta);
          cdf[k] = total;
        }
        const double u = streams::uniform(rng) * total;
        const std::size_t t = std::min<std::size_t>(
            static_cast<std::size_t>(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin()),
            k_count - 1);
        ++nd[t], ++nw[t], ++nk[t];
        z[d][i] = static_cast<std::int32_t>(t);
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << sweep << ' ' << log_likelihood(nwk, nk, v, o.beta) / static_cast<double>(tokens)
              << ' ' << static_cast<double>(tokens) / std::max(seconds, 1e-9) << '\n';
  }
  if (!o.assignment_out.empty()) {
    std::ofstream out(o.assignment_out);
    for (auto& doc : z) {
      for (std::size_t i = 0; i < doc.size(); ++i) out << (i ? " " : "") << doc[i];
      out << '\n';
    }
  }
}
