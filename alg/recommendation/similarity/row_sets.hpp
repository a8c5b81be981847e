// The rows a similarity search compares (loaded as named_rows.hpp says), scaled for the
// measure.
#pragma once

#include <cstdint>

#include "named_rows.hpp"
#include "paracel/paralg.hpp"
#include "similarity_config.hpp"

namespace paracel::alg {

struct row_sets {
  named_rows queries;     // this worker's rows of `input`
  named_rows candidates;  // this worker's rows of `against` (or of `input` again)
  bool same = true;       // input against itself: a row is not its own neighbour
  std::uint64_t columns = 0;
};

// Loads both sets, drops rows with fewer than min_count entries and scales rows for the
// measure: cosine divides by the norm (a zero row has no cosine and is dropped), jaccard
// makes every value 1. A malformed line is an error naming its file and line. Collective.
row_sets load_row_sets(paralg& alg, const similarity_config& cfg);

}  // namespace paracel::alg
