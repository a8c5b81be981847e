// LDA's documents on one worker: its share of the lines (a document per line), as dense word
// ids that mean the same on every worker (the vocabulary is the sorted union of all workers'
// words, agreed on by one all-gather), so that no string is touched while sampling.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lda_config.hpp"
#include "paracel/paralg.hpp"

namespace paracel::alg {

struct corpus {
  std::vector<std::string> vocabulary;  // word id -> word, sorted; the same on every worker
  std::vector<std::int32_t> words;      // this worker's tokens, document after document
  std::vector<std::int64_t> starts;     // document d's tokens: [starts[d], starts[d + 1])
  std::int64_t first_document = 0;      // the global index (line) of this worker's first
  std::int64_t total_documents = 0, total_tokens = 0;

  std::int64_t documents() const { return static_cast<std::int64_t>(starts.size()) - 1; }
};

// Loads this worker's share of cfg.input, dropping cfg.stop_words. Collective.
corpus load_corpus(paralg& alg, const lda_config& cfg);

}  // namespace paracel::alg
