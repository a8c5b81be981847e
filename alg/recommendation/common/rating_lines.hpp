// "user item rating" lines, the input of the recommendation algorithms (matrix
// factorisation, ALS): fields separated by spaces, tabs or commas; users and items are any
// names; blank lines are skipped.
#pragma once

#include <string>
#include <vector>

#include "paracel/paralg.hpp"

namespace paracel::alg {

struct named_rating {
  std::string user, item;
  double value = 0;
};

// This worker's share of the lines of `pattern` (none when it is empty). A malformed line is
// an error naming its file and line, raised on every worker. Collective.
std::vector<named_rating> read_rating_lines(paralg& alg, const std::string& pattern);

}  // namespace paracel::alg
