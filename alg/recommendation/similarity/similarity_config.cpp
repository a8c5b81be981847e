#include "similarity_config.hpp"

namespace paracel::alg {

similarity_config similarity_config::from(const config& cfg) {
  similarity_config c;
  c.input = cfg.get<std::string>("input");
  c.against = cfg.get<std::string>("against", c.against);
  c.output = cfg.get<std::string>("output");
  c.format = cfg.get<std::string>("format", c.format);
  c.transpose = cfg.get<bool>("transpose", c.transpose);
  c.measure = cfg.get<std::string>("measure", c.measure);
  c.top_k = cfg.get<int>("top_k", c.top_k);
  c.threshold = cfg.get<double>("threshold", c.threshold);
  c.min_count = cfg.get<int>("min_count", c.min_count);
  c.block_rows = cfg.get<int>("block_rows", c.block_rows);
  cfg.check_no_unknown();
  cfg.require(c.format == "triples" || c.format == "dense" || c.format == "libsvm",
              "format must be \"triples\", \"dense\" or \"libsvm\", not \"" + c.format + "\"");
  cfg.require(c.measure == "cosine" || c.measure == "jaccard",
              "measure must be \"cosine\" or \"jaccard\", not \"" + c.measure + "\"");
  cfg.require(c.measure != "jaccard" || c.format != "dense",
              "jaccard compares sets: not dense rows (use triples or libsvm)");
  cfg.require(!c.transpose || c.format == "triples", "transpose applies to triples only");
  cfg.require(c.top_k > 0, "top_k must be > 0");
  cfg.require(c.min_count > 0, "min_count must be > 0");
  cfg.require(c.block_rows > 0, "block_rows must be > 0");
  return c;
}

}  // namespace paracel::alg
