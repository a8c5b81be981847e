// Latent Dirichlet allocation by collapsed Gibbs sampling on a parameter server.
//
// Each worker holds its documents and their topic assignments z; the word-topic counts
// n_wk (in keys of block_words words) and the topic totals n_k live on the servers. A sweep
// is cut into clocks_per_sweep clocks; a clock reads the counts (under SSP at most
// `staleness` clocks old), samples its share of the local documents from them plus this
// worker's own changes, then adds its count deltas to the servers. Samplers (README.md):
//   cgs    p(k) ~ (n_dk + alpha)(n_wk + beta) / (n_k + V beta), O(K) per token;
//   alias  LightLDA's Metropolis-Hastings cycle of a document proposal (n_dk + alpha) and a
//          word proposal ((n_wk + beta) / (n_k + V beta) of the counts read at the sweep's
//          start, from an alias table over the word's nonzero topics plus one shared dense
//          table), O(1) per token whatever K.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "alias_table.hpp"
#include "corpus.hpp"
#include "lda_config.hpp"
#include "paracel/paralg.hpp"

namespace paracel::alg {

class lda : public paralg {
 public:
  lda(paralg_options options, lda_config cfg);
  void solve() override;
  // Checkpoints (docs/checkpoints.md): the counts are on the servers; a worker keeps its
  // topic assignments and the trace.
  void save_state(worker_state& state) const override;

 private:
  void initial_topics();
  void restore_state(const worker_state& state);
  void read_assignment(const std::vector<std::string>& lines);  // into z_; throws naming a line
  void read_counts();      // n_wk, n_k from the servers (SSP), as the sweep's snapshot
  void push_deltas();      // this sweep's changes of n_wk, n_k
  void build_proposals();  // alias: the word proposals from the snapshot
  // Samples the tokens of local documents [first_doc, end_doc) in sweep `sweep`.
  void sweep_cgs(std::int64_t sweep, std::int64_t first_doc, std::int64_t end_doc);
  void sweep_alias(std::int64_t sweep, std::int64_t first_doc, std::int64_t end_doc);
  double log_likelihood() const;  // log p(w | z) of the snapshot
  void write_results(const std::vector<std::vector<double>>& trace, double seconds,
                     double sampling_seconds);

  std::int32_t& word_topic(std::int32_t w, std::int32_t k) {
    return nwk_[static_cast<std::size_t>(w) * k_ + static_cast<std::size_t>(k)];
  }
  std::int32_t& doc_topic(std::int64_t d, std::int32_t k) {
    return ndk_[static_cast<std::size_t>(d) * k_ + static_cast<std::size_t>(k)];
  }
  // Moves token i (word w of document d) from topic `from` to `to` in the live counts.
  void move(std::int64_t d, std::int32_t w, std::int32_t from, std::int32_t to);

  lda_config cfg_;
  corpus corpus_;
  std::size_t k_ = 0;                       // topics
  std::size_t v_ = 0;                       // vocabulary
  std::vector<std::int32_t> z_;             // topic of each local token
  std::vector<std::int32_t> nwk_;           // live word-topic counts: snapshot + own changes, V x K
  std::vector<std::int64_t> nk_;            // live topic totals
  std::vector<std::int32_t> snapshot_nwk_;  // as read at the sweep's start
  std::vector<std::int64_t> snapshot_nk_;
  std::vector<std::int32_t> ndk_;        // local documents x K
  std::vector<std::int32_t> delta_nwk_;  // this sweep's changes
  std::vector<std::int64_t> delta_nk_;
  std::vector<char> block_touched_;
  std::vector<char> present_;  // the words of this worker's documents (alias tables for those)
  // alias: per word, its nonzero topics and their table; one dense table for the beta part.
  std::vector<std::vector<std::int32_t>> word_topics_;
  std::vector<alias_table> word_tables_;
  std::vector<double> word_mass_;  // sum over its nonzero topics of n_wk / (n_k + V beta)
  alias_table dense_table_;
  double dense_mass_ = 0;  // sum_k beta / (n_k + V beta)
  // [sweep, log p(w|z) per token, tokens/s, seconds] per sweep; the current sweep's first two
  // and its sampling time; the sampling time of the sweeps done.
  std::vector<std::vector<double>> trace_;
  double sweep_loglik_ = 0;
  double sweep_seconds_ = 0;
  double sampling_seconds_ = 0;
};

}  // namespace paracel::alg
