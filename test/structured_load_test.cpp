// Structured loading under 1 to 4 workers, against a serial reading of the same file: every
// edge lands exactly once, on the worker its pattern says, with ids that agree across workers.
// The graph is generated here (30,000 vertices, 120,000 distinct edges, fixed seed), or, with
// PARACEL_TEST_DATA=real (the real-data CTest entries), WordNet's pointer graph (361k edges)
// and LIBSVM's heart_scale, which tool/data/fetch.py converts from Debian packages.
#include "paracel/structured_load.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "paracel/graph.hpp"
#include "paracel/libsvm.hpp"
#include "paracel/load.hpp"
#include "support/real_data.hpp"

namespace {

namespace fs = std::filesystem;
using paracel::load_pattern;

using named_edge = std::tuple<std::string, std::string, double>;

// Writes a random digraph ("from to" names, no duplicate edge) and a random LIBSVM file.
void write_generated_input(const std::string& graph, const std::string& libsvm) {
  std::mt19937_64 random(7);
  std::uniform_int_distribution<int> vertex(0, 29999);
  std::set<std::pair<int, int>> edges{{0, 1}, {24647, 100}, {100, 0}};
  while (edges.size() < 120000) edges.emplace(vertex(random), vertex(random));
  std::ofstream g(graph);
  for (auto [a, b] : edges) g << a << " " << b << "\n";
  std::ofstream l(libsvm);
  std::uniform_int_distribution<int> coin(0, 3);
  for (int r = 0; r < 500; ++r) {
    l << (coin(random) < 2 ? "+1" : "-1");
    for (int c = 1; c <= 20; ++c) {
      if (coin(random) == 0) l << " " << c << ":" << 0.25 * (coin(random) + 1);
    }
    l << "\n";
  }
}

class GraphLoad : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    paracel::comm world;
    const char* which = std::getenv("PARACEL_TEST_DATA");
    if (which && std::string(which) == "real") {
      const std::string out = paracel::testing::fetch_real_data(world, "wordnet heart_scale");
      if (out.empty()) return;
      graph_ = out + "/graph/wordnet_pointers.txt";
      libsvm_ = out + "/classification/heart_scale.libsvm";
      libsvm_rows_ = 270;
      libsvm_dimension_ = 13;
    } else {
      const std::string folder =
          (fs::temp_directory_path() / ("paracel_structured_load_" + std::to_string(::getpid())))
              .string();
      std::string shared_folder = folder;
      world.bcast(shared_folder, 0);  // rank 0's pid names the folder
      graph_ = shared_folder + "/graph.txt";
      libsvm_ = shared_folder + "/rows.libsvm";
      if (world.rank() == 0) {
        fs::create_directories(shared_folder);
        write_generated_input(graph_, libsvm_);
      }
      world.barrier();
      libsvm_rows_ = 500;
      libsvm_dimension_ = 0;
      std::ifstream rows(libsvm_);
      for (std::string item; rows >> item;) {
        const auto colon = item.find(':');
        if (colon != std::string::npos)
          libsvm_dimension_ = std::max(libsvm_dimension_, std::stoul(item.substr(0, colon)));
      }
    }
    std::ifstream in(graph_);
    for (std::string a, b; in >> a >> b;) serial_.emplace_back(a, b, 1.0);
    std::sort(serial_.begin(), serial_.end());
  }
  void SetUp() override {
    if (graph_.empty()) {
      GTEST_SKIP() << "real data unavailable: python3 tool/data/fetch.py wordnet heart_scale "
                      "could not fetch it (no apt?)";
    }
  }

  // Every worker's entries, by name, gathered on every worker.
  std::vector<named_edge> gather_named(const paracel::loaded_block& block) {
    std::vector<named_edge> mine;
    for (const auto& e : block.entries) {
      mine.emplace_back(block.rows.names.at(e.row), block.cols.names.at(e.col), e.value);
    }
    std::vector<named_edge> all;
    for (auto& part : world_.allgather(mine)) all.insert(all.end(), part.begin(), part.end());
    std::sort(all.begin(), all.end());
    return all;
  }

  // How many workers hold entries of each row (or col) name.
  std::map<std::string, int> holders(const paracel::loaded_block& block, bool rows) {
    std::set<std::string> mine;
    for (const auto& e : block.entries) {
      mine.insert(rows ? block.rows.names.at(e.row) : block.cols.names.at(e.col));
    }
    std::map<std::string, int> count;
    for (auto& part : world_.allgather(std::vector<std::string>(mine.begin(), mine.end()))) {
      for (auto& name : part) ++count[name];
    }
    return count;
  }

  // Ids agree across workers and are dense in [0, count).
  void expect_consistent_ids(const paracel::id_map& ids) {
    std::map<std::string, std::uint64_t> mine(ids.ids.begin(), ids.ids.end());
    std::map<std::string, std::uint64_t> merged;
    for (auto& part : world_.allgather(mine)) {
      for (auto& [name, id] : part) {
        auto [it, inserted] = merged.emplace(name, id);
        EXPECT_EQ(it->second, id) << name;
      }
    }
    std::set<std::uint64_t> used;
    for (auto& [name, id] : merged) used.insert(id);
    EXPECT_EQ(used.size(), merged.size());
    EXPECT_EQ(merged.size(), ids.count);
    if (!used.empty()) {
      EXPECT_EQ(*used.rbegin(), ids.count - 1);
    }
  }

  paracel::comm world_;
  static std::string graph_;
  static std::string libsvm_;
  static std::vector<named_edge> serial_;
  static std::size_t libsvm_rows_;
  static std::size_t libsvm_dimension_;
};

