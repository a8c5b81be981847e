// Top-k most similar rows (cosine, or Jaccard for sets), every row of `input` against every
// row of `against` (or of `input` itself, the row excluded), exactly.
//
// Distribution: each worker holds its share of both sets (row_sets.hpp). It publishes its
// candidate rows on the servers in chunks of block_rows rows (one key each), then reads every
// worker's chunks in turn and scores its own query rows against each chunk, keeping the best
// k per row: sparse rows through an inverted index of the chunk (only pairs that share a
// column are touched), dense rows by a matrix product (Eigen) of query and chunk slices.
#pragma once

#include <string>
#include <vector>

#include "neighbours.hpp"
#include "paracel/paralg.hpp"
#include "row_sets.hpp"
#include "similarity_config.hpp"

namespace paracel::alg {

class similarity : public paralg {
 public:
  similarity(paralg_options options, similarity_config cfg);
  void solve() override;

 private:
  std::vector<std::string> publish_chunks();
  void score_sparse(const named_rows& chunk);
  void score_dense(const named_rows& chunk);
  void consider(std::size_t query, double score, const named_rows& chunk, std::size_t row);

  similarity_config cfg_;
  row_sets sets_;
  std::vector<neighbours> best_;  // per query row
  std::uint64_t pairs_scored_ = 0;
};

}  // namespace paracel::alg
