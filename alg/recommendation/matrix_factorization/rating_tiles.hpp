// Ratings grouped into tiles of (a range of users) x (a range of items), as LIBMF's blocks
// are (FPSG's "partial random" order, Zhuang et al. 2013): each epoch visits the tiles in a
// fresh random order, and inside a tile the ratings run sorted by user, then item. A tile's
// item rows fit in half of the L2 cache and stay there while it runs; its user rows are read
// in order, each once, and reused from L1 for the user's ratings in the tile. A random order
// over all ratings misses the cache on nearly every rating instead (docs/benchmarks.md has
// both speeds), for no better held-out error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "sgd_kernel.hpp"

namespace paracel::alg::mf {

struct tile_shape {
  std::size_t users = 1;
  std::size_t items = 1;
};

// The default shape for factor rows of `width` floats: item rows of 256 KiB (half of the
// 512 KiB L2 of current x86 cores), and four times as many users, so that a tile holds
// enough ratings to pay for loading its items while an epoch still has many tiles to shuffle.
tile_shape default_tile_shape(std::size_t width);

class rating_tiles {
 public:
  rating_tiles() = default;
  // Groups `ratings` into tiles of shape.users x shape.items rows (by sgd_rating::user and
  // sgd_rating::item), each sorted by user, then item.
  rating_tiles(std::vector<sgd_rating> ratings, tile_shape shape);

  std::size_t tiles() const { return starts_.empty() ? 0 : starts_.size() - 1; }
  std::size_t size() const { return ratings_.size(); }
  const sgd_rating* begin(std::size_t tile) const { return ratings_.data() + starts_[tile]; }
  const sgd_rating* end(std::size_t tile) const { return ratings_.data() + starts_[tile + 1]; }
  // Where non-empty tile t lies in the grid: its user range's index (users / shape.users)
  // and its item range's. Tiles in different user and item ranges share no rows, so
  // threads may run them at once.
  std::size_t user_range(std::size_t tile) const { return user_ranges_[tile]; }
  std::size_t item_range(std::size_t tile) const { return item_ranges_[tile]; }
  // The non-empty tiles in a random order drawn from `rng`.
  std::vector<std::uint32_t> visit_order(std::mt19937_64& rng) const;

 private:
  std::vector<sgd_rating> ratings_;  // grouped by tile
  std::vector<std::size_t> starts_;  // non-empty tile t is ratings_[starts_[t], starts_[t + 1])
  std::vector<std::size_t> user_ranges_, item_ranges_;  // per non-empty tile
};

}  // namespace paracel::alg::mf
