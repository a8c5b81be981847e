#include "named_rows.hpp"

#include <algorithm>
#include <tuple>

#include "paracel/load.hpp"
#include "paracel/ring.hpp"

namespace paracel::alg {

namespace {

struct entries {
  std::vector<std::string> rows, cols;
  std::vector<double> values;
};

entries read_triples(paralg& alg, const std::string& pattern, bool transpose) {
  entries out;
  if (pattern.empty()) return out;
  alg.paracel_load_handle(pattern, [&](std::string_view line, const line_location& where) {
    const auto fields = split_fields(line);
    if (fields.empty()) return;
    if (fields.size() != 2 && fields.size() != 3)
      throw_parse_error(where, line, "expected \"row col [value]\"");
    out.rows.emplace_back(fields[transpose ? 1 : 0]);
    out.cols.emplace_back(fields[transpose ? 0 : 1]);
    out.values.push_back(fields.size() == 3 ? parse_number(fields[2], where, line) : 1.0);
  });
  return out;
}

// Every entry to the worker that owns its row.
entries route(const comm& workers, const entries& in) {
  const auto n = static_cast<std::size_t>(workers.size());
  std::vector<std::vector<std::string>> rows(n), cols(n);
  std::vector<std::vector<double>> values(n);
  for (std::size_t i = 0; i < in.rows.size(); ++i) {
    const auto to = stable_hash(in.rows[i], 0x5171) % n;
    rows[to].push_back(in.rows[i]);
    cols[to].push_back(in.cols[i]);
    values[to].push_back(in.values[i]);
  }
  entries mine;
  auto append = [](auto& into, auto&& parts) {
    for (auto& part : parts) into.insert(into.end(), part.begin(), part.end());
  };
  append(mine.rows, workers.alltoall(rows));
  append(mine.cols, workers.alltoall(cols));
  append(mine.values, workers.alltoall(values));
  return mine;
}

// Entries grouped into rows (a repeated (row, col) adds up), columns renamed to ids.
named_rows group(const entries& in, const id_map& columns) {
  std::vector<std::tuple<std::string, std::uint64_t, double>> sorted;
  for (std::size_t i = 0; i < in.rows.size(); ++i)
    sorted.emplace_back(in.rows[i], columns.ids.at(in.cols[i]), in.values[i]);
  std::sort(sorted.begin(), sorted.end());
  named_rows out;
  for (const auto& [row, col, value] : sorted) {
    if (out.names.empty() || out.names.back() != row) {
      out.names.push_back(row);
      out.offsets.push_back(out.offsets.back());
    } else if (out.cols.back() == col) {
      out.values.back() += value;
      continue;
    }
    out.cols.push_back(col);
    out.values.push_back(value);
    ++out.offsets.back();
  }
  return out;
}

named_rows read_dense(paralg& alg, const std::string& pattern, std::uint64_t& width) {
  named_rows out;
  if (pattern.empty()) return out;
  alg.paracel_load_handle(pattern, [&](std::string_view line, const line_location& where) {
    const auto fields = split_fields(line);
    if (fields.empty()) return;
    if (fields.size() < 2) throw_parse_error(where, line, "expected \"name v1 v2 ...\"");
    if (width == 0) width = fields.size() - 1;
    if (fields.size() - 1 != width) {
      throw_parse_error(where, line,
                        "has " + std::to_string(fields.size() - 1) + " values, other rows " +
                            std::to_string(width));
    }
    out.names.emplace_back(fields[0]);
    for (std::size_t f = 1; f < fields.size(); ++f) {
      const double v = parse_number(fields[f], where, line);
      if (v == 0) continue;
      out.cols.push_back(f - 1);
      out.values.push_back(v);
    }
    out.offsets.push_back(out.cols.size());
  });
  return out;
}

// LIBSVM rows (paracel/libsvm.hpp's loader), the labels dropped; named afterwards.
named_rows read_libsvm(paralg& alg, const std::string& pattern, std::uint64_t& width) {
  named_rows out;
  if (pattern.empty()) return out;
  const libsvm_data data = alg.paracel_load_libsvm(pattern);
  width = std::max(width, data.dimension);
  for (Eigen::Index r = 0; r < data.features.outerSize(); ++r) {
    for (decltype(data.features)::InnerIterator it(data.features, r); it; ++it) {
      if (it.value() == 0) continue;
      out.cols.push_back(static_cast<std::uint64_t>(it.col()));
      out.values.push_back(it.value());
    }
    out.names.emplace_back();
    out.offsets.push_back(out.cols.size());
  }
  return out;
}

// Names rows "0", "1", ... in input order: shares are consecutive byte ranges in rank order.
void name_by_position(const comm& workers, named_rows& rows) {
  const auto counts = workers.allgather(static_cast<std::uint64_t>(rows.size()));
  std::uint64_t first = 0;
  for (int r = 0; r < workers.rank(); ++r) first += counts[static_cast<std::size_t>(r)];
  for (std::size_t i = 0; i < rows.size(); ++i) rows.names[i] = std::to_string(first + i);
}

}  // namespace

loaded_rows load_named_rows(paralg& alg, const std::vector<std::string>& patterns,
                            const std::string& format, bool transpose) {
  const comm& workers = alg.get_comm();
  loaded_rows out;
  if (format == "libsvm") {
    std::uint64_t width = 0;
    for (const auto& pattern : patterns) {
      out.sets.push_back(read_libsvm(alg, pattern, width));
      name_by_position(workers, out.sets.back());
    }
    out.columns = workers.allreduce(width, reduce_op::max);
    return out;
  }
  if (format == "dense") {
    std::uint64_t most = 0, least = ~std::uint64_t{0};
    for (const auto& pattern : patterns) {
      std::uint64_t width = 0;
      out.sets.push_back(read_dense(alg, pattern, width));
      if (width == 0) continue;
      most = std::max(most, width);
      least = std::min(least, width);
    }
    most = workers.allreduce(most, reduce_op::max);
    least = workers.allreduce(least, reduce_op::min);
    if (most != 0 && most != least) {
      throw error("dense rows differ in width (" + std::to_string(least) + " and " +
                  std::to_string(most) + " values) across the inputs");
    }
    out.columns = most;
    return out;
  }
  std::vector<entries> mine;
  std::vector<std::string> names;
  for (const auto& pattern : patterns) {
    mine.push_back(route(workers, read_triples(alg, pattern, transpose)));
    names.insert(names.end(), mine.back().cols.begin(), mine.back().cols.end());
  }
  out.column_ids = assign_dense_ids(workers, names);
  out.columns = out.column_ids.count;
  for (const auto& set : mine) out.sets.push_back(group(set, out.column_ids));
  return out;
}

}  // namespace paracel::alg
