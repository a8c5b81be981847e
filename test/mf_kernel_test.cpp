// The SGD kernel and rating tiles of matrix factorisation
// (alg/recommendation/matrix_factorization), which the algorithm and its serial reference
// share, so the end-to-end tests that compare the two cannot catch a bug in them: here they
// are checked against a plain double-precision loop and against their own invariants.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>
#include <vector>

#include "rating_tiles.hpp"
#include "sgd_kernel.hpp"

namespace mf = paracel::alg::mf;

namespace {

std::vector<mf::sgd_rating> random_ratings(std::size_t n, std::uint32_t users, std::uint32_t items,
                                           std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::uint32_t> user(0, users - 1), item(0, items - 1);
  std::uniform_real_distribution<float> value(1, 5);
  std::vector<mf::sgd_rating> out(n);
  for (auto& r : out) r = {user(rng), item(rng), value(rng)};
  return out;
}

mf::factor_rows random_rows(std::size_t rows, std::size_t rank, std::uint64_t seed) {
  mf::factor_rows out(rows, rank);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> draw(0, 0.1f);
  for (std::size_t r = 0; r < rows; ++r) {
    out.bias[r] = draw(rng);
    for (std::size_t f = 0; f < rank; ++f) out.row(r)[f] = draw(rng);
  }
  return out;
}

}  // namespace

TEST(MfKernel, RowsArePaddedToWholeVectors) {
  EXPECT_EQ(mf::padded_width(0), 0u);
  EXPECT_EQ(mf::padded_width(1), 8u);
  EXPECT_EQ(mf::padded_width(8), 8u);
  EXPECT_EQ(mf::padded_width(13), 16u);
  EXPECT_EQ(mf::padded_width(100), 104u);
}

TEST(MfKernel, SgdEqualsAPlainLoopAndLeavesThePaddingZero) {
  constexpr std::size_t rank = 13;  // not a multiple of the vector width: padding in use
  constexpr std::uint32_t users = 40, items = 30;
  const auto ratings = random_ratings(2000, users, items, 7);
  auto p = random_rows(users, rank, 1);
  auto q = random_rows(items, rank, 2);
  // The reference: the textbook update in double, factor by factor.
  std::vector<double> ref_p(p.factors.begin(), p.factors.end()),
      ref_bu(p.bias.begin(), p.bias.end());
  std::vector<double> ref_q(q.factors.begin(), q.factors.end()),
      ref_bi(q.bias.begin(), q.bias.end());
  const mf::sgd_step step{3.0f, 0.01f, 0.05f};
  double ref_squared = 0;
  for (int pass = 0; pass < 3; ++pass) {
    for (const auto& r : ratings) {
      double* pu = &ref_p[r.user * p.width];
      double* qi = &ref_q[r.item * q.width];
      double predicted = step.mean + ref_bu[r.user] + ref_bi[r.item];
      for (std::size_t f = 0; f < rank; ++f) predicted += pu[f] * qi[f];
      const double err = r.value - predicted;
      if (pass == 2) ref_squared += err * err;
      ref_bu[r.user] += step.rate * (err - step.l2 * ref_bu[r.user]);
      ref_bi[r.item] += step.rate * (err - step.l2 * ref_bi[r.item]);
      for (std::size_t f = 0; f < rank; ++f) {
        const double old = pu[f];
        pu[f] += step.rate * (err * qi[f] - step.l2 * pu[f]);
        qi[f] += step.rate * (err * old - step.l2 * qi[f]);
      }
    }
  }
  double squared = 0;
  for (int pass = 0; pass < 3; ++pass)
    squared = mf::sgd_run(ratings.data(), ratings.data() + ratings.size(), p, q, step);

  EXPECT_NEAR(squared, ref_squared, 1e-4 * ref_squared);
  for (std::size_t u = 0; u < users; ++u) {
    EXPECT_NEAR(p.bias[u], ref_bu[u], 1e-5);
    for (std::size_t f = 0; f < p.width; ++f) {
      if (f < rank) {
        EXPECT_NEAR(p.row(u)[f], ref_p[u * p.width + f], 1e-5) << "user " << u << " f " << f;
      } else {
        EXPECT_EQ(p.row(u)[f], 0.0f) << "padding of user " << u;
      }
    }
  }
  for (std::size_t i = 0; i < items; ++i) {
    EXPECT_NEAR(q.bias[i], ref_bi[i], 1e-5);
    for (std::size_t f = 0; f < rank; ++f) EXPECT_NEAR(q.row(i)[f], ref_q[i * q.width + f], 1e-5);
    for (std::size_t f = rank; f < q.width; ++f) EXPECT_EQ(q.row(i)[f], 0.0f);
  }
  // predict() is the model the steps fitted.
  double predicted = step.mean + ref_bu[3] + ref_bi[5];
  for (std::size_t f = 0; f < rank; ++f)
    predicted += ref_p[3 * p.width + f] * ref_q[5 * q.width + f];
  EXPECT_NEAR(mf::predict(p, 3, q, 5, step.mean), predicted, 1e-5);
}

