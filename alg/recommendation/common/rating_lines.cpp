#include "rating_lines.hpp"

#include "paracel/load.hpp"

namespace paracel::alg {

std::vector<named_rating> read_rating_lines(paralg& alg, const std::string& pattern) {
  std::vector<named_rating> out;
  if (pattern.empty()) return out;
  alg.paracel_load_handle(pattern, [&](std::string_view line, const line_location& where) {
    const auto fields = split_fields(line);
    if (fields.empty()) return;  // blank line
    if (fields.size() != 3) throw_parse_error(where, line, "expected \"user item rating\"");
    const double value = parse_number(fields[2], where, line);
    out.push_back({std::string(fields[0]), std::string(fields[1]), value});
  });
  return out;
}

}  // namespace paracel::alg
