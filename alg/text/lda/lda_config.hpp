// The configuration of LDA (alg/text/lda/README.md lists every key).
#pragma once

#include <cstdint>
#include <string>

#include "paracel/config.hpp"

namespace paracel::alg {

struct lda_config {
  std::string input;                    // one document per line, or triples
  std::string format = "lines";         // or "triples": "document word count" lines
  std::string output;                   // folder for topics, phi, theta, metrics
  std::string tokenize = "whitespace";  // or "words": lowercase runs of ASCII letters/digits
  std::string stop_words;               // optional file of words to drop (whitespace-separated)
  std::string initial_assignment;       // optional: the topics of every token, a line per document
  int topics = 10;                      // K
  double alpha = 0.1;                   // the document-topic Dirichlet prior
  double beta = 0.01;                   // the topic-word Dirichlet prior
  int sweeps = 50;                      // passes of the sampler over every token
  std::string sampler = "cgs";  // "cgs" (O(K) per token) or "alias" (Metropolis-Hastings, O(1))
  int mh_steps = 2;             // alias: proposals per token (each a doc and a word proposal)
  int block_words = 256;        // words per server key of word-topic counts
  int top_words = 10;           // words listed per topic
  std::int64_t seed = 1;        // the random streams (one per document and sweep)
  int clocks_per_sweep = 4;     // count exchanges per sweep (each over a share of the documents)
  int staleness = 0;            // SSP: how many clocks old the counts a worker samples from may be

  static lda_config from(const config& cfg);
};

}  // namespace paracel::alg
