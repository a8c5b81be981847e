// Word count: every worker counts the words of its share of the input locally, pushes one
// update per distinct word (not per occurrence) with the built-in int64 add, and worker 0
// reads the k most frequent words back with the servers' top-k.
//
// The share is read in chunks of `chunk_lines` lines, one clock each (a worker whose share
// has ended commits empty clocks until every share has), so that a checkpoint
// (docs/checkpoints.md) holds the counts of the chunks done and each worker's cursor: a
// resumed job skips the lines already counted.
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
  std::string input;                   // file, directory or glob; one document per line
  std::string output;                  // folder for the results
  int top_k = 10;                      // how many of the most frequent words to write
  bool lowercase = true;               // fold ASCII letters to lower case
  bool dump_all = false;               // also write every word's count
  int batch_keys = 50000;              // words per bupdate_multi request
  std::int64_t chunk_lines = 1000000;  // lines per clock (and per push of local counts)

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
  void save_state(worker_state& state) const override;

  // Keys of word counts on the servers carry this prefix (the filter plugin keeps them).
  static constexpr std::string_view k_prefix = "wc:";

 private:
  void count_and_push();
  void push(const std::unordered_map<std::string, std::int64_t>& local);
  // Pushes the chunk's counts and commits its clock; true once every worker's share has
  // ended (this one's: `finished`). Collective.
  bool end_chunk(std::unordered_map<std::string, std::int64_t>& local, bool finished);

  word_count_config cfg_;
  std::int64_t lines_done_ = 0;  // lines of this worker's share counted and pushed
};

}  // namespace paracel::alg
