#include "row_sets.hpp"

#include <cmath>

namespace paracel::alg {

namespace {

// Drops rows with fewer than min_count entries (cosine: or a zero norm) and scales the rest.
named_rows prepare(const named_rows& in, const similarity_config& cfg) {
  named_rows out;
  for (std::size_t r = 0; r < in.size(); ++r) {
    const auto first = static_cast<std::ptrdiff_t>(in.offsets[r]);
    const auto last = static_cast<std::ptrdiff_t>(in.offsets[r + 1]);
    double norm = 0;
    std::uint64_t nonzero = 0;
    for (auto at = first; at < last; ++at) {
      norm += in.values[static_cast<std::size_t>(at)] * in.values[static_cast<std::size_t>(at)];
      nonzero += in.values[static_cast<std::size_t>(at)] != 0;
    }
    norm = std::sqrt(norm);
    if (nonzero < static_cast<std::uint64_t>(cfg.min_count) || norm == 0) continue;
    out.names.push_back(in.names[r]);
    for (auto at = first; at < last; ++at) {
      const double v = in.values[static_cast<std::size_t>(at)];
      if (v == 0) continue;
      out.cols.push_back(in.cols[static_cast<std::size_t>(at)]);
      out.values.push_back(cfg.measure == "jaccard" ? 1.0 : v / norm);
    }
    out.offsets.push_back(out.cols.size());
  }
  return out;
}

}  // namespace

row_sets load_row_sets(paralg& alg, const similarity_config& cfg) {
  row_sets sets;
  sets.same = cfg.against.empty();
  loaded_rows loaded = load_named_rows(alg, {cfg.input, cfg.against}, cfg.format, cfg.transpose);
  sets.columns = loaded.columns;
  sets.queries = prepare(loaded.sets[0], cfg);
  sets.candidates = sets.same ? sets.queries : prepare(loaded.sets[1], cfg);
  return sets;
}

}  // namespace paracel::alg
