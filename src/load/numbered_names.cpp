#include "numbered_names.hpp"

#include <algorithm>
#include <charconv>

#include "owner_numbering.hpp"

namespace paracel::detail {

std::optional<std::uint64_t> decimal_name(std::string_view name) {
  if (name.empty() || (name.size() > 1 && name[0] == '0')) return std::nullopt;
  std::uint64_t value = 0;
  const auto* end = name.data() + name.size();
  const auto [stop, problem] = std::from_chars(name.data(), end, value);
  if (problem != std::errc() || stop != end) return std::nullopt;  // a sign, a letter, overflow
  return value;
}

std::string decimal_text(std::uint64_t value) {
  char text[24];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

void entry_sink::add(std::string_view row, std::string_view col, double value) {
  if (numbered_mode_) {
    const auto r = decimal_name(row);
    const auto c = decimal_name(col);
    if (r && c) {
      numbered_.emplace_back(*r, *c, value);
      return;
    }
    to_named();
  }
  named_.emplace_back(std::string(row), std::string(col), value);
}

void entry_sink::to_named() {
  numbered_mode_ = false;
  named_.reserve(named_.size() + numbered_.size());
  for (const auto& [row, col, value] : numbered_)
    named_.emplace_back(decimal_text(row), decimal_text(col), value);
  numbered_ = {};
}

namespace {

// The distinct values of `names`, ascending. Names that are dense (most graphs number their
// vertices 0..N-1) are marked in a table instead of sorted: linear, not n log n.
std::vector<std::uint64_t> distinct_sorted(std::vector<std::uint64_t> names) {
  if (names.empty()) return names;
  const auto largest = *std::max_element(names.begin(), names.end());
  if (largest / 2 < names.size()) {
    std::vector<bool> seen(largest + 1, false);
    for (auto n : names) seen[n] = true;
    names.clear();
    for (std::uint64_t n = 0; n <= largest; ++n)
      if (seen[n]) names.push_back(n);
    return names;
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace

numbered_ids::numbered_ids(const comm& workers, std::vector<std::uint64_t> names)
    : names_(distinct_sorted(std::move(names))) {
  // 1. Names are split by value range, so that numbering the ranges in rank order numbers
  // the names in numeric order.
  const int w = workers.size();
  const std::uint64_t largest =
      workers.allreduce(names_.empty() ? std::uint64_t{0} : names_.back(), reduce_op::max);
  // Ranges of `width` names (with one worker, everything: + 1 would overflow at 2^64 - 1).
  const std::uint64_t width = w == 1 ? 0 : largest / static_cast<std::uint64_t>(w) + 1;
  std::vector<std::vector<std::uint64_t>> asked(w);
  for (auto n : names_) asked[w == 1 ? 0 : static_cast<std::size_t>(n / width)].push_back(n);
  // 2. Each range's owner numbers its names after those of the lower ranges; the answers
  // come in the order asked: ascending, as names_ is.
  const auto numbered = number_by_owner(workers, asked);
  count_ = numbered.total;
  for (const auto& part : numbered.ids) ids_.insert(ids_.end(), part.begin(), part.end());
  // A direct table when it costs at most a few words per name: most graphs number their
  // vertices densely, and a table lookup is one cache miss where a search is twenty.
  if (!names_.empty() && names_.back() < 4 * names_.size() + 4096) {
    table_.assign(names_.back() + 1, 0);
    for (std::size_t i = 0; i < names_.size(); ++i) table_[names_[i]] = ids_[i];
  }
}

std::uint64_t numbered_ids::id_of(std::uint64_t name) const {
  if (!table_.empty()) return table_[name];
  return ids_[static_cast<std::size_t>(std::lower_bound(names_.begin(), names_.end(), name) -
                                       names_.begin())];
}

id_map numbered_ids::to_id_map() const {
  id_map out;
  out.count = count_;
  out.ids.reserve(names_.size());
  out.names.reserve(names_.size());
  for (std::size_t i = 0; i < names_.size(); ++i) {
    auto text = decimal_text(names_[i]);
    out.names.emplace(ids_[i], text);
    out.ids.emplace(std::move(text), ids_[i]);
  }
  return out;
}

}  // namespace paracel::detail
