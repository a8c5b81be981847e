// ps_demo: a small word count through real parameter servers.
//
//   ps_demo --servers tcp://127.0.0.1:5000,tcp://127.0.0.1:5001 --threads 4 FILE...
//
// Each thread reads every `threads`-th line, counts words locally (so it sends one update
// per distinct word, not per occurrence), and pushes the counts with bupdate_multi and the
// built-in int64 add. Then the top words come back from the servers' top-k, and the demo
// checks them against a serial count. Exit status 0 only if the two agree.
#include <gflags/gflags.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "paracel/ps_client.hpp"

DEFINE_string(servers, "", "comma-separated server endpoints");
DEFINE_uint32(threads, 4, "client threads, each with its own connections");
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

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage("ps_demo --servers E1,E2 [--threads N] FILE...");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  const auto endpoints = split(FLAGS_servers, ',');
  if (endpoints.empty() || argc < 2 || FLAGS_threads == 0) {
    std::cerr << "usage: ps_demo --servers E1,E2 [--threads N] FILE...\n";
    return 2;
  }
  std::vector<std::string> lines;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i]);
    if (!in) {
      std::cerr << "ps_demo: cannot read " << argv[i] << "\n";
      return 2;
    }
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  try {
    std::vector<std::thread> workers;
    std::vector<std::exception_ptr> failures(FLAGS_threads);
    for (std::uint32_t t = 0; t < FLAGS_threads; ++t) {
      workers.emplace_back([&, t] {
        try {
          paracel::ps_client ps(endpoints);
          counts local;
          for (std::size_t i = t; i < lines.size(); i += FLAGS_threads)
            count_words(lines[i], local);
          std::vector<std::string> keys;
          std::vector<std::int64_t> deltas;
          for (auto& [word, n] : local) {
            keys.push_back(word);
            deltas.push_back(n);
          }
          ps.bupdate_multi(keys, deltas, paracel::builtin::add);
        } catch (...) {
          failures[t] = std::current_exception();
        }
      });
    }
    for (auto& w : workers) w.join();
    for (auto& f : failures) {
      if (f) std::rethrow_exception(f);
    }

    paracel::ps_client ps(endpoints);
    const auto top = ps.top_k<std::int64_t>(FLAGS_top);
    counts serial;
    for (const auto& line : lines) count_words(line, serial);
    std::vector<std::pair<std::int64_t, std::string>> ranked;
    for (auto& [w, n] : serial) ranked.emplace_back(-n, w);
    std::sort(ranked.begin(), ranked.end());

    bool agree = top.size() == std::min<std::size_t>(FLAGS_top, ranked.size());
    std::cout << "top " << top.size() << " of " << serial.size() << " distinct words in "
              << lines.size() << " lines (" << endpoints.size() << " servers, " << FLAGS_threads
              << " client threads):\n";
    for (std::size_t i = 0; i < top.size(); ++i) {
      const bool same = top[i].first == ranked[i].second && top[i].second == -ranked[i].first;
      agree = agree && same;
      std::cout << "  " << top[i].first.substr(5) << " " << top[i].second
                << (same ? "" : "  (serial count differs!)") << "\n";
    }
    std::uint64_t keys = 0;
    for (const auto& s : ps.stats()) keys += s.keys;
    std::cout << "servers hold " << keys << " keys; serial count has " << serial.size() << "\n";
    agree = agree && keys == serial.size();
    std::cout << (agree ? "OK: parameter-server counts equal the serial count\n"
                        : "MISMATCH between parameter-server and serial counts\n");
    return agree ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "ps_demo: " << e.what() << "\n";
    return 1;
  }
}
