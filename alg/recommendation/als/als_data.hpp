// Ratings for ALS, held twice: once by user and once by item. A half-step solves every row
// of one side from that row's ratings and the other side's factors, so each worker keeps
// the ratings of the users it solves (grouped by user) and of the items it solves (grouped
// by item). Users and items get dense ids agreed on by every worker; the rows of one side
// are cut into blocks of `block_rows` ids, block b solved by worker b % W and stored on the
// servers as one key, so a worker writes whole blocks and nobody else writes them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "paracel/paralg.hpp"

namespace paracel::alg {

// Which worker solves which ids of a side: blocks of `block_rows` ids, dealt round-robin.
struct row_blocks {
  std::uint64_t count = 0;  // ids [0, count)
  std::uint64_t block_rows = 1;
  int workers = 1;

  std::uint64_t block_of(std::uint64_t id) const { return id / block_rows; }
  std::uint64_t blocks() const { return (count + block_rows - 1) / block_rows; }
  std::uint64_t rows_in(std::uint64_t block) const;
  int owner(std::uint64_t id) const { return static_cast<int>(block_of(id) % workers); }
  // The owned blocks of `rank`, and the position of an owned id among its owner's rows
  // (owned blocks are concatenated in order; only the last block overall can be short).
  std::vector<std::uint64_t> blocks_of(int rank) const;
  std::uint64_t local_index(std::uint64_t id) const {
    return block_of(id) / static_cast<std::uint64_t>(workers) * block_rows + id % block_rows;
  }
};

// Ratings grouped by row, compressed (CSR): row r's ratings are [offsets[r], offsets[r+1]).
struct rating_rows {
  std::vector<std::size_t> offsets{0};
  std::vector<std::uint64_t> others;  // the other side's id
  std::vector<double> values;
  std::size_t size() const { return offsets.size() - 1; }
};

// One side of the matrix on this worker: the rows it solves.
struct als_side {
  row_blocks layout;
  std::vector<std::uint64_t> blocks;  // the blocks this worker owns, in order
  std::uint64_t rows = 0;             // ids in them (local indices [0, rows))
  rating_rows train;                  // per local row
  rating_rows test;                   // held-out ratings (the item side only)
  // (id, name) of the owned ids, sorted by id.
  std::vector<std::pair<std::uint64_t, std::string>> names;
};

struct als_data {
  als_side users;
  als_side items;
  double global_mean = 0;
  std::int64_t train_total = 0;
  std::int64_t test_total = 0;
};

// Loads "user item rating" lines of `train` and, when not empty, `test`. A malformed line is
// an error naming it on every worker. A (user, item) pair on several lines is several
// observations (least squares over the lines), or with `sum_repeats` one whose value is
// their sum (implicit feedback: repeated events add up). Collective.
als_data load_als_data(paralg& alg, const std::string& train, const std::string& test,
                       std::uint64_t block_rows, bool sum_repeats);

}  // namespace paracel::alg
