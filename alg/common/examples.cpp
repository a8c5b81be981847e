#include "examples.hpp"

#include <vector>

#include "paracel/load.hpp"

namespace paracel::alg {

namespace {

using triplet = Eigen::Triplet<double>;

// "f1,f2,...,fn,label" lines, as the original Paracel's dense LR input.
void load_csv(paralg& alg, const std::string& input, std::vector<triplet>& entries,
              std::vector<double>& labels, std::int64_t& width) {
  alg.paracel_load_handle(input, [&](std::string_view line, const line_location& where) {
    if (line.empty()) return;
    std::vector<std::string_view> cells;
    for (std::size_t start = 0;;) {
      const std::size_t comma = line.find(',', start);
      cells.push_back(line.substr(start, comma - start));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (cells.size() < 2) throw_parse_error(where, line, "expected features and a label");
    const auto row = static_cast<int>(labels.size());
    for (std::size_t j = 0; j + 1 < cells.size(); ++j) {
      const double v = parse_number(cells[j], where, line);
      if (v != 0) entries.emplace_back(row, static_cast<int>(j), v);
    }
    labels.push_back(parse_number(cells.back(), where, line));
    width = std::max(width, static_cast<std::int64_t>(cells.size() - 1));
  });
}

}  // namespace

examples load_examples(paralg& alg, const std::string& input, const std::string& format, bool bias,
                       std::int64_t features, bool binary_labels) {
  std::vector<triplet> entries;
  std::vector<double> labels;
  std::int64_t width = 0;
  if (format == "libsvm") {
    auto data = alg.paracel_load_libsvm(input);
    for (int r = 0; r < data.features.outerSize(); ++r) {
      for (decltype(data.features)::InnerIterator it(data.features, r); it; ++it)
        entries.emplace_back(r, static_cast<int>(it.col()), it.value());
    }
    labels = std::move(data.labels);
    width = static_cast<std::int64_t>(data.dimension);
  } else {
    load_csv(alg, input, entries, labels, width);
    width = alg.get_comm().allreduce(width, reduce_op::max);
  }
  if (features > 0) width = features;
  const auto rows = static_cast<Eigen::Index>(labels.size());
  if (bias) {
    for (Eigen::Index r = 0; r < rows; ++r) entries.emplace_back(r, width, 1.0);
  }
  std::erase_if(entries, [&](const triplet& t) { return t.col() >= width + (bias ? 1 : 0); });
  examples out;
  out.x.resize(rows, width + (bias ? 1 : 0));
  out.x.setFromTriplets(entries.begin(), entries.end());
  out.y.resize(rows);
  for (Eigen::Index r = 0; r < rows; ++r) {
    const double label = labels[static_cast<std::size_t>(r)];
    out.y[r] = binary_labels ? (label > 0 ? 1 : -1) : label;
  }
  out.total_rows = alg.get_comm().allreduce(static_cast<std::int64_t>(rows), reduce_op::sum);
  return out;
}

}  // namespace paracel::alg
