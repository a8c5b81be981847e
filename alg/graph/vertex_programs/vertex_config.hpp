// The configuration of the vertex programs (see README.md for every key).
#pragma once

#include <string>

#include "paracel/config.hpp"

namespace paracel::alg {

struct vertex_config {
  std::string program;   // "components", "max_value" or "sssp"
  std::string input;     // "from to [weight]" lines
  std::string vertices;  // optional: more vertices (first field of each line)
  std::string output;
  std::string source;       // sssp: the source vertex's name
  bool undirected = false;  // sssp: edges go both ways (components always do)
  int max_supersteps = 10000;

  static vertex_config from(const config& cfg);
};

}  // namespace paracel::alg
