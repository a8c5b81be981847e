// Serial word count, the test oracle of alg/text/word_count (no MPI, no parameter server).
//
//   word_count_serial [--top K] [--keep-case] FILE_OR_DIR...
//
// Prints "word<TAB>count" lines: the K most frequent words (count descending, then word
// ascending), or every word sorted by word without --top. A word is a maximal run of ASCII
// letters, digits and non-ASCII bytes; ASCII letters are lower-cased unless --keep-case.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

bool in_word(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void count_file(const fs::path& path, bool keep_case, std::map<std::string, std::int64_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "word_count_serial: cannot read " << path << "\n";
    std::exit(1);
  }
  std::string word;
  char ch;
  while (in.get(ch)) {
    const auto c = static_cast<unsigned char>(ch);
    if (in_word(c)) {
      word += (!keep_case && c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : ch;
    } else if (!word.empty()) {
      ++out[word];
      word.clear();
    }
  }
  if (!word.empty()) ++out[word];
}

}  // namespace

int main(int argc, char** argv) {
  long top = -1;
  bool keep_case = false;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--top" && i + 1 < argc) {
      top = std::atol(argv[++i]);
    } else if (arg == "--keep-case") {
      keep_case = true;
    } else if (fs::is_directory(arg)) {
      for (const auto& e : fs::recursive_directory_iterator(arg))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      files.emplace_back(arg);
    }
  }
  std::map<std::string, std::int64_t> counts;
  for (const auto& f : files) count_file(f, keep_case, counts);
  std::vector<std::pair<std::string, std::int64_t>> rows(counts.begin(), counts.end());
  if (top >= 0) {
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    rows.resize(std::min<std::size_t>(rows.size(), static_cast<std::size_t>(top)));
  }
  for (const auto& [w, n] : rows) std::cout << w << '\t' << n << '\n';
}
