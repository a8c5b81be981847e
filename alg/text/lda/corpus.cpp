#include "corpus.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <unordered_map>
#include <unordered_set>
#include <utility>

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

// Triples format: this worker's documents as (word, count) lists, in file order, with the
// document split at a share boundary moved whole to the lowest worker holding part of it.
using bag = std::vector<std::pair<std::string, std::int64_t>>;

std::vector<bag> load_triples(paralg& alg, const lda_config& cfg) {
  std::vector<std::string> ids;
  std::vector<bag> docs;
  std::unordered_set<std::string> seen;
  alg.paracel_load_handle(cfg.input, [&](std::string_view line, const line_location& where) {
    std::vector<std::string> fields;
    lda_streams::tokenize(line, false, [&](std::string_view f) { fields.emplace_back(f); });
    if (fields.empty()) return;
    if (fields.size() != 3) throw_parse_error(where, line, "expected \"document word count\"");
    char* end = nullptr;
    const long long count = std::strtoll(fields[2].c_str(), &end, 10);
    // A count is expanded to that many tokens: bounded so that a typo cannot exhaust memory.
    if (*end != '\0' || count <= 0 || count > 1000000000)
      throw_parse_error(where, line, "the count must be an integer in [1, 10^9]");
    if (ids.empty() || ids.back() != fields[0]) {
      if (!seen.insert(fields[0]).second) {
        throw_parse_error(
            where, line, "document " + fields[0] + " appears again (its lines must be contiguous)");
      }
      ids.push_back(fields[0]);
      docs.emplace_back();
    }
    docs.back().emplace_back(std::move(fields[1]), count);
  });
  // Every worker's document ids: a document may continue from one share into the next
  // (then it belongs to the lowest worker holding part of it), never appear twice.
  const comm& workers = alg.get_comm();
  const auto shares = workers.allgather(ids);
  std::unordered_set<std::string> all;
  const std::string* last = nullptr;
  for (const auto& share : shares) {
    for (std::size_t i = 0; i < share.size(); ++i) {
      if (i == 0 && last && *last == share[0]) continue;
      if (!all.insert(share[i]).second) {
        throw error("document " + share[i] + " appears twice in " + cfg.input +
                    " (the lines of a document must be contiguous)");
      }
    }
    if (!share.empty()) last = &share.back();
  }
  const auto owner = [&](int r) {
    int at = r;
    for (int q = r - 1; q >= 0; --q) {
      const auto& s = shares[static_cast<std::size_t>(q)];
      if (s.empty()) continue;
      if (s.back() != shares[static_cast<std::size_t>(r)].front()) break;
      at = q;
      if (s.size() != 1) break;  // q began with another document
    }
    return at;
  };
  const int me = alg.get_worker_id();
  send_request sent;
  if (!ids.empty() && owner(me) != me) {
    sent = workers.isend(docs.front(), owner(me), 17);
    docs.erase(docs.begin());
  }
  for (int r = me + 1; r < alg.get_worker_size(); ++r) {
    if (!shares[static_cast<std::size_t>(r)].empty() && owner(r) == me) {
      for (auto& entry : workers.recv<bag>(r, 17)) docs.back().push_back(std::move(entry));
    }
  }
  return docs;
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
  const auto add = [&](std::string word, std::int64_t count) {
    if (stop.count(word)) return;
    auto [it, added] = local_ids.try_emplace(word, static_cast<std::int32_t>(local_words.size()));
    if (added) local_words.push_back(std::move(word));
    c.words.insert(c.words.end(), static_cast<std::size_t>(count), it->second);
  };
  if (cfg.format == "triples") {
    for (auto& doc : load_triples(alg, cfg)) {
      for (auto& [word, count] : doc) add(std::move(word), count);
      c.starts.push_back(static_cast<std::int64_t>(c.words.size()));
    }
  } else {
    alg.paracel_load_handle(cfg.input, [&](std::string_view line, const line_location&) {
      lda_streams::tokenize(line, words,
                            [&](std::string_view token) { add(std::string(token), 1); });
      c.starts.push_back(static_cast<std::int64_t>(c.words.size()));
    });
  }

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
