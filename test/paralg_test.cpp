// paralg's API against live servers, under mpirun with 1 to 4 workers. Rank 0 hosts the
// servers (in-process threads) and broadcasts their endpoints.
#include "paracel/paralg.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/mpi_cluster.hpp"

namespace {

namespace fs = std::filesystem;
using paracel::builtin;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Paralg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = std::make_unique<paracel::testing::mpi_cluster>();
    paracel::comm world;
    std::string folder =
        (fs::temp_directory_path() / ("paracel_paralg_test_" + std::to_string(::getpid())))
            .string();
    world.bcast(folder, 0);
    output_ = folder;
  }
  static void TearDownTestSuite() {
    cluster_.reset();
    if (paracel::comm().rank() == 0) fs::remove_all(output_);
  }
  void SetUp() override {
    paracel::paralg_options options;
    options.servers = cluster_->endpoints();
    options.output = output_;
    alg_ = std::make_unique<paracel::paralg>(options);
    // Each test starts from an empty store.
    alg_->get_comm().barrier();
    if (alg_->get_worker_id() == 0) {
      std::vector<std::string> keys;
      alg_->ps().pull_all_bytes(
          {}, [&](std::string_view k, std::string_view) { keys.emplace_back(k); });
      for (const auto& k : keys) alg_->paracel_remove(k);
    }
    alg_->get_comm().barrier();
  }
  void TearDown() override { alg_->get_comm().barrier(); }

  int rank() const { return alg_->get_worker_id(); }
  int size() const { return alg_->get_worker_size(); }

  static std::unique_ptr<paracel::testing::mpi_cluster> cluster_;
  static std::string output_;
  std::unique_ptr<paracel::paralg> alg_;
};

std::unique_ptr<paracel::testing::mpi_cluster> Paralg::cluster_;
std::string Paralg::output_;

TEST_F(Paralg, WhoAmI) {
  paracel::comm world;
  EXPECT_EQ(rank(), world.rank());
  EXPECT_EQ(size(), world.size());
  EXPECT_EQ(alg_->get_server_size(), 2u);
}

TEST_F(Paralg, ReadWriteContainsRemove) {
  const std::string mine = "w_" + std::to_string(rank());
  alg_->paracel_write(mine, std::vector<double>{1.0 * rank(), 2.0});
  alg_->paracel_sync();
  for (int w = 0; w < size(); ++w) {
    const std::string key = "w_" + std::to_string(w);
    EXPECT_TRUE(alg_->paracel_contains(key));
    EXPECT_EQ(alg_->paracel_read<std::vector<double>>(key), (std::vector<double>{1.0 * w, 2.0}));
  }
  std::vector<double> value;
  EXPECT_FALSE(alg_->paracel_read("missing", value));
  EXPECT_THROW(alg_->paracel_read<int>("missing"), paracel::key_not_found);
  alg_->paracel_sync();
  EXPECT_TRUE(alg_->paracel_remove(mine));
  alg_->paracel_sync();
  EXPECT_FALSE(alg_->paracel_contains("w_0"));
}

TEST_F(Paralg, UpdatesFromEveryWorkerAreAllAppliedAfterSync) {
  for (int i = 0; i < 100; ++i) alg_->paracel_update("counter", std::int64_t{1}, builtin::add);
  alg_->paracel_bupdate("sum", rank() + 1.0, builtin::add);
  std::vector<std::string> keys = {"a", "b", "c"};
  alg_->paracel_bupdate_multi(keys, std::vector<std::int64_t>{1, 2, 3}, builtin::add);
  alg_->paracel_sync();
  EXPECT_EQ(alg_->paracel_read<std::int64_t>("counter"), 100 * size());
  EXPECT_DOUBLE_EQ(alg_->paracel_read<double>("sum"), size() * (size() + 1) / 2.0);
  EXPECT_EQ(alg_->paracel_read_multi<std::int64_t>(keys),
            (std::vector<std::int64_t>{size(), 2 * size(), 3 * size()}));
}

TEST_F(Paralg, PluginUpdatersAndTheDefaultUpdater) {
  EXPECT_THROW(alg_->paracel_bupdate("x", 1.0), paracel::error);  // no default yet
  alg_->paracel_register_bupdate("libtest_plugin.so", "scaled_add");
  alg_->paracel_bupdate("x", 1.0);  // old + 2 * delta
  alg_->paracel_bupdate("y", 1.0, "libtest_plugin.so", "scaled_add");
  alg_->paracel_sync();
  // The first update stores the delta; each later one adds twice its delta.
  EXPECT_DOUBLE_EQ(alg_->paracel_read<double>("x"), 1.0 + 2.0 * (size() - 1));
  EXPECT_DOUBLE_EQ(alg_->paracel_read<double>("y"), 1.0 + 2.0 * (size() - 1));
}

