// paracel::pregel against live servers, under mpirun with 1 to 3 workers: message delivery
// without a combiner, aggregators, halting and waking, vertices without edges, the superstep
// limit. Rank 0 hosts the servers and writes the graphs.
#include "paracel/pregel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/mpi_cluster.hpp"

namespace {

namespace fs = std::filesystem;

// Superstep 0: every vertex sends 1 along each out-edge (no combiner: every message
// arrives). Superstep 1: a vertex's value is the number it received, its in-degree,
// added to the aggregators.
class in_degree : public paracel::pregel<std::int64_t, std::int64_t> {
 public:
  using pregel::pregel;

 protected:
  void compute(vertex& v, const std::vector<std::int64_t>& messages) override {
    if (v.superstep() == 0) {
      v.send_to_neighbours(1);
    } else {
      v.value() = static_cast<std::int64_t>(messages.size());
    }
    if (v.superstep() == 1) {
      v.aggregate("total", static_cast<double>(v.value()));
      v.aggregate("least", static_cast<double>(v.value()));
      v.aggregate("most", static_cast<double>(v.value()));
      v.vote_to_halt();
    }
  }
};

// Only the vertex named "0" starts; a vertex that hears first forwards, and every vertex
// halts at once: halted vertices must wake up for a message. Value: the superstep heard.
class wave : public paracel::pregel<int, int> {
 public:
  using pregel::pregel;

 protected:
  void init(vertex& v) override { v.value() = -1; }
  void compute(vertex& v, const std::vector<int>& messages) override {
    if ((v.superstep() == 0 && v.name() == "0") || (!messages.empty() && v.value() < 0)) {
      v.value() = v.superstep();
      v.send_to_neighbours(v.superstep());
    }
    v.vote_to_halt();
  }
};

// Never halts: the superstep limit stops it.
class restless : public paracel::pregel<int, int> {
 public:
  using pregel::pregel;

 protected:
  void compute(vertex& v, const std::vector<int>&) override { ++v.value(); }
};

class Pregel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = std::make_unique<paracel::testing::mpi_cluster>();
    paracel::comm world;
    std::string folder =
        (fs::temp_directory_path() / ("paracel_pregel_test_" + std::to_string(::getpid())))
            .string();
    world.bcast(folder, 0);
    folder_ = folder;
    if (world.rank() == 0) {
      fs::create_directories(folder_);
      // 5 -> 0 1 2 3 (a fan), 0 -> 1 -> 2 -> 3 (a chain), 4 isolated (in the vertex list).
      std::ofstream(folder_ + "/edges.txt") << "0 1\n1 2\n2 3\n5 0\n5 1\n5 2\n5 3\n";
      std::ofstream(folder_ + "/vertices.txt") << "0\n1\n2\n3\n4\n5\n";
    }
    world.barrier();
  }
  static void TearDownTestSuite() {
    cluster_.reset();
    if (paracel::comm().rank() == 0) fs::remove_all(folder_);
  }
  paracel::paralg_options options() const {
    paracel::paralg_options o;
    o.servers = cluster_->endpoints();
    o.output = folder_ + "/out";
    return o;
  }
  // name -> value over every worker's vertices.
  template <class Program>
  static std::map<std::string, long long> gather(Program& job) {
    std::vector<std::pair<std::string, long long>> mine;
    for (std::size_t i = 0; i < job.local_vertices(); ++i)
      mine.emplace_back(job.name_of(i), static_cast<long long>(job.value_of(i)));
    std::map<std::string, long long> all;
    for (auto& part : job.get_comm().allgather(mine)) all.insert(part.begin(), part.end());
    return all;
  }

  static std::unique_ptr<paracel::testing::mpi_cluster> cluster_;
  static std::string folder_;
};

std::unique_ptr<paracel::testing::mpi_cluster> Pregel::cluster_;
std::string Pregel::folder_;

TEST_F(Pregel, EveryMessageArrivesAndAggregatorsReduceOverWorkers) {
  in_degree job(options());
  job.declare_aggregator("total", in_degree::reduce::sum);
  job.declare_aggregator("least", in_degree::reduce::min);
  job.declare_aggregator("most", in_degree::reduce::max);
  job.load_edges(folder_ + "/edges.txt", false, folder_ + "/vertices.txt");
  EXPECT_EQ(job.vertex_count(), 6u);
  EXPECT_EQ(job.edge_count(), 7);
  EXPECT_EQ(job.run(100), 2);
  const std::map<std::string, long long> want{{"0", 1}, {"1", 2}, {"2", 2},
                                              {"3", 2}, {"4", 0}, {"5", 0}};
  EXPECT_EQ(gather(job), want);
  EXPECT_EQ(job.aggregated("total"), 7);
  EXPECT_EQ(job.aggregated("least"), 0);
  EXPECT_EQ(job.aggregated("most"), 2);
  EXPECT_EQ(job.messages_sent(), 7);
}

TEST_F(Pregel, HaltedVerticesWakeForMessagesAndUndirectedEdgesGoBothWays) {
  wave directed(options());
  directed.load_edges(folder_ + "/edges.txt", false);
  // 0 at superstep 0, 1 at 1, 2 at 2, 3 at 3, then one superstep in which nobody sends.
  EXPECT_EQ(directed.run(100), 4);
  const std::map<std::string, long long> chain{{"0", 0}, {"1", 1}, {"2", 2}, {"3", 3}, {"5", -1}};
  EXPECT_EQ(gather(directed), chain);

  wave undirected(options());
  undirected.load_edges(folder_ + "/edges.txt", true);
  undirected.run(100);
  const std::map<std::string, long long> both{{"0", 0}, {"1", 1}, {"2", 2}, {"3", 2}, {"5", 1}};
  EXPECT_EQ(gather(undirected), both);
}

TEST_F(Pregel, TheSuperstepLimitStopsAProgramThatNeverHalts) {
  restless job(options());
  job.load_edges(folder_ + "/edges.txt", false);
  EXPECT_EQ(job.run(5), 5);
  for (const auto& [name, value] : gather(job)) EXPECT_EQ(value, 5) << name;
}

TEST_F(Pregel, AMalformedLineIsNamedOnEveryWorker) {
  paracel::comm world;
  if (world.rank() == 0) std::ofstream(folder_ + "/bad.txt") << "0 1\n1 2 heavy\n";
  world.barrier();
  restless job(options());
  try {
    job.load_edges(folder_ + "/bad.txt", false);
    FAIL() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("bad.txt:2"), std::string::npos) << e.what();
  }
}

}  // namespace