std::string GraphLoad::graph_;
std::string GraphLoad::libsvm_;
std::vector<named_edge> GraphLoad::serial_;
std::size_t GraphLoad::libsvm_rows_ = 0;
std::size_t GraphLoad::libsvm_dimension_ = 0;

TEST_F(GraphLoad, FmapOwnsWholeRows) {
  auto block = paracel::load_structured(world_, {graph_}, {load_pattern::fmap, false});
  EXPECT_EQ(gather_named(block), serial_);
  for (auto& [row, n] : holders(block, true)) ASSERT_EQ(n, 1) << row;
  expect_consistent_ids(block.rows);
  expect_consistent_ids(block.cols);
}

TEST_F(GraphLoad, SmapOwnsWholeColumns) {
  auto block = paracel::load_structured(world_, {graph_}, {load_pattern::smap, false});
  EXPECT_EQ(gather_named(block), serial_);
  for (auto& [col, n] : holders(block, false)) ASSERT_EQ(n, 1) << col;
}

TEST_F(GraphLoad, FsmapSpreadsRowsOverOneGridRowOnly) {
  auto block = paracel::load_structured(world_, {graph_}, {load_pattern::fsmap, false});
  EXPECT_EQ(block.grid_rows * block.grid_cols, world_.size());
  EXPECT_EQ(gather_named(block), serial_);
  for (auto& [row, n] : holders(block, true)) ASSERT_LE(n, block.grid_cols) << row;
  for (auto& [col, n] : holders(block, false)) ASSERT_LE(n, block.grid_rows) << col;
}

TEST_F(GraphLoad, SharedIdsNameVerticesOnce) {
  auto block = paracel::load_structured(world_, {graph_}, {load_pattern::fmap, true});
  expect_consistent_ids(block.rows);
  std::set<std::string> vertices;
  for (auto& [a, b, w] : serial_) {
    vertices.insert(a);
    vertices.insert(b);
  }
  EXPECT_EQ(block.rows.count, vertices.size());
}

TEST_F(GraphLoad, DigraphDegreesAndSearchesMatchASerialBuild) {
  // The whole graph on every worker: a one-rank communicator per worker.
  paracel::comm alone = world_.split(world_.rank());
  auto block = paracel::load_structured(alone, {graph_}, {load_pattern::fmap, true});
  paracel::digraph<double> g;
  for (const auto& e : block.entries) g.add_edge(e.row, e.col, e.value);
  EXPECT_EQ(g.edge_count(), serial_.size());

  std::map<std::string, std::vector<std::string>> adjacency;
  std::map<std::string, std::size_t> in_degree;
  for (auto& [a, b, w] : serial_) {
    adjacency[a].push_back(b);
    adjacency[b];
    ++in_degree[b];
  }
  EXPECT_EQ(g.vertex_count(), adjacency.size());
  for (const auto& name : {"0", "1", "24647", "100"}) {
    const auto id = block.rows.ids.at(name);
    EXPECT_EQ(g.out_degree(id), adjacency[name].size()) << name;
    EXPECT_EQ(g.in_degree(id), in_degree[name]) << name;
  }
  // Reachability from vertex "0": an independent breadth-first search by name.
  std::set<std::string> reached{"0"};
  std::vector<std::string> frontier{"0"};
  while (!frontier.empty()) {
    std::vector<std::string> next;
    for (auto& v : frontier) {
      for (auto& to : adjacency[v]) {
        if (reached.insert(to).second) next.push_back(to);
      }
    }
    frontier = std::move(next);
  }
  const auto bfs = g.bfs(block.rows.ids.at("0"));
  const auto dfs = g.dfs(block.rows.ids.at("0"));
  EXPECT_EQ(bfs.size(), reached.size());
  EXPECT_EQ(dfs.size(), reached.size());
  std::set<std::string> bfs_names;
  for (auto v : bfs) bfs_names.insert(block.rows.names.at(v));
  EXPECT_EQ(bfs_names, reached);

  // Weakly connected components against an independent union-find over names.
  std::map<std::string, std::string> parent;
  for (auto& [v, out] : adjacency) parent[v] = v;
  std::function<std::string(const std::string&)> find = [&](const std::string& v) {
    return parent[v] == v ? v : parent[v] = find(parent[v]);
  };
  for (auto& [a, b, w] : serial_) parent[find(a)] = find(b);
  std::set<std::string> roots;
  for (auto& [v, p] : parent) roots.insert(find(v));
  std::set<paracel::vertex> labels;
  for (auto& [v, label] : g.connected_components()) labels.insert(label);
  EXPECT_EQ(labels.size(), roots.size());
}

