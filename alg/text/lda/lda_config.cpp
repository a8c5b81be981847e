#include "lda_config.hpp"

namespace paracel::alg {

lda_config lda_config::from(const config& cfg) {
  lda_config c;
  c.input = cfg.get<std::string>("input");
  c.output = cfg.get<std::string>("output");
  c.format = cfg.get<std::string>("format", c.format);
  c.tokenize = cfg.get<std::string>("tokenize", c.tokenize);
  c.stop_words = cfg.get<std::string>("stop_words", c.stop_words);
  c.initial_assignment = cfg.get<std::string>("initial_assignment", c.initial_assignment);
  c.topics = cfg.get<int>("topics", c.topics);
  c.alpha = cfg.get<double>("alpha", c.alpha);
  c.beta = cfg.get<double>("beta", c.beta);
  c.sweeps = cfg.get<int>("sweeps", c.sweeps);
  c.sampler = cfg.get<std::string>("sampler", c.sampler);
  c.mh_steps = cfg.get<int>("mh_steps", c.mh_steps);
  c.block_words = cfg.get<int>("block_words", c.block_words);
  c.top_words = cfg.get<int>("top_words", c.top_words);
  c.seed = cfg.get<std::int64_t>("seed", c.seed);
  c.clocks_per_sweep = cfg.get<int>("clocks_per_sweep", c.clocks_per_sweep);
  c.staleness = cfg.get<int>("staleness", c.staleness);
  cfg.check_no_unknown();
  cfg.require(c.format == "lines" || c.format == "triples",
              "format must be \"lines\" or \"triples\", not \"" + c.format + "\"");
  cfg.require(c.tokenize == "whitespace" || c.tokenize == "words",
              "tokenize must be \"whitespace\" or \"words\", not \"" + c.tokenize + "\"");
  cfg.require(c.topics >= 2 && c.topics <= 100000, "topics must be in [2, 100000]");
  cfg.require(c.alpha > 0, "alpha must be > 0");
  cfg.require(c.beta > 0, "beta must be > 0");
  cfg.require(c.sweeps >= 0, "sweeps must be >= 0");
  cfg.require(c.sampler == "cgs" || c.sampler == "alias",
              "sampler must be \"cgs\" or \"alias\", not \"" + c.sampler + "\"");
  cfg.require(c.mh_steps > 0, "mh_steps must be > 0");
  cfg.require(c.block_words > 0, "block_words must be > 0");
  cfg.require(c.top_words > 0, "top_words must be > 0");
  cfg.require(c.clocks_per_sweep > 0, "clocks_per_sweep must be > 0");
  cfg.require(c.staleness >= 0, "staleness must be >= 0");
  return c;
}

}  // namespace paracel::alg
