// What LDA's distributed sampler and its serial reference (tool/reference/lda_serial.cpp)
// must do identically for a run to be reproducible whatever the number of workers: split a
// line into tokens, and draw the random numbers of a document in a sweep (one stream per
// document and sweep, so that the draws do not depend on which worker holds it).
// Header-only, plain C++.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

namespace paracel::alg::lda_streams {

// Sweep 0 draws the initial topics; sweeps 1.. sample. std::seed_seq and std::mt19937_64 are
// fully specified by the standard: the same numbers on every platform.
inline std::mt19937_64 document_stream(std::int64_t seed, std::int64_t document,
                                       std::int64_t sweep) {
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(document),
                    static_cast<std::uint32_t>(document >> 32), static_cast<std::uint32_t>(sweep)};
  return std::mt19937_64(seq);
}

// Uniform in [0, 1) from 53 bits (the library's distributions are implementation-defined).
inline double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Calls token(word) for each token of `line`: "whitespace" keeps every whitespace-separated
// token as it is; "words" (words = true) keeps lowercase runs of ASCII letters and digits and
// of non-ASCII bytes (UTF-8 letters stay whole), everything else separating.
template <class F>
void tokenize(std::string_view line, bool words, F&& token) {
  std::string word;
  auto flush = [&] {
    if (!word.empty()) token(std::string_view(word));
    word.clear();
  };
  for (const char c : line) {
    const auto u = static_cast<unsigned char>(c);
    if (words) {
      if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u >= 0x80) {
        word += c;
      } else if (u >= 'A' && u <= 'Z') {
        word += static_cast<char>(u - 'A' + 'a');
      } else {
        flush();
      }
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
      flush();
    } else {
      word += c;
    }
  }
  flush();
}

}  // namespace paracel::alg::lda_streams
