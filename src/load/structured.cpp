#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <optional>
#include <tuple>

#include "numbered_names.hpp"
#include "owner_numbering.hpp"
#include "paracel/error.hpp"
#include "paracel/load.hpp"
#include "paracel/ring.hpp"
#include "paracel/structured_load.hpp"

namespace paracel {

namespace {

// Seeds for the owner of a row/col in the shuffle, and of a name in the id dictionary.
constexpr std::uint64_t k_partition_seed = 0x9a7e1;
constexpr std::uint64_t k_dictionary_seed = 0xd1c7;

using detail::named_entry;
using detail::numbered_entry;

// Appends the entries of one line, with names still unresolved.
void parse_line(load_pattern pattern, std::string_view line, const line_location& where,
                detail::entry_sink& out) {
  const auto fields = split_fields(line);
  if (fields.empty()) return;  // blank lines carry no entry
  switch (pattern) {
    case load_pattern::fmap:
    case load_pattern::smap:
    case load_pattern::fsmap: {
      if (fields.size() < 2 || fields.size() > 3) {
        throw_parse_error(where, line, "expected 'row col [value]'");
      }
      const double value = fields.size() == 3 ? parse_number(fields[2], where, line) : 1.0;
      out.add(fields[0], fields[1], value);
      break;
    }
    case load_pattern::fset: {
      if (fields.size() < 2) throw_parse_error(where, line, "expected 'row col[:value] ...'");
      for (std::size_t i = 1; i < fields.size(); ++i) {
        const auto colon = fields[i].rfind(':');
        if (colon == std::string_view::npos) {
          out.add(fields[0], fields[i], 1.0);
        } else {
          out.add(fields[0], fields[i].substr(0, colon),
                  parse_number(fields[i].substr(colon + 1), where, line));
        }
      }
      break;
    }
    case load_pattern::fvec: {
      if (fields.size() < 2) throw_parse_error(where, line, "expected 'row v1 v2 ...'");
      for (std::size_t i = 1; i < fields.size(); ++i) {
        out.add(fields[0], std::to_string(i - 1), parse_number(fields[i], where, line));
      }
      break;
    }
  }
}

std::uint64_t partition_hash(const std::string& name) {
  return stable_hash(name, k_partition_seed);
}
// A numbered name goes where its decimal text would: the partition does not depend on
// whether some other line of the input made the loader take names as strings.
std::uint64_t partition_hash(std::uint64_t name) {
  return partition_hash(detail::decimal_text(name));
}

template <class Entry>
int owner_of(load_pattern pattern, const Entry& e, int workers, std::pair<int, int> grid) {
  const auto h = [](const auto& name) { return partition_hash(name); };
  switch (pattern) {
    case load_pattern::fmap:
    case load_pattern::fset:
      return static_cast<int>(h(std::get<0>(e)) % workers);
    case load_pattern::smap:
      return static_cast<int>(h(std::get<1>(e)) % workers);
    case load_pattern::fsmap:
      return static_cast<int>(h(std::get<0>(e)) % grid.first) * grid.second +
             static_cast<int>(h(std::get<1>(e)) % grid.second);
    case load_pattern::fvec:
      return -1;  // stays where it was read
  }
  return 0;
}

}  // namespace

load_pattern parse_load_pattern(std::string_view name) {
  if (name == "fmap") return load_pattern::fmap;
  if (name == "smap") return load_pattern::smap;
  if (name == "fsmap") return load_pattern::fsmap;
  if (name == "fset") return load_pattern::fset;
  if (name == "fvec") return load_pattern::fvec;
  throw error("unknown load pattern '" + std::string(name) +
              "'; use fmap, smap, fsmap, fset or fvec (linesplit: paracel_load)");
}

std::pair<int, int> fsmap_grid(int workers) {
  int rows = static_cast<int>(std::sqrt(static_cast<double>(workers)));
  while (rows > 1 && workers % rows != 0) --rows;
  return {rows, workers / rows};
}

id_map assign_dense_ids(const comm& workers, const std::vector<std::string>& names) {
  const int w = workers.size();
  // 1. Each distinct name goes to its owner in the dictionary.
  std::vector<std::vector<std::string>> asked(w);
  {
    std::vector<std::string> distinct(names);
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (auto& n : distinct) asked[stable_hash(n, k_dictionary_seed) % w].push_back(std::move(n));
  }
  // 2. Owners number their names in sorted order, after the names of lower ranks, and
  // answer in the order asked.
  const auto numbered = detail::number_by_owner(workers, asked);
  id_map out;
  out.count = numbered.total;
  for (int r = 0; r < w; ++r) {
    for (std::size_t i = 0; i < asked[r].size(); ++i) {
      out.ids.emplace(asked[r][i], numbered.ids[r][i]);
      out.names.emplace(numbered.ids[r][i], asked[r][i]);
    }
  }
  return out;
}

namespace {

// Sends each entry to the worker that owns it under `pattern` (fvec: none moves).
template <class Entry>
std::vector<Entry> shuffle(const comm& workers, std::vector<Entry>& parsed, load_pattern pattern,
                           std::pair<int, int> grid) {
  if (pattern == load_pattern::fvec) return std::move(parsed);
  std::vector<std::vector<Entry>> outgoing(static_cast<std::size_t>(workers.size()));
  for (auto& e : parsed) {
    outgoing[static_cast<std::size_t>(owner_of(pattern, e, workers.size(), grid))].push_back(
        std::move(e));
  }
  parsed = {};
  std::vector<Entry> mine;
  for (auto& part : workers.alltoall(outgoing)) {
    mine.insert(mine.end(), std::make_move_iterator(part.begin()),
                std::make_move_iterator(part.end()));
  }
  return mine;
}

void resolve_named(const comm& workers, const std::vector<named_entry>& mine,
                   const structured_options& options, loaded_block& block) {
  std::vector<std::string> row_names;
  std::vector<std::string> col_names;
  for (const auto& e : mine) {
    row_names.push_back(std::get<0>(e));
    (options.shared_ids ? row_names : col_names).push_back(std::get<1>(e));
  }
  block.rows = assign_dense_ids(workers, row_names);
  if (options.shared_ids) {
    block.cols = block.rows;
  } else if (options.pattern == load_pattern::fvec) {
    // Columns are positions: no dictionary, the width is the widest row anywhere.
    std::uint64_t width = 0;
    for (const auto& e : mine)
      width = std::max<std::uint64_t>(width, std::stoull(std::get<1>(e)) + 1);
    block.cols.count = workers.allreduce(width, reduce_op::max);
  } else {
    block.cols = assign_dense_ids(workers, col_names);
  }
  block.entries.reserve(mine.size());
  for (const auto& [row, col, value] : mine) {
    const std::uint64_t c = options.pattern == load_pattern::fvec && !options.shared_ids
                                ? std::stoull(col)
                                : block.cols.ids.at(col);
    block.entries.push_back({block.rows.ids.at(row), c, value});
  }
}

void resolve_numbered(const comm& workers, const std::vector<numbered_entry>& mine,
                      const structured_options& options, loaded_block& block) {
  std::vector<std::uint64_t> row_names;
  std::vector<std::uint64_t> col_names;
  row_names.reserve(options.shared_ids ? 2 * mine.size() : mine.size());
  col_names.reserve(options.shared_ids ? 0 : mine.size());
  for (const auto& e : mine) {
    row_names.push_back(std::get<0>(e));
    (options.shared_ids ? row_names : col_names).push_back(std::get<1>(e));
  }
  const detail::numbered_ids rows(workers, std::move(row_names));
  std::optional<detail::numbered_ids> own_cols;
  if (!options.shared_ids) own_cols.emplace(workers, std::move(col_names));
  const auto& cols = options.shared_ids ? rows : *own_cols;
  block.entries.reserve(mine.size());
  for (const auto& [row, col, value] : mine)
    block.entries.push_back({rows.id_of(row), cols.id_of(col), value});
  block.rows = rows.to_id_map();
  block.cols = options.shared_ids ? block.rows : cols.to_id_map();
}

}  // namespace

loaded_block load_structured(const comm& workers, const std::vector<std::string>& files,
                             const structured_options& options) {
  // fvec's columns are positions, not names: it always takes names as strings.
  detail::entry_sink parsed(options.pattern != load_pattern::fvec);
  workers.all_or_none([&] {
    for_each_line(files, workers.rank(), workers.size(),
                  [&](std::string_view line, const line_location& where) {
                    parse_line(options.pattern, line, where, parsed);
                  });
  });
  loaded_block block;
  const auto grid = fsmap_grid(workers.size());
  if (options.pattern == load_pattern::fsmap) std::tie(block.grid_rows, block.grid_cols) = grid;
  // Names are numbers only if they are numbers in every worker's share of the input.
  if (workers.allreduce(parsed.numbered() ? 1 : 0, reduce_op::min) == 1) {
    resolve_numbered(workers, shuffle(workers, parsed.numbered_entries(), options.pattern, grid),
                     options, block);
  } else {
    parsed.to_named();
    resolve_named(workers, shuffle(workers, parsed.named_entries(), options.pattern, grid), options,
                  block);
  }
  return block;
}

std::vector<std::pair<std::uint64_t, std::string>> names_of_owned_ids(
    const comm& workers, const id_map& ids, const std::function<int(std::uint64_t)>& owner) {
  std::vector<std::vector<std::pair<std::uint64_t, std::string>>> outgoing(
      static_cast<std::size_t>(workers.size()));
  for (const auto& [name, id] : ids.ids)
    outgoing.at(static_cast<std::size_t>(owner(id))).emplace_back(id, name);
  std::vector<std::pair<std::uint64_t, std::string>> mine;
  for (auto& from : workers.alltoall(outgoing)) mine.insert(mine.end(), from.begin(), from.end());
  std::sort(mine.begin(), mine.end());
  mine.erase(std::unique(mine.begin(), mine.end()), mine.end());
  return mine;
}

}  // namespace paracel
