#include "corpus.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <unordered_map>
#include <unordered_set>

#include "lda_streams.hpp"

namespace paracel::alg {

namespace {

std::unordered_set<std::string> read_stop_words(const std::string& path) {
  std::unordered_set<std::string> out;
  if (path.empty()) return out;
  std::ifstream in(path);
  if (!in) throw error("cannot read the stop-word list " + path);
  for (std::string word; in >> word;) out.insert(word);
  return out;
}

}  // namespace

corpus load_corpus(paralg& alg, const lda_config& cfg) {
  const auto stop = read_stop_words(cfg.stop_words);
  const bool words = cfg.tokenize == "words";
  // Local ids first (in order of appearance), then the agreed global ones.
  std::unordered_map<std::string, std::int32_t> local_ids;
  std::vector<std::string> local_words;
  corpus c;
  c.starts.push_back(0);
  alg.paracel_load_handle(cfg.input, [&](std::string_view line, const line_location&) {
    lda_streams::tokenize(line, words, [&](std::string_view token) {
      std::string word(token);
      if (stop.count(word)) return;
      auto [it, added] = local_ids.try_emplace(word, static_cast<std::int32_t>(local_words.size()));
      if (added) local_words.push_back(std::move(word));
      c.words.push_back(it->second);
    });
    c.starts.push_back(static_cast<std::int64_t>(c.words.size()));
  });

  std::vector<std::string> sorted = local_words;
  std::sort(sorted.begin(), sorted.end());
  for (auto& part : alg.get_comm().allgather(sorted)) {
    std::vector<std::string> merged;
    std::set_union(c.vocabulary.begin(), c.vocabulary.end(), part.begin(), part.end(),
                   std::back_inserter(merged));
    c.vocabulary = std::move(merged);
  }
  if (c.vocabulary.size() > static_cast<std::size_t>(INT32_MAX)) {
    throw error("the vocabulary of " + cfg.input + " has more than 2^31 words");
  }
  std::vector<std::int32_t> global(local_words.size());
  for (std::size_t i = 0; i < local_words.size(); ++i) {
    global[i] = static_cast<std::int32_t>(
        std::lower_bound(c.vocabulary.begin(), c.vocabulary.end(), local_words[i]) -
        c.vocabulary.begin());
  }
  for (auto& w : c.words) w = global[static_cast<std::size_t>(w)];

  // Lines are split over the workers in order: worker r's documents follow worker r - 1's.
  const auto counts = alg.get_comm().allgather(c.documents());
  for (int r = 0; r < alg.get_worker_id(); ++r)
    c.first_document += counts[static_cast<std::size_t>(r)];
  for (auto n : counts) c.total_documents += n;
  c.total_tokens =
      alg.get_comm().allreduce(static_cast<std::int64_t>(c.words.size()), reduce_op::sum);
  return c;
}

}  // namespace paracel::alg