TEST_F(Paralg, ReadAllSpecialTopKAndRemoveSpecial) {
  for (int i = 0; i < 20; ++i) {
    alg_->paracel_write("w_" + std::to_string(rank()) + "_" + std::to_string(i), rank() * 100 + i);
    alg_->paracel_write("b_" + std::to_string(rank()) + "_" + std::to_string(i), -i);
  }
  alg_->paracel_sync();
  EXPECT_EQ(alg_->paracel_readall<int>().size(), static_cast<std::size_t>(40 * size()));
  std::size_t handled = 0;
  alg_->paracel_readall_handle<int>([&](const std::string&, int) { ++handled; });
  EXPECT_EQ(handled, static_cast<std::size_t>(40 * size()));
  const auto weights = alg_->paracel_read_special<int>("libtest_plugin.so", "weights_only");
  EXPECT_EQ(weights.size(), static_cast<std::size_t>(20 * size()));
  for (auto& [k, v] : weights) EXPECT_TRUE(k.starts_with("w_"));
  const auto top = alg_->paracel_read_topk<int>(3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].second, (size() - 1) * 100 + 19);
  const auto top_w =
      alg_->paracel_read_topk_with_key_filter<int>(1, "libtest_plugin.so", "weights_only");
  EXPECT_EQ(top_w.at(0).first, "w_" + std::to_string(size() - 1) + "_19");
  alg_->paracel_sync();
  if (rank() == 0) {
    EXPECT_EQ(alg_->paracel_remove_special("libtest_plugin.so", "weights_only"),
              static_cast<std::uint64_t>(20 * size()));
  }
  alg_->paracel_sync();
  EXPECT_EQ(alg_->paracel_readall<int>().size(), static_cast<std::size_t>(20 * size()));
}

TEST_F(Paralg, LoadSplitsARealTextAcrossWorkers) {
  const std::string input = "/usr/share/common-licenses";
  const auto mine = alg_->paracel_load(input);
  const auto all = alg_->get_comm().allgather(mine);
  std::vector<std::string> joined;
  for (auto& part : all) joined.insert(joined.end(), part.begin(), part.end());
  EXPECT_EQ(joined, alg_->paracel_loadall(input));  // every line once, in order
  std::size_t streamed = 0;
  alg_->paracel_sequential_loadall(
      input, [&](std::vector<std::string>& chunk) { streamed += chunk.size(); }, 1000);
  EXPECT_EQ(streamed, joined.size());
  std::size_t handled = 0;
  alg_->paracel_load_handle(input, [&](const std::string&) { ++handled; });
  EXPECT_EQ(handled, mine.size());
  const auto lengths =
      alg_->paracel_load<std::size_t>(input, [](const std::string& l) { return l.size(); });
  ASSERT_EQ(lengths.size(), mine.size());
}

TEST_F(Paralg, DumpsMergedAndPerWorker) {
  std::vector<double> data;
  for (int i = 0; i <= rank(); ++i) data.push_back(rank() + i / 10.0);
  alg_->paracel_dump_vector(data, "vec");
  alg_->paracel_dump_vector(data, "vec_parts", "\n", false);
  std::map<std::string, std::vector<int>> dict = {{"k" + std::to_string(rank()), {rank(), 1}}};
  alg_->paracel_dump_dict(dict, "dict");
  Eigen::MatrixXd m(2, 2);
  m << rank(), 0.5, 1e-20, -3;
  alg_->paracel_dump_matrix(m, "matrix");
  alg_->paracel_dump_vector(std::vector<int>{}, "empty");  // empty data must work
  alg_->get_comm().barrier();
  if (rank() == 0) {
    std::string expected_vec;
    std::string expected_dict;
    std::string expected_matrix;
    for (int w = 0; w < size(); ++w) {
      std::string part;
      for (int i = 0; i <= w; ++i) {
        paracel::format_value(part, w + i / 10.0);
        part += "\n";
      }
      expected_vec += part;
      EXPECT_EQ(read_file(fs::path(output_) / ("vec_parts_" + std::to_string(w))), part);
      expected_dict += "k" + std::to_string(w) + "\t" + std::to_string(w) + " 1\n";
      expected_matrix += std::to_string(w) + " 0.5\n1e-20 -3\n";
    }
    EXPECT_EQ(read_file(fs::path(output_) / "vec"), expected_vec);
    EXPECT_EQ(read_file(fs::path(output_) / "dict"), expected_dict);
    EXPECT_EQ(read_file(fs::path(output_) / "matrix"), expected_matrix);
    EXPECT_EQ(read_file(fs::path(output_) / "empty"), "");
  }
}