TEST_F(GraphLoad, GraphBlocksCoverTheGraph) {
  auto block = paracel::load_structured(world_, {graph_}, {load_pattern::fmap, true});
  paracel::digraph<double> g;
  for (const auto& e : block.entries) g.add_edge(e.row, e.col, e.value);
  EXPECT_EQ(world_.allreduce(static_cast<std::uint64_t>(g.edge_count()), paracel::reduce_op::sum),
            serial_.size());
  paracel::bigraph<double> bg;
  for (const auto& e : block.entries) bg.add_edge(e.row, e.col, e.value);
  EXPECT_EQ(bg.edge_count(), g.edge_count());
  std::vector<std::tuple<paracel::vertex, paracel::vertex, double>> edges;
  for (const auto& e : block.entries) edges.emplace_back(e.row, e.col, e.value);
  paracel::bigraph_continuous<double> cg(block.rows.count, edges);
  std::size_t visited = 0;
  cg.traverse([&](paracel::vertex u, paracel::vertex, double) {
    EXPECT_EQ(bg.left_degree(u), cg.left_degree(u));
    ++visited;
  });
  EXPECT_EQ(visited, g.edge_count());
}

// Integer names take a faster path (numbers, not strings); one line with a name that is not
// a canonical integer sends the whole input down the string path. Both must hold the same
// entries on the same workers.
TEST_F(GraphLoad, NumberedAndNamedPathsPlaceEntriesAlike) {
  std::string named = graph_ + ".named_" + std::to_string(::getpid());
  world_.bcast(named, 0);
  if (world_.rank() == 0) {
    fs::copy_file(graph_, named, fs::copy_options::overwrite_existing);
    std::ofstream(named, std::ios::app) << "\nv007 w\n";
  }
  world_.barrier();
  auto numbered = paracel::load_structured(world_, {graph_}, {load_pattern::fmap, true});
  auto by_name = paracel::load_structured(world_, {named}, {load_pattern::fmap, true});
  EXPECT_EQ(by_name.rows.count, numbered.rows.count + 2);
  auto expected = serial_;
  expected.emplace_back("v007", "w", 1.0);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(gather_named(by_name), expected);
  // Each row on the same worker in both loads.
  const auto where = [&](const paracel::loaded_block& block) {
    std::map<std::string, int> mine;
    for (const auto& e : block.entries) mine[block.rows.names.at(e.row)] = world_.rank();
    std::map<std::string, int> all;
    for (auto& part : world_.allgather(mine)) all.insert(part.begin(), part.end());
    return all;
  };
  auto named_places = where(by_name);
  named_places.erase("v007");
  EXPECT_EQ(named_places, where(numbered));
  // Numbered ids follow the names' numeric order.
  std::map<std::uint64_t, std::uint64_t> id_by_number;
  for (auto& part : world_.allgather(std::vector<std::pair<std::string, std::uint64_t>>(
           numbered.rows.ids.begin(), numbered.rows.ids.end()))) {
    for (auto& [name, id] : part) id_by_number[std::stoull(name)] = id;
  }
  std::uint64_t expected_id = 0;
  for (auto& [number, id] : id_by_number) ASSERT_EQ(id, expected_id++) << number;
  world_.barrier();
  if (world_.rank() == 0) fs::remove(named);
}

TEST_F(GraphLoad, LibsvmMatchesASerialParse) {
  auto data = paracel::load_libsvm(world_, {libsvm_});
  EXPECT_EQ(data.dimension, libsvm_dimension_);
  const auto rows =
      world_.allreduce(static_cast<std::uint64_t>(data.labels.size()), paracel::reduce_op::sum);
  EXPECT_EQ(rows, libsvm_rows_);
  // Serial parse of the same lines this worker got, by an independent reader.
  std::vector<std::string> lines;
  paracel::for_each_line({libsvm_}, world_.rank(), world_.size(),
                         [&](std::string_view l, const auto&) { lines.emplace_back(l); });
  ASSERT_EQ(lines.size(), data.labels.size());
  for (std::size_t r = 0; r < lines.size(); ++r) {
    std::istringstream in(lines[r]);
    double label;
    in >> label;
    EXPECT_EQ(data.labels[r], label);
    for (std::string item; in >> item;) {
      const auto colon = item.find(':');
      const int col = std::stoi(item.substr(0, colon)) - 1;
      EXPECT_DOUBLE_EQ(data.features.coeff(static_cast<int>(r), col),
                       std::stod(item.substr(colon + 1)));
    }
  }
}

