#include "paracel/libsvm.hpp"

#include <charconv>
#include <cmath>

#include "paracel/error.hpp"
#include "paracel/load.hpp"

namespace paracel {

namespace {

template <class N>
bool parse_whole(std::string_view text, N& out) {
  const auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

// This worker's rows: labels, (row, col, value) triplets and the largest index seen.
void parse_lines(const std::vector<std::string>& files, const comm& workers, libsvm_data& data,
                 std::vector<Eigen::Triplet<double>>& triplets, std::uint64_t& width) {
  for_each_line(
      files, workers.rank(), workers.size(),
      [&](std::string_view line, const line_location& where) {
        std::size_t i = 0;
        auto next_token = [&]() {
          while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
          const std::size_t start = i;
          while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
          return line.substr(start, i - start);
        };
        const std::string_view label_text = next_token();
        if (label_text.empty()) return;  // blank line
        double label = 0;
        if (!parse_whole(label_text.starts_with('+') ? label_text.substr(1) : label_text, label)) {
          throw_parse_error(where, line, "label '" + std::string(label_text) + "' is not a number");
        }
        const auto row = static_cast<int>(data.labels.size());
        std::uint64_t previous = 0;
        for (auto token = next_token(); !token.empty(); token = next_token()) {
          const auto colon = token.find(':');
          std::uint64_t index = 0;
          double value = 0;
          if (colon == std::string_view::npos || !parse_whole(token.substr(0, colon), index) ||
              !parse_whole(token.substr(colon + 1), value) || !std::isfinite(value)) {
            throw_parse_error(where, line, "'" + std::string(token) + "' is not index:value");
          }
          if (index == 0 || index <= previous) {
            throw_parse_error(where, line,
                              "indices must be 1-based and increasing (" + std::to_string(index) +
                                  " after " + std::to_string(previous) + ")");
          }
          previous = index;
          triplets.emplace_back(row, static_cast<int>(index - 1), value);
        }
        width = std::max(width, previous);
        data.labels.push_back(label);
      });
}

}  // namespace

libsvm_data load_libsvm(const comm& workers, const std::vector<std::string>& files) {
  std::vector<Eigen::Triplet<double>> triplets;
  libsvm_data data;
  std::uint64_t width = 0;
  workers.all_or_none([&] { parse_lines(files, workers, data, triplets, width); });
  data.dimension = workers.allreduce(width, reduce_op::max);
  data.features.resize(static_cast<Eigen::Index>(data.labels.size()),
                       static_cast<Eigen::Index>(data.dimension));
  data.features.setFromTriplets(triplets.begin(), triplets.end());
  return data;
}

}  // namespace paracel
