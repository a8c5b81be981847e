// Input splitting for workers: many files form one byte range that is split evenly across
// workers at line boundaries, so every line is read by exactly one worker, for any number of
// workers and files (blank lines, a last line without newline, empty files and files smaller
// than the number of workers included).
//
// An input pattern is a file, a directory (all regular files below it, recursively) or a
// glob; the files are taken in sorted order. Files are memory-mapped, read-only.
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "paracel/export.hpp"

namespace paracel {

// The files an input pattern names, sorted; throws paracel::error if it names none.
PARACEL_EXPORT std::vector<std::string> expand_inputs(const std::string& pattern);

// Where a line came from, for error messages.
struct line_location {
  const std::string* file = nullptr;
  std::uint64_t offset = 0;  // byte offset of the line in the file
  // 1-based line number (counts the newlines before `offset`: only call it on errors).
  std::uint64_t line_number() const;
  std::string describe() const;  // "path:line"
};

using line_visitor = std::function<void(std::string_view line, const line_location& where)>;

// Visits, in file order, the lines of worker `rank` of `ranks` (its share of the bytes).
PARACEL_EXPORT void for_each_line(const std::vector<std::string>& files, int rank, int ranks,
                                  const line_visitor& visit);
// Visits every line of every file.
PARACEL_EXPORT void for_each_line(const std::vector<std::string>& files, const line_visitor& visit);

// Throws paracel::error "path:line: message" (plus the line itself, shortened).
[[noreturn]] PARACEL_EXPORT void throw_parse_error(const line_location& where,
                                                   std::string_view line,
                                                   const std::string& message);

// The fields of a line, separated by spaces, tabs, commas or '\r' (empty fields skipped).
PARACEL_EXPORT std::vector<std::string_view> split_fields(std::string_view line);
// `text` as a finite number; otherwise a parse error naming the line.
PARACEL_EXPORT double parse_number(std::string_view text, const line_location& where,
                                   std::string_view line);

}  // namespace paracel