class BadInput : public ::testing::Test {
 protected:
  // A temp path named by rank 0's pid, the same on every worker.
  std::string shared_path(const std::string& prefix) {
    std::string path = (fs::temp_directory_path() / (prefix + std::to_string(::getpid()))).string();
    world_.bcast(path, 0);
    return path;
  }
  paracel::comm world_;
};

TEST_F(BadInput, AMalformedLineIsNamedOnEveryWorker) {
  const std::string path = shared_path("paracel_bad_");
  if (world_.rank() == 0) {
    std::ofstream out(path);
    for (int i = 0; i < 200; ++i) out << i << " " << i + 1 << "\n";
    out << "7 8 nine\n";  // line 201
    for (int i = 0; i < 200; ++i) out << i << " " << i + 2 << "\n";
  }
  world_.barrier();
  try {
    paracel::load_structured(world_, {path}, {load_pattern::fmap, false});
    ADD_FAILURE() << "no error";
  } catch (const paracel::error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":201: 'nine' is not a number"), std::string::npos)
        << e.what();
  }
  world_.barrier();
  if (world_.rank() == 0) fs::remove(path);
  EXPECT_THROW(paracel::parse_load_pattern("fmapp"), paracel::error);
}

// "7", "07", "+7" and "-7" are four names, whichever path the loader takes; numbers beyond
// 2^64 - 1 stay names too.
TEST_F(BadInput, NumbersAreNamesOnlyInTheirCanonicalSpelling) {
  const std::string path = shared_path("paracel_numbers_");
  if (world_.rank() == 0) {
    std::ofstream(path + ".a") << "7 07\n+7 -7\n18446744073709551616 7\n";
    std::ofstream(path + ".b") << "7 18446744073709551615\n0 7\n7 0\n";
  }
  world_.barrier();
  const auto names_of = [&](const std::string& file) {
    auto block = paracel::load_structured(world_, {file}, {load_pattern::fmap, true});
    std::set<std::string> mine;
    for (const auto& e : block.entries) {
      mine.insert(block.rows.names.at(e.row));
      mine.insert(block.cols.names.at(e.col));
    }
    std::set<std::string> all;
    for (auto& part : world_.allgather(std::vector<std::string>(mine.begin(), mine.end())))
      all.insert(part.begin(), part.end());
    EXPECT_EQ(all.size(), block.rows.count);
    return all;
  };
  EXPECT_EQ(names_of(path + ".a"),
            (std::set<std::string>{"7", "07", "+7", "-7", "18446744073709551616"}));
  EXPECT_EQ(names_of(path + ".b"), (std::set<std::string>{"0", "7", "18446744073709551615"}));
  world_.barrier();
  if (world_.rank() == 0) {
    fs::remove(path + ".a");
    fs::remove(path + ".b");
  }
}

TEST_F(BadInput, FvecAndFsetShapes) {
  const std::string path = shared_path("paracel_shapes_");
  if (world_.rank() == 0) {
    std::ofstream(path + ".fvec") << "a 1 2 3\nb 4 5\n\nc 6 7 8 9\n";
    std::ofstream(path + ".fset") << "u i1:2.5 i2 i3:-1\nv i1\n";
  }
  world_.barrier();
  auto vec = paracel::load_structured(world_, {path + ".fvec"}, {load_pattern::fvec, false});
  EXPECT_EQ(vec.cols.count, 4u);
  EXPECT_EQ(
      world_.allreduce(static_cast<std::uint64_t>(vec.entries.size()), paracel::reduce_op::sum),
      9u);
  auto set = paracel::load_structured(world_, {path + ".fset"}, {load_pattern::fset, false});
  std::map<std::pair<std::string, std::string>, double> mine;
  for (const auto& e : set.entries)
    mine[{set.rows.names.at(e.row), set.cols.names.at(e.col)}] = e.value;
  std::map<std::pair<std::string, std::string>, double> all;
  for (auto& part : world_.allgather(mine)) all.insert(part.begin(), part.end());
  EXPECT_EQ(all, (std::map<std::pair<std::string, std::string>, double>{
                     {{"u", "i1"}, 2.5}, {{"u", "i2"}, 1}, {{"u", "i3"}, -1}, {{"v", "i1"}, 1}}));
  world_.barrier();
  if (world_.rank() == 0) {
    fs::remove(path + ".fvec");
    fs::remove(path + ".fset");
  }
}

}  // namespace
