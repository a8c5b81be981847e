// The configuration of the similarity search (see README.md for every key).
#pragma once

#include <limits>
#include <string>

#include "paracel/config.hpp"

namespace paracel::alg {

struct similarity_config {
  std::string input;    // the rows whose neighbours are wanted (A)
  std::string against;  // the candidate rows (B); empty: A against itself
  std::string output;
  std::string format = "triples";  // "triples", "dense" or "libsvm" (named_rows.hpp)
  bool transpose = false;          // triples: the second field names the row
  std::string measure = "cosine";  // "cosine" or "jaccard" (sets; not dense rows)
  int top_k = 10;
  // Neighbours scoring below this are dropped (none by default).
  double threshold = -std::numeric_limits<double>::infinity();
  int min_count = 1;      // rows with fewer nonzero entries take no part
  int block_rows = 1024;  // candidate rows per server key

  static similarity_config from(const config& cfg);
};

}  // namespace paracel::alg
