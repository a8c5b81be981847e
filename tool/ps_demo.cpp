// ps_demo: a small word count through real parameter servers, one worker per MPI rank.
//
//   ./prun.py -p 2 -w 3 build/bin/ps_demo FILE...
//
// Rank r counts the words of every size-th line starting at r, locally (so it sends one
// update per distinct word, not per occurrence), and pushes the counts with bupdate_multi
// and the built-in int64 add. After a barrier, rank 0 reads the top words back with the
// servers' top-k and checks them against a serial count of all lines. Every rank exits 0
// only if the two agree.
#include <gflags/gflags.h>
#include <mpi.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "paracel/ps_client.hpp"

DEFINE_string(server_info, "", "comma-separated server endpoints (prun.py passes this)");
DEFINE_uint32(top, 10, "how many of the most frequent words to print");

namespace {

using counts = std::unordered_map<std::string, std::int64_t>;

void count_words(const std::string& line, counts& out) {
  std::string word;
  for (char c : line + ' ') {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      ++out["word:" + word];
      word.clear();
    }
  }
}

std::vector<std::string> split(const std::string& list, char sep) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, sep);) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::vector<std::string> read_lines(int argc, char** argv) {
  std::vector<std::string> lines;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i]);
    if (!in) throw std::runtime_error(std::string("cannot read ") + argv[i]);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  return lines;
}

// Rank 0's check: the servers' top words equal a serial count's.
bool check_top_words(paracel::ps_client& ps, const std::vector<std::string>& lines, int ranks) {
  const auto top = ps.top_k<std::int64_t>(FLAGS_top);
  counts serial;
  for (const auto& line : lines) count_words(line, serial);
  std::vector<std::pair<std::int64_t, std::string>> ranked;
  for (auto& [w, n] : serial) ranked.emplace_back(-n, w);
  std::sort(ranked.begin(), ranked.end());

  bool agree = top.size() == std::min<std::size_t>(FLAGS_top, ranked.size());
  std::cout << "top " << top.size() << " of " << serial.size() << " distinct words in "
            << lines.size() << " lines (" << ps.server_count() << " servers, " << ranks
            << " workers):\n";
  for (std::size_t i = 0; i < top.size(); ++i) {
    const bool same = top[i].first == ranked[i].second && top[i].second == -ranked[i].first;
    agree = agree && same;
    std::cout << "  " << top[i].first.substr(5) << " " << top[i].second
              << (same ? "" : "  (serial count differs!)") << "\n";
  }
  std::uint64_t keys = 0;
  for (const auto& s : ps.stats()) keys += s.keys;
  agree = agree && keys == serial.size();
  std::cout << (agree ? "OK: parameter-server counts equal the serial count\n"
                      : "MISMATCH between parameter-server and serial counts\n");
  return agree;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  gflags::SetUsageMessage("ps_demo --server_info E1,E2 FILE...");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  int rank = 0;
  int ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  int ok = 0;
  try {
    const auto endpoints = split(FLAGS_server_info, ',');
    if (endpoints.empty() || argc < 2) {
      throw std::runtime_error("usage: ps_demo --server_info E1,E2 FILE... (run it with prun.py)");
    }
    const auto lines = read_lines(argc, argv);
    paracel::ps_client ps(endpoints);
    counts local;
    for (std::size_t i = rank; i < lines.size(); i += ranks) count_words(lines[i], local);
    std::vector<std::string> keys;
    std::vector<std::int64_t> deltas;
    for (auto& [word, n] : local) {
      keys.push_back(word);
      deltas.push_back(n);
    }
    ps.bupdate_multi(keys, deltas, paracel::builtin::add);
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0) ok = check_top_words(ps, lines, ranks) ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "ps_demo rank " << rank << ": " << e.what() << "\n";
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return ok ? 0 : 1;
}