TEST(MfKernel, RankZeroFitsBiasesOnly) {
  mf::factor_rows p(2, 0), q(2, 0);
  const std::vector<mf::sgd_rating> ratings = {{0, 1, 4.0f}};
  const double squared = mf::sgd_run(ratings.data(), ratings.data() + 1, p, q, {3.0f, 0.5f, 0});
  EXPECT_DOUBLE_EQ(squared, 1.0);
  EXPECT_FLOAT_EQ(p.bias[0], 0.5f);
  EXPECT_FLOAT_EQ(q.bias[1], 0.5f);
}

TEST(RatingTiles, EveryRatingOnceInItsTileSortedByUserThenItem) {
  auto ratings = random_ratings(20000, 1000, 700, 11);
  const mf::tile_shape shape{128, 100};
  const mf::rating_tiles tiles(ratings, shape);
  ASSERT_EQ(tiles.size(), ratings.size());
  std::vector<std::tuple<std::uint32_t, std::uint32_t, float>> seen, given;
  for (std::size_t t = 0; t < tiles.tiles(); ++t) {
    ASSERT_LT(tiles.begin(t), tiles.end(t)) << "empty tile " << t;
    for (const auto* r = tiles.begin(t); r != tiles.end(t); ++r) {
      EXPECT_EQ(r->user / shape.users, tiles.user_range(t));
      EXPECT_EQ(r->item / shape.items, tiles.item_range(t));
      if (r != tiles.begin(t)) {
        const auto* before = r - 1;
        EXPECT_TRUE(before->user < r->user || (before->user == r->user && before->item <= r->item));
      }
      seen.emplace_back(r->user, r->item, r->value);
    }
  }
  for (const auto& r : ratings) given.emplace_back(r.user, r.item, r.value);
  std::sort(seen.begin(), seen.end());
  std::sort(given.begin(), given.end());
  EXPECT_EQ(seen, given);
  // 8 user ranges x 7 item ranges, all non-empty with this many ratings.
  EXPECT_EQ(tiles.tiles(), 56u);
}

TEST(RatingTiles, VisitOrderIsAPermutationThatChangesWithTheGenerator) {
  const mf::rating_tiles tiles(random_ratings(5000, 500, 500, 3), {50, 50});
  std::mt19937_64 a(1), b(2);
  auto first = tiles.visit_order(a);
  const auto second = tiles.visit_order(b);
  EXPECT_NE(first, second);
  std::sort(first.begin(), first.end());
  for (std::size_t t = 0; t < first.size(); ++t) EXPECT_EQ(first[t], t);
  EXPECT_EQ(first.size(), tiles.tiles());
}

TEST(RatingTiles, NoRatingsNoTiles) {
  const mf::rating_tiles tiles({}, {64, 64});
  EXPECT_EQ(tiles.tiles(), 0u);
  std::mt19937_64 rng(1);
  EXPECT_TRUE(tiles.visit_order(rng).empty());
}

TEST(RatingTiles, DefaultShapeKeepsATilesItemsInHalfAnL2) {
  for (std::size_t rank : {0, 10, 32, 100, 1000}) {
    const auto shape = mf::default_tile_shape(mf::padded_width(rank));
    const std::size_t item_bytes = shape.items * (mf::padded_width(rank) + 1) * sizeof(float);
    // At most 256 KiB, unless rows are so wide that the floor of 64 items applies.
    EXPECT_TRUE(item_bytes <= 256u * 1024 || shape.items == 64) << "rank " << rank;
    EXPECT_GE(shape.items, 64u);
    EXPECT_GT((shape.items + 1) * (mf::padded_width(rank) + 1) * sizeof(float), 256u * 1024)
        << "rank " << rank << ": a tile could hold more items";
    EXPECT_EQ(shape.users, 4 * shape.items);
  }
}
