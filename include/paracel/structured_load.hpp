// Structured input: lines parsed into (row, col, value) entries, shuffled with an MPI
// all-to-all to the worker that owns them, and renamed to dense 64-bit ids.
//
// Patterns (the original Paracel names):
//   fmap   "row col [value]" lines, partitioned by row (a worker owns whole rows)
//   smap   "row col [value]" lines, partitioned by col
//   fsmap  "row col [value]" lines, partitioned on a 2-D grid of workers (row block x col block)
//   fset   "row col[:value] col[:value] ..." lines (one row, many columns), partitioned by row
//   fvec   "row v1 v2 ... vd" dense rows; col = position; rows stay with the worker that read them
// Fields are separated by spaces, tabs or commas; a missing value is 1. A malformed line is
// an error naming its file and line.
//
// Dense ids are the same on every worker (a name always gets the same id) and cover
// [0, count) without gaps. When every name in the input is a decimal integer in its
// canonical spelling ("0", "42": no sign, no leading zero, below 2^64), names travel and are
// numbered as integers, several times faster than strings, and ids follow the names' numeric
// order (names 0..N-1 keep their value). One other name anywhere ("07", "a") makes every name
// a string; entries land on the same workers either way. Every function here is collective
// over `workers`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "paracel/comm.hpp"
#include "paracel/export.hpp"

namespace paracel {

enum class load_pattern { fmap, smap, fsmap, fset, fvec };

// Parses "fmap", "smap", ...; throws paracel::error listing the valid names.
PARACEL_EXPORT load_pattern parse_load_pattern(std::string_view name);

struct entry {
  std::uint64_t row = 0;
  std::uint64_t col = 0;
  double value = 1.0;
};

// Dense ids of the names this worker has seen, both ways.
struct id_map {
  std::unordered_map<std::string, std::uint64_t> ids;
  std::unordered_map<std::uint64_t, std::string> names;
  std::uint64_t count = 0;  // global number of ids
};

struct loaded_block {
  std::vector<entry> entries;  // this worker's share, dense ids
  id_map rows;
  id_map cols;        // the same object as rows' content when ids are shared
  int grid_rows = 1;  // fsmap: the worker grid; this worker is at
  int grid_cols = 1;  //   (rank / grid_cols, rank % grid_cols)
};

struct structured_options {
  load_pattern pattern = load_pattern::fmap;
  // Rows and columns name the same things (graph vertices): one id space for both.
  bool shared_ids = false;
};

// Loads this worker's block of the files. Collective.
PARACEL_EXPORT loaded_block load_structured(const comm& workers,
                                            const std::vector<std::string>& files,
                                            const structured_options& options);

// Worker grid of fsmap for `workers` workers: rows x cols = workers, as square as possible.
PARACEL_EXPORT std::pair<int, int> fsmap_grid(int workers);

// Dense global ids for names seen by each worker: every worker passes the names it needs and
// gets their ids; the same name gets the same id everywhere. Collective.
PARACEL_EXPORT id_map assign_dense_ids(const comm& workers, const std::vector<std::string>& names);

// An id_map holds only the names its worker saw. For output, each id gets one owner
// (`owner(id)` in [0, workers)), which may not have seen its name: this returns the
// (id, name) pairs of the ids this worker owns, each once, sorted by id — every id some
// worker's map knows. Collective.
PARACEL_EXPORT std::vector<std::pair<std::uint64_t, std::string>> names_of_owned_ids(
    const comm& workers, const id_map& ids, const std::function<int(std::uint64_t)>& owner);

}  // namespace paracel
