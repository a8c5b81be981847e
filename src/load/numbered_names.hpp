// The structured loader's fast path for inputs whose names are all decimal integers (graph
// edge lists such as "17 4", SNAP and igraph files): entries travel as numbers, and dense ids
// come from sorting integers rather than strings. Ids are in numeric order of the names, so
// names that are already 0..N-1 keep their value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "paracel/comm.hpp"
#include "paracel/structured_load.hpp"

namespace paracel::detail {

using named_entry = std::tuple<std::string, std::string, double>;
using numbered_entry = std::tuple<std::uint64_t, std::uint64_t, double>;

// The value of `name` when it is a canonical decimal integer ("0", "42"; no sign, no leading
// zero, below 2^64), so that distinct names have distinct values and back.
std::optional<std::uint64_t> decimal_name(std::string_view name);

// The decimal text of a numbered name.
std::string decimal_text(std::uint64_t value);

// Collects parsed entries as numbers while every name is a decimal integer, as names from
// the first one that is not.
class entry_sink {
 public:
  explicit entry_sink(bool numbers_allowed) : numbered_mode_(numbers_allowed) {}
  void add(std::string_view row, std::string_view col, double value);
  bool numbered() const { return numbered_mode_; }
  // Converts what was collected as numbers to names (another worker's input has names).
  void to_named();
  std::vector<numbered_entry>& numbered_entries() { return numbered_; }
  std::vector<named_entry>& named_entries() { return named_; }

 private:
  bool numbered_mode_;
  std::vector<numbered_entry> numbered_;
  std::vector<named_entry> named_;
};

// Dense ids of the integer names this worker saw. Collective: every worker passes the names
// it needs; ids cover [0, count) in the names' numeric order.
class numbered_ids {
 public:
  numbered_ids(const comm& workers, std::vector<std::uint64_t> names);
  std::uint64_t count() const { return count_; }
  std::uint64_t id_of(std::uint64_t name) const;  // a name passed to the constructor
  // The string dictionary of the public interface (loaded_block::rows / cols).
  id_map to_id_map() const;

 private:
  std::vector<std::uint64_t> names_;  // sorted, distinct
  std::vector<std::uint64_t> ids_;    // ids_[i] is the id of names_[i]
  std::vector<std::uint64_t> table_;  // id by name, when the names are dense enough
  std::uint64_t count_ = 0;
};

}  // namespace paracel::detail
