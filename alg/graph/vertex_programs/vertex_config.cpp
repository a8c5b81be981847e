#include "vertex_config.hpp"

namespace paracel::alg {

vertex_config vertex_config::from(const config& cfg) {
  vertex_config c;
  c.program = cfg.get<std::string>("program");
  c.input = cfg.get<std::string>("input");
  c.output = cfg.get<std::string>("output");
  c.vertices = cfg.get<std::string>("vertices", c.vertices);
  if (c.program == "sssp") {
    c.source = cfg.get<std::string>("source");
    c.undirected = cfg.get<bool>("undirected", c.undirected);
  }
  c.max_supersteps = cfg.get<int>("max_supersteps", c.max_supersteps);
  cfg.check_no_unknown();
  cfg.require(
      c.program == "components" || c.program == "max_value" || c.program == "sssp",
      "program must be \"components\", \"max_value\" or \"sssp\", not \"" + c.program + "\"");
  cfg.require(c.max_supersteps > 0, "max_supersteps must be > 0");
  return c;
}

}  // namespace paracel::alg
