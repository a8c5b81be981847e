// Rows with names, for the algorithms that take a matrix by rows (similarity, SVD):
//   triples  "row col [value]" lines (value 1 when left out); with `transpose` the second
//            field names the row. Entries are routed to the worker that owns their row (a
//            hash of its name), so each row is whole on one worker; a row's repeated columns
//            add up. Columns get dense ids shared by every set loaded together.
//   dense    "name v1 v2 ... vd" lines; columns are positions; rows stay with the worker that
//            read them; every row of every set has the same width.
//   libsvm   "label idx:value ..." lines (idx from 1, increasing; the label is not used);
//            column idx - 1; rows stay with their reader and are named by their position
//            among the input's non-blank lines ("0", "1", ...; files in sorted order).
// Zero values are not stored. A malformed line is an error naming its file and line.
#pragma once

#include <cstdint>
#include <msgpack.hpp>
#include <string>
#include <vector>

#include "paracel/paralg.hpp"
#include "paracel/structured_load.hpp"

namespace paracel::alg {

// Rows in compressed form: row r is [offsets[r], offsets[r+1]) of cols/values, cols sorted.
struct named_rows {
  std::vector<std::string> names;
  std::vector<std::uint64_t> offsets{0};
  std::vector<std::uint64_t> cols;
  std::vector<double> values;

  std::size_t size() const { return names.size(); }
  std::uint64_t count(std::size_t r) const { return offsets[r + 1] - offsets[r]; }
  MSGPACK_DEFINE(names, offsets, cols, values);
};

struct loaded_rows {
  std::vector<named_rows> sets;  // this worker's rows of each pattern
  std::uint64_t columns = 0;     // column ids are [0, columns)
  id_map column_ids;             // triples: the names of the columns this worker saw
};

// Loads every pattern (an empty one is an empty set) as `format` ("triples", "dense" or
// "libsvm").
// Collective.
loaded_rows load_named_rows(paralg& alg, const std::vector<std::string>& patterns,
                            const std::string& format, bool transpose);

}  // namespace paracel::alg
