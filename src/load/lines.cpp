#include <glob.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "load/mapped_file.hpp"
#include "paracel/error.hpp"
#include "paracel/load.hpp"

namespace paracel {

namespace fs = std::filesystem;

std::vector<std::string> expand_inputs(const std::string& pattern) {
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(pattern, ec)) {
    for (auto it = fs::recursive_directory_iterator(pattern, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_regular_file(ec)) files.push_back(it->path().string());
    }
    if (ec) throw error("cannot list input directory " + pattern + ": " + ec.message());
  } else if (fs::is_regular_file(pattern, ec)) {
    files.push_back(pattern);
  } else {
    glob_t matches{};
    const int rc = ::glob(pattern.c_str(), 0, nullptr, &matches);
    if (rc == 0) {
      for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
        if (fs::is_regular_file(matches.gl_pathv[i], ec)) files.emplace_back(matches.gl_pathv[i]);
      }
    }
    ::globfree(&matches);
  }
  if (files.empty()) {
    throw error("input '" + pattern +
                "' names no file (not a file, a directory with files, or "
                "a glob that matches any)");
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::uint64_t line_location::line_number() const {
  if (file == nullptr) return 0;
  load::mapped_file mapped(*file);
  const std::string_view bytes = mapped.bytes().substr(0, offset);
  return 1 + static_cast<std::uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
}

std::string line_location::describe() const {
  if (file == nullptr) return "<input>";
  return *file + ":" + std::to_string(line_number());
}

void throw_parse_error(const line_location& where, std::string_view line,
                       const std::string& message) {
  constexpr std::size_t k_shown = 80;
  std::string shown(line.substr(0, k_shown));
  if (line.size() > k_shown) shown += "...";
  throw error(where.describe() + ": " + message + " (line: \"" + shown + "\")");
}

namespace {

// Visits the lines of `bytes` that start in [begin, end).
void visit_range(const std::string& path, std::string_view bytes, std::uint64_t begin,
                 std::uint64_t end, const line_visitor& visit) {
  std::uint64_t start = begin;
  // A line starting before `begin` belongs to the previous worker: skip to the next start.
  if (start > 0 && bytes[start - 1] != '\n') {
    const void* nl = std::memchr(bytes.data() + start, '\n', bytes.size() - start);
    if (nl == nullptr) return;
    start = static_cast<const char*>(nl) - bytes.data() + 1;
  }
  while (start < end && start < bytes.size()) {
    const void* nl = std::memchr(bytes.data() + start, '\n', bytes.size() - start);
    const std::uint64_t stop =
        nl ? static_cast<std::uint64_t>(static_cast<const char*>(nl) - bytes.data()) : bytes.size();
    visit(bytes.substr(start, stop - start), line_location{&path, start});
    start = stop + 1;
  }
}

}  // namespace

void for_each_line(const std::vector<std::string>& files, int rank, int ranks,
                   const line_visitor& visit) {
  if (ranks <= 0 || rank < 0 || rank >= ranks) {
    throw error("for_each_line: rank " + std::to_string(rank) + " is not in [0, " +
                std::to_string(ranks) + ")");
  }
  std::vector<std::uint64_t> sizes;
  std::uint64_t total = 0;
  for (const auto& f : files) {
    std::error_code ec;
    const auto size = fs::file_size(f, ec);
    if (ec) throw error("cannot read input " + f + ": " + ec.message());
    sizes.push_back(size);
    total += size;
  }
  // Worker r owns global bytes [r*T/W, (r+1)*T/W): the lines that start there.
  const auto share = [&](int r) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(total) * r) / ranks);
  };
  const std::uint64_t begin = share(rank);
  const std::uint64_t end = share(rank + 1);
  std::uint64_t file_start = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::uint64_t file_end = file_start + sizes[i];
    if (file_end > begin && file_start < end && sizes[i] > 0) {
      load::mapped_file mapped(files[i]);
      const std::uint64_t local_begin = begin > file_start ? begin - file_start : 0;
      const std::uint64_t local_end = std::min(end, file_end) - file_start;
      visit_range(files[i], mapped.bytes().substr(0, sizes[i]), local_begin, local_end, visit);
    }
    file_start = file_end;
  }
}

void for_each_line(const std::vector<std::string>& files, const line_visitor& visit) {
  for_each_line(files, 0, 1, visit);
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  auto is_sep = [](char c) { return c == ' ' || c == '\t' || c == ',' || c == '\r'; };
  while (i < line.size()) {
    while (i < line.size() && is_sep(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_sep(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

double parse_number(std::string_view text, const line_location& where, std::string_view line) {
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() ||
      !std::isfinite(value)) {
    throw_parse_error(where, line, "'" + std::string(text) + "' is not a number");
  }
  return value;
}

}  // namespace paracel
