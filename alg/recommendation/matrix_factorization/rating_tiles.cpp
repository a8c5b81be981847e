#include "rating_tiles.hpp"

#include <algorithm>
#include <numeric>

namespace paracel::alg::mf {

tile_shape default_tile_shape(std::size_t width) {
  constexpr std::size_t k_item_bytes = 256 * 1024;
  const std::size_t row_bytes = (width + 1) * sizeof(float);  // factors and bias
  const std::size_t items = std::max<std::size_t>(64, k_item_bytes / row_bytes);
  return {4 * items, items};
}

rating_tiles::rating_tiles(std::vector<sgd_rating> ratings, tile_shape shape) {
  const std::size_t users_per_tile = shape.users;
  const std::size_t items_per_tile = shape.items;
  std::uint32_t max_item = 0;
  for (const auto& r : ratings) max_item = std::max(max_item, r.item);
  const std::size_t item_tiles = max_item / items_per_tile + 1;
  auto tile_of = [&](const sgd_rating& r) {
    return r.user / users_per_tile * item_tiles + r.item / items_per_tile;
  };
  // A counting sort by tile: two passes, no comparison sort of tens of millions of ratings.
  std::size_t tile_count = 0;
  for (const auto& r : ratings) tile_count = std::max(tile_count, tile_of(r) + 1);
  std::vector<std::size_t> counts(tile_count + 1, 0);
  for (const auto& r : ratings) ++counts[tile_of(r) + 1];
  std::partial_sum(counts.begin(), counts.end(), counts.begin());
  ratings_.resize(ratings.size());
  std::vector<std::size_t> next(counts.begin(), counts.end() - 1);
  for (const auto& r : ratings) ratings_[next[tile_of(r)]++] = r;

  for (std::size_t t = 0; t < tile_count; ++t) {
    if (counts[t] == counts[t + 1]) continue;
    starts_.push_back(counts[t]);
    user_ranges_.push_back(t / item_tiles);
    item_ranges_.push_back(t % item_tiles);
    std::sort(ratings_.begin() + static_cast<std::ptrdiff_t>(counts[t]),
              ratings_.begin() + static_cast<std::ptrdiff_t>(counts[t + 1]),
              [](const sgd_rating& a, const sgd_rating& b) {
                return a.user != b.user ? a.user < b.user : a.item < b.item;
              });
  }
  starts_.push_back(ratings_.size());
}

std::vector<std::uint32_t> rating_tiles::visit_order(std::mt19937_64& rng) const {
  std::vector<std::uint32_t> order(tiles());
  std::iota(order.begin(), order.end(), 0u);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

}  // namespace paracel::alg::mf
