// Word count: every worker counts the words of its share of the input locally, pushes one
// update per distinct word (not per occurrence) with the built-in int64 add, and worker 0
// reads the k most frequent words back with the servers' top-k.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "paracel/config.hpp"
#include "paracel/paralg.hpp"

namespace paracel::alg {

struct word_count_config {
  std::string input;       // file, directory or glob; one document per line
  std::string output;      // folder for the results
  int top_k = 10;          // how many of the most frequent words to write
  bool lowercase = true;   // fold ASCII letters to lower case
  bool dump_all = false;   // also write every word's count
  int batch_keys = 50000;  // words per bupdate_multi request

  static word_count_config from(const config& cfg);
};

// The words of `line`: maximal runs of ASCII letters, digits and non-ASCII bytes (so UTF-8
// words stay whole), optionally lower-cased.
void for_each_word(std::string_view line, bool lowercase,
                   const std::function<void(std::string_view)>& visit);

class word_count : public paralg {
 public:
  word_count(paralg_options options, word_count_config cfg);
  void solve() override;

  // Keys of word counts on the servers carry this prefix (the filter plugin keeps them).
  static constexpr std::string_view k_prefix = "wc:";

 private:
  std::unordered_map<std::string, std::int64_t> count_local();
  void push(const std::unordered_map<std::string, std::int64_t>& local);

  word_count_config cfg_;
};

}  // namespace paracel::alg
