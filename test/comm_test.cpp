// paracel::comm under mpirun with 1 to 4 ranks (and without mpirun as one rank).
#include "paracel/comm.hpp"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <string>
#include <vector>

namespace {

struct item {
  std::string name;
  std::vector<int> values;
  bool operator==(const item&) const = default;
  MSGPACK_DEFINE(name, values);
};

class Comm : public ::testing::Test {
 protected:
  paracel::comm world_;
  int rank_ = world_.rank();
  int size_ = world_.size();
};

TEST_F(Comm, RankAndSize) {
  EXPECT_GE(rank_, 0);
  EXPECT_LT(rank_, size_);
  const auto ranks = world_.allgather(rank_);
  std::vector<int> expected(size_);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(ranks, expected);
}

TEST_F(Comm, SendRecvAndIsendOfAnyType) {
  const int next = (rank_ + 1) % size_;
  const int prev = (rank_ - 1 + size_) % size_;
  {
    auto pending = world_.isend(item{"from" + std::to_string(rank_), {rank_, 2 * rank_}}, next, 5);
    auto got = world_.recv<item>(prev, 5);
    EXPECT_EQ(got, (item{"from" + std::to_string(prev), {prev, 2 * prev}}));
  }
  auto pending = world_.isend(std::vector<double>(1000, rank_ + 0.5), next, 6);
  auto got = world_.recv<std::vector<double>>(prev, 6);
  EXPECT_EQ(got, std::vector<double>(1000, prev + 0.5));
  pending.wait();
}

TEST_F(Comm, BcastFromEveryRoot) {
  for (int root = 0; root < size_; ++root) {
    std::map<std::string, int> value;
    if (rank_ == root) value = {{"root", root}, {"size", size_}};
    world_.bcast(value, root);
    EXPECT_EQ(value, (std::map<std::string, int>{{"root", root}, {"size", size_}}));
  }
}

TEST_F(Comm, AllreduceScalarsAndVectors) {
  EXPECT_EQ(world_.allreduce(rank_ + 1, paracel::reduce_op::sum), size_ * (size_ + 1) / 2);
  EXPECT_EQ(world_.allreduce(rank_, paracel::reduce_op::min), 0);
  EXPECT_EQ(world_.allreduce(rank_, paracel::reduce_op::max), size_ - 1);
  EXPECT_DOUBLE_EQ(world_.allreduce(0.5, paracel::reduce_op::sum), 0.5 * size_);
  std::vector<std::int64_t> v = {rank_, 1, -rank_};
  EXPECT_EQ(world_.allreduce(v, paracel::reduce_op::sum),
            (std::vector<std::int64_t>{size_ * (size_ - 1) / 2, size_, -size_ * (size_ - 1) / 2}));
  EXPECT_EQ(world_.allreduce(v, paracel::reduce_op::max),
            (std::vector<std::int64_t>{size_ - 1, 1, 0}));
}

TEST_F(Comm, GatherAndAlltoall) {
  const auto gathered = world_.gather(std::string(rank_, 'x'), 0);
  if (rank_ == 0) {
    ASSERT_EQ(gathered.size(), static_cast<std::size_t>(size_));
    for (int r = 0; r < size_; ++r) EXPECT_EQ(gathered[r], std::string(r, 'x'));
  } else {
    EXPECT_TRUE(gathered.empty());
  }
  std::vector<std::vector<int>> out(size_);
  for (int r = 0; r < size_; ++r) out[r] = std::vector<int>(r + 1, 100 * rank_ + r);
  const auto in = world_.alltoall(out);
  ASSERT_EQ(in.size(), static_cast<std::size_t>(size_));
  for (int r = 0; r < size_; ++r) EXPECT_EQ(in[r], std::vector<int>(rank_ + 1, 100 * r + rank_));
  EXPECT_THROW(world_.alltoall(std::vector<int>(size_ + 1)), paracel::error);
}

TEST_F(Comm, TreeReduceWithAUserFunction) {
  for (int root = 0; root < size_; ++root) {
    auto concat = [](std::vector<int> a, const std::vector<int>& b) {
      a.insert(a.end(), b.begin(), b.end());
      return a;
    };
    auto result = world_.treereduce(std::vector<int>{rank_}, concat, root);
    if (rank_ == root) {
      std::sort(result.begin(), result.end());
      std::vector<int> expected(size_);
      std::iota(expected.begin(), expected.end(), 0);
      EXPECT_EQ(result, expected);
    }
    const long long everywhere = world_.treereduce(
        static_cast<long long>(rank_ + 1), [](long long a, long long b) { return a * b; }, root,
        true);
    long long factorial = 1;
    for (int i = 2; i <= size_; ++i) factorial *= i;
    EXPECT_EQ(everywhere, factorial);
  }
}

TEST_F(Comm, SplitIntoEvenAndOddRanks) {
  paracel::comm half = world_.split(rank_ % 2, rank_);
  EXPECT_EQ(half.size(), (size_ + 1 - rank_ % 2) / 2);
  EXPECT_EQ(half.rank(), rank_ / 2);
  EXPECT_EQ(half.allreduce(1, paracel::reduce_op::sum), half.size());
  half.barrier();
}

}  // namespace