TEST_F(Paralg, GraphMatrixDenseAndLibsvmLoaders) {
  const std::string base = output_ + "/input";
  if (rank() == 0) {
    std::ofstream(base + ".edges") << "a b 2\nb c\nc a 0.5\nd a\n";
    std::ofstream(base + ".fvec") << "r1 1 2\nr2 3 4\nr3 5 6\n";
    std::ofstream(base + ".libsvm") << "+1 1:0.5 3:1\n-1 2:2\n";
  }
  alg_->get_comm().barrier();
  paracel::digraph<double> g;
  const auto ids = alg_->paracel_load_as_graph(g, base + ".edges");
  EXPECT_EQ(ids.count, 4u);
  EXPECT_EQ(alg_->get_comm().allreduce(static_cast<std::uint64_t>(g.edge_count()),
                                       paracel::reduce_op::sum),
            4u);
  paracel::undirected_graph<double> ug;
  alg_->paracel_load_as_graph(ug, base + ".edges");
  paracel::bigraph<double> bg;
  const auto [left, right] = alg_->paracel_load_as_graph(bg, base + ".edges");
  EXPECT_EQ(left.count, 4u);
  EXPECT_EQ(right.count, 3u);

  Eigen::SparseMatrix<double, Eigen::RowMajor> m;
  const auto [rows, cols] = alg_->paracel_load_as_matrix(m, base + ".edges");
  EXPECT_EQ(m.rows(), 4);
  EXPECT_EQ(m.cols(), 3);
  EXPECT_DOUBLE_EQ(alg_->get_comm().allreduce(m.sum(), paracel::reduce_op::sum), 4.5);

  Eigen::MatrixXd dense;
  const auto row_ids = alg_->paracel_load_as_dense(dense, base + ".fvec");
  EXPECT_EQ(dense.cols(), 2);
  EXPECT_EQ(static_cast<std::size_t>(dense.rows()), row_ids.size());
  EXPECT_DOUBLE_EQ(alg_->get_comm().allreduce(dense.sum(), paracel::reduce_op::sum), 21.0);

  const auto svm = alg_->paracel_load_libsvm(base + ".libsvm");
  EXPECT_EQ(svm.dimension, 3u);
  EXPECT_DOUBLE_EQ(alg_->get_comm().allreduce(svm.features.sum(), paracel::reduce_op::sum), 3.5);
}

TEST_F(Paralg, DecompositionAndDataMerge) {
  int rows = 0, cols = 0;
  alg_->set_decomp_info("smap");
  alg_->get_decomp_info(rows, cols);
  EXPECT_EQ(rows * cols, size());
  EXPECT_EQ(rows, 1);
  alg_->set_decomp_info("fsmap");
  alg_->get_decomp_info(rows, cols);
  EXPECT_EQ(rows * cols, size());
  EXPECT_LE(rows, cols);
  EXPECT_THROW(alg_->set_decomp_info("nonsense"), paracel::error);
  const auto merged =
      alg_->data_merge(std::vector<int>{rank()}, [](std::vector<int> a, const std::vector<int>& b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
      });
  if (rank() == 0) {
    EXPECT_EQ(static_cast<int>(merged.size()), size());
  }
}

TEST_F(Paralg, OutputErrorsReachEveryWorker) {
  EXPECT_THROW(alg_->init_output("/proc/no/such/place"), paracel::error);
}

TEST(ParalgSetup, NoServersIsAClearError) {
  ::unsetenv("PARACEL_SERVER_INFO");
  try {
    paracel::paralg alg(paracel::paralg_options{});
    FAIL() << "constructed without servers";
  } catch (const paracel::error& e) {
    EXPECT_NE(std::string(e.what()).find("prun.py"), std::string::npos);
  }
  const char* argv[] = {"prog", "--server_info=tcp://a:1,tcp://b:2", "--output=/tmp/o", "x"};
  const auto options = paracel::paralg_options::from_args(4, const_cast<char**>(argv));
  EXPECT_EQ(options.servers, (std::vector<std::string>{"tcp://a:1", "tcp://b:2"}));
  EXPECT_EQ(options.output, "/tmp/o");
}

}  // namespace
