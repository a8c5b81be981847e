#include "lda.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "lda_streams.hpp"

namespace paracel::alg {

namespace {

using clock_type = std::chrono::steady_clock;

std::string block_key(std::size_t b) { return "lda/wt/" + std::to_string(b); }
constexpr const char* k_totals_key = "lda/nk";

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

}  // namespace

lda::lda(paralg_options options, lda_config cfg)
    : paralg(std::move(options)), cfg_(std::move(cfg)) {}

void lda::move(std::int64_t d, std::int32_t w, std::int32_t from, std::int32_t to) {
  if (from == to) return;
  --doc_topic(d, from);
  ++doc_topic(d, to);
  --word_topic(w, from);
  ++word_topic(w, to);
  --nk_[static_cast<std::size_t>(from)];
  ++nk_[static_cast<std::size_t>(to)];
  const std::size_t row = static_cast<std::size_t>(w) * k_;
  --delta_nwk_[row + static_cast<std::size_t>(from)];
  ++delta_nwk_[row + static_cast<std::size_t>(to)];
  --delta_nk_[static_cast<std::size_t>(from)];
  ++delta_nk_[static_cast<std::size_t>(to)];
  block_touched_[static_cast<std::size_t>(w) / static_cast<std::size_t>(cfg_.block_words)] = 1;
}

void lda::read_assignment(const std::vector<std::string>& lines) {
  const std::int64_t docs = corpus_.documents();
  const auto where = [&](std::int64_t line) {
    return cfg_.initial_assignment + ":" + std::to_string(line + 1);
  };
  if (static_cast<std::int64_t>(lines.size()) != corpus_.total_documents) {
    throw error(cfg_.initial_assignment + " has " + std::to_string(lines.size()) +
                " lines, expected one per document: " + std::to_string(corpus_.total_documents));
  }
  for (std::int64_t d = 0; d < docs; ++d) {
    const std::int64_t line = corpus_.first_document + d;
    std::vector<std::int32_t> topics;
    lda_streams::tokenize(lines[static_cast<std::size_t>(line)], false, [&](std::string_view t) {
      char* end = nullptr;
      const std::string text(t);
      const long k = std::strtol(text.c_str(), &end, 10);
      if (*end != '\0' || k < 0 || k >= static_cast<long>(k_)) {
        throw error(where(line) + ": \"" + text + "\" is not a topic in [0, " + std::to_string(k_) +
                    ")");
      }
      topics.push_back(static_cast<std::int32_t>(k));
    });
    const auto first = corpus_.starts[static_cast<std::size_t>(d)];
    const auto length = corpus_.starts[static_cast<std::size_t>(d) + 1] - first;
    if (static_cast<std::int64_t>(topics.size()) != length) {
      throw error(where(line) + ": " + std::to_string(topics.size()) +
                  " topics for a document of " + std::to_string(length) + " tokens");
    }
    std::copy(topics.begin(), topics.end(), z_.begin() + first);
  }
}

void lda::initial_topics() {
  const std::int64_t docs = corpus_.documents();
  z_.assign(corpus_.words.size(), 0);
  if (!cfg_.initial_assignment.empty()) {
    // Every worker reads the (small) file and takes its documents' lines; a bad line seen
    // by one worker is raised on all (none is left waiting for it).
    const auto lines = paracel_loadall(cfg_.initial_assignment);
    get_comm().all_or_none([&] { read_assignment(lines); });
  } else {
    for (std::int64_t d = 0; d < docs; ++d) {
      auto rng = lda_streams::document_stream(cfg_.seed, corpus_.first_document + d, 0);
      for (auto i = corpus_.starts[static_cast<std::size_t>(d)];
           i < corpus_.starts[static_cast<std::size_t>(d) + 1]; ++i) {
        z_[static_cast<std::size_t>(i)] =
            static_cast<std::int32_t>(lda_streams::uniform(rng) * static_cast<double>(k_));
      }
    }
  }
  // This worker's counts, added to the servers as its first delta.
  for (std::int64_t d = 0; d < docs; ++d) {
    for (auto i = corpus_.starts[static_cast<std::size_t>(d)];
         i < corpus_.starts[static_cast<std::size_t>(d) + 1]; ++i) {
      const auto w = corpus_.words[static_cast<std::size_t>(i)];
      const auto k = z_[static_cast<std::size_t>(i)];
      ++doc_topic(d, k);
      ++delta_nwk_[static_cast<std::size_t>(w) * k_ + static_cast<std::size_t>(k)];
      ++delta_nk_[static_cast<std::size_t>(k)];
      block_touched_[static_cast<std::size_t>(w) / static_cast<std::size_t>(cfg_.block_words)] = 1;
    }
  }
  push_deltas();
  paracel_sync();
}

void lda::read_counts() {
  const std::size_t per_block = static_cast<std::size_t>(cfg_.block_words);
  std::vector<std::string> keys;
  for (std::size_t b = 0; b < block_touched_.size(); ++b) keys.push_back(block_key(b));
  keys.push_back(k_totals_key);
  const auto values = paracel_read_multi<std::vector<double>>(keys);
  for (std::size_t b = 0; b + 1 < values.size(); ++b) {
    const std::size_t first = b * per_block * k_;
    const std::size_t expected = std::min(per_block * k_, v_ * k_ - first);
    if (values[b].size() != expected) {
      throw error("the word-topic counts " + keys[b] + " hold " + std::to_string(values[b].size()) +
                  " values, expected " + std::to_string(expected) + " (another job's keys?)");
    }
    std::transform(values[b].begin(), values[b].end(), snapshot_nwk_.begin() + first,
                   [](double c) { return static_cast<std::int32_t>(c); });
  }
  if (values.back().size() != k_) {
    throw error(std::string("the topic totals ") + k_totals_key + " hold " +
                std::to_string(values.back().size()) + " values, expected " + std::to_string(k_));
  }
  std::transform(values.back().begin(), values.back().end(), snapshot_nk_.begin(),
                 [](double c) { return static_cast<std::int64_t>(c); });
  nwk_ = snapshot_nwk_;
  nk_ = snapshot_nk_;
}

void lda::push_deltas() {
  const std::size_t per_block = static_cast<std::size_t>(cfg_.block_words);
  std::vector<std::string> keys;
  std::vector<std::vector<double>> deltas;
  for (std::size_t b = 0; b < block_touched_.size(); ++b) {
    if (!block_touched_[b]) continue;
    const std::size_t first = b * per_block * k_;
    const std::size_t last = std::min(first + per_block * k_, v_ * k_);
    keys.push_back(block_key(b));
    deltas.emplace_back(delta_nwk_.begin() + first, delta_nwk_.begin() + last);
    std::fill(delta_nwk_.begin() + first, delta_nwk_.begin() + last, 0);
    block_touched_[b] = 0;
  }
  keys.push_back(k_totals_key);
  deltas.emplace_back(delta_nk_.begin(), delta_nk_.end());
  std::fill(delta_nk_.begin(), delta_nk_.end(), 0);
  paracel_bupdate_multi(keys, deltas, builtin::add);
}

void lda::sweep_cgs(std::int64_t sweep, std::int64_t first_doc, std::int64_t end_doc) {
  const double alpha = cfg_.alpha, beta = cfg_.beta, vbeta = static_cast<double>(v_) * beta;
  std::vector<double> cdf(k_);
  for (std::int64_t d = first_doc; d < end_doc; ++d) {
    auto rng = lda_streams::document_stream(cfg_.seed, corpus_.first_document + d, sweep);
    for (auto i = corpus_.starts[static_cast<std::size_t>(d)];
         i < corpus_.starts[static_cast<std::size_t>(d) + 1]; ++i) {
      const auto w = corpus_.words[static_cast<std::size_t>(i)];
      const auto s = z_[static_cast<std::size_t>(i)];
      // The token's own assignment is left out of the counts it is sampled from.
      --doc_topic(d, s);
      --word_topic(w, s);
      --nk_[static_cast<std::size_t>(s)];
      const std::int32_t* nd = &ndk_[static_cast<std::size_t>(d) * k_];
      const std::int32_t* nw = &nwk_[static_cast<std::size_t>(w) * k_];
      double total = 0;
      for (std::size_t k = 0; k < k_; ++k) {
        total += (nd[k] + alpha) * (nw[k] + beta) / (static_cast<double>(nk_[k]) + vbeta);
        cdf[k] = total;
      }
      const double u = lda_streams::uniform(rng) * total;
      const auto t = static_cast<std::int32_t>(
          std::min<std::size_t>(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin(), k_ - 1));
      ++doc_topic(d, s);
      ++word_topic(w, s);
      ++nk_[static_cast<std::size_t>(s)];
      move(d, w, s, t);
      z_[static_cast<std::size_t>(i)] = t;
    }
  }
}

void lda::build_proposals() {
  const double vbeta = static_cast<double>(v_) * cfg_.beta;
  std::vector<double> weights(k_);
  for (std::size_t k = 0; k < k_; ++k)
    weights[k] = cfg_.beta / (static_cast<double>(snapshot_nk_[k]) + vbeta);
  dense_mass_ = std::accumulate(weights.begin(), weights.end(), 0.0);
  dense_table_.build(weights);
  word_topics_.resize(v_);
  word_tables_.resize(v_);
  word_mass_.assign(v_, 0.0);
  for (std::size_t w = 0; w < v_; ++w) {
    if (!present_[w]) continue;
    auto& topics = word_topics_[w];
    topics.clear();
    weights.clear();
    for (std::size_t k = 0; k < k_; ++k) {
      const std::int32_t n = snapshot_nwk_[w * k_ + k];
      if (n <= 0) continue;
      topics.push_back(static_cast<std::int32_t>(k));
      weights.push_back(n / (static_cast<double>(snapshot_nk_[k]) + vbeta));
    }
    word_mass_[w] = std::accumulate(weights.begin(), weights.end(), 0.0);
    if (!topics.empty()) word_tables_[w].build(weights);
  }
  weights.resize(k_);
}

void lda::sweep_alias(std::int64_t sweep, std::int64_t first_doc, std::int64_t end_doc) {
  const double alpha = cfg_.alpha, beta = cfg_.beta, vbeta = static_cast<double>(v_) * beta;
  const double k_alpha = static_cast<double>(k_) * alpha;
  for (std::int64_t d = first_doc; d < end_doc; ++d) {
    auto rng = lda_streams::document_stream(cfg_.seed, corpus_.first_document + d, sweep);
    const auto first = corpus_.starts[static_cast<std::size_t>(d)];
    const auto length = corpus_.starts[static_cast<std::size_t>(d) + 1] - first;
    for (auto i = first; i < first + length; ++i) {
      const auto w = corpus_.words[static_cast<std::size_t>(i)];
      const auto s = z_[static_cast<std::size_t>(i)];
      --doc_topic(d, s);
      --word_topic(w, s);
      --nk_[static_cast<std::size_t>(s)];
      // The target, on the counts without this token.
      const auto target = [&](std::int32_t k) {
        return (doc_topic(d, k) + alpha) * (word_topic(w, k) + beta) /
               (static_cast<double>(nk_[static_cast<std::size_t>(k)]) + vbeta);
      };
      // Independence proposals, neither depending on this token's topic (else the chain
      // would not keep the posterior): the word's from the clock's snapshot without this
      // token (which the snapshot holds at s), the document's from its other tokens.
      const std::int32_t* snap = &snapshot_nwk_[static_cast<std::size_t>(w) * k_];
      const auto word_q = [&](std::int32_t k) {
        const auto own = static_cast<double>(k == s && snap[s] > 0);
        return (snap[k] - own + beta) /
               (static_cast<double>(snapshot_nk_[static_cast<std::size_t>(k)]) - own + vbeta);
      };
      const auto doc_q = [&](std::int32_t k) { return doc_topic(d, k) + alpha; };
      const double word_mass = word_mass_[static_cast<std::size_t>(w)];
      const auto& nonzero = word_topics_[static_cast<std::size_t>(w)];
      const auto& table = word_tables_[static_cast<std::size_t>(w)];
      const double others = static_cast<double>(length - 1);
      std::int32_t current = s;
      double current_target = target(s);
      for (int step = 0; step < cfg_.mh_steps; ++step) {
        // Word proposal: the alias tables draw with this token counted at s; a draw of s is
        // kept with the chance that removing it leaves (rejection sampling: exact).
        std::int32_t t;
        for (;;) {
          const double pick = lda_streams::uniform(rng) * (word_mass + dense_mass_);
          const double u1 = lda_streams::uniform(rng), u2 = lda_streams::uniform(rng);
          t = pick < word_mass ? nonzero[static_cast<std::size_t>(table.draw(u1, u2))]
                               : dense_table_.draw(u1, u2);
          if (t != s || snap[s] <= 0) break;
          const double with =
              (snap[s] + beta) /
              (static_cast<double>(snapshot_nk_[static_cast<std::size_t>(s)]) + vbeta);
          if (lda_streams::uniform(rng) * with < word_q(s)) break;
        }
        double t_target = target(t);
        if (lda_streams::uniform(rng) * current_target * word_q(t) < t_target * word_q(current)) {
          current = t;
          current_target = t_target;
        }
        // Document proposal: the topic of one of its other tokens, or (alpha) any topic.
        const double u = lda_streams::uniform(rng) * (others + k_alpha);
        if (u < others) {
          auto j = first + static_cast<std::int64_t>(u);
          if (j >= i) ++j;  // skip this token
          t = z_[static_cast<std::size_t>(j)];
        } else {
          t = std::min<std::int32_t>(
              static_cast<std::int32_t>(lda_streams::uniform(rng) * static_cast<double>(k_)),
              static_cast<std::int32_t>(k_) - 1);
        }
        t_target = target(t);
        if (lda_streams::uniform(rng) * current_target * doc_q(t) < t_target * doc_q(current)) {
          current = t;
          current_target = t_target;
        }
      }
      ++doc_topic(d, s);
      ++word_topic(w, s);
      ++nk_[static_cast<std::size_t>(s)];
      move(d, w, s, current);
      z_[static_cast<std::size_t>(i)] = current;
    }
  }
}

double lda::log_likelihood() const {
  // log p(w | z) = sum_k [lgamma(V beta) - lgamma(n_k + V beta)
  //                       + sum_w (lgamma(n_wk + beta) - lgamma(beta))]  (zero counts add 0).
  const double beta = cfg_.beta, vbeta = static_cast<double>(v_) * beta;
  const double lg_beta = std::lgamma(beta);
  double words = 0;
  for (std::size_t i = 0; i < snapshot_nwk_.size(); ++i) {
    if (snapshot_nwk_[i] > 0) words += std::lgamma(snapshot_nwk_[i] + beta) - lg_beta;
  }
  double totals = 0;
  for (std::size_t k = 0; k < k_; ++k)
    totals += std::lgamma(vbeta) - std::lgamma(static_cast<double>(snapshot_nk_[k]) + vbeta);
  return words + totals;
}

void lda::solve() {
  corpus_ = load_corpus(*this, cfg_);
  if (corpus_.total_tokens == 0) {
    throw error("no tokens in " + cfg_.input +
                (cfg_.stop_words.empty() ? "" : " once the stop words are dropped"));
  }
  k_ = static_cast<std::size_t>(cfg_.topics);
  v_ = corpus_.vocabulary.size();
  const std::size_t blocks = (v_ + static_cast<std::size_t>(cfg_.block_words) - 1) /
                             static_cast<std::size_t>(cfg_.block_words);
  ndk_.assign(static_cast<std::size_t>(corpus_.documents()) * k_, 0);
  nwk_.assign(v_ * k_, 0);
  snapshot_nwk_.assign(v_ * k_, 0);
  delta_nwk_.assign(v_ * k_, 0);
  nk_.assign(k_, 0);
  snapshot_nk_.assign(k_, 0);
  delta_nk_.assign(k_, 0);
  block_touched_.assign(blocks, 0);
  present_.assign(v_, 0);
  for (auto w : corpus_.words) present_[static_cast<std::size_t>(w)] = 1;
  if (const auto* state = resumed_state()) {
    restore_state(*state);  // the counts are back on the servers
  } else {
    initial_topics();
  }

  const auto start = clock_type::now();
  const double tokens = static_cast<double>(corpus_.total_tokens);
  // A clock is a part of a sweep: its documents are sampled from counts read at its start
  // (at most `staleness` clocks old), then its deltas are pushed.
  const std::int64_t parts = cfg_.clocks_per_sweep, docs = corpus_.documents();
  set_total_iters(cfg_.sweeps * cfg_.clocks_per_sweep);
  for (std::int64_t clock = get_current_iter(); clock < cfg_.sweeps * parts; ++clock) {
    const std::int64_t sweep = clock / parts + 1, part = clock % parts;
    if (part == 0) sweep_loglik_ = sweep_seconds_ = 0;
    read_counts();
    if (part == 0 && get_worker_id() == 0) {
      sweep_loglik_ = log_likelihood() / tokens;
      report("loglik_per_token", sweep_loglik_);  // of the whole model, worker 0 only
    }
    const auto began = clock_type::now();
    const std::int64_t first = docs * part / parts, end = docs * (part + 1) / parts;
    if (cfg_.sampler == "alias") {
      build_proposals();
      sweep_alias(sweep, first, end);
    } else {
      sweep_cgs(sweep, first, end);
    }
    sweep_seconds_ += seconds_since(began);
    push_deltas();
    if (part + 1 == parts) {  // before the commit, which may save the trace in a checkpoint
      sampling_seconds_ += sweep_seconds_;
      trace_.push_back({static_cast<double>(sweep - 1), sweep_loglik_,
                        static_cast<double>(corpus_.words.size()) / std::max(sweep_seconds_, 1e-9),
                        seconds_since(start)});
    }
    iter_commit();
  }
  paracel_sync();  // every sweep's deltas are in
  const double seconds = seconds_since(start);
  read_counts();
  trace_.push_back({static_cast<double>(cfg_.sweeps),
                    get_worker_id() == 0 ? log_likelihood() / tokens : 0.0, 0.0, seconds});
  write_results(trace_, seconds, sampling_seconds_);
}

// Called from a clock's commit, after its deltas were pushed (the delta arrays are zero).
// The sampler's randomness comes from per-document streams seeded by sweep, so the topic
// assignments are all a worker needs to go on exactly.
void lda::save_state(worker_state& state) const {
  state.put("z", z_);
  state.put("trace", trace_);
  state.put("sweep", std::vector<double>{sweep_loglik_, sweep_seconds_, sampling_seconds_});
}

void lda::restore_state(const worker_state& state) {
  z_ = state.get<std::vector<std::int32_t>>("z");
  if (z_.size() != corpus_.words.size()) {
    throw error("lda: the checkpoint holds " + std::to_string(z_.size()) +
                " topic assignments; this worker's documents have " +
                std::to_string(corpus_.words.size()) + " tokens (another input?)");
  }
  for (std::int64_t d = 0; d < corpus_.documents(); ++d) {
    for (auto i = corpus_.starts[static_cast<std::size_t>(d)];
         i < corpus_.starts[static_cast<std::size_t>(d) + 1]; ++i) {
      const auto k = z_[static_cast<std::size_t>(i)];
      if (k < 0 || static_cast<std::size_t>(k) >= k_) {
        throw error("lda: the checkpoint's topic " + std::to_string(k) + " is not in [0, " +
                    std::to_string(k_) + ")");
      }
      ++doc_topic(d, k);
    }
  }
  trace_ = state.get<std::vector<std::vector<double>>>("trace");
  const auto sweep = state.get<std::vector<double>>("sweep");
  if (sweep.size() != 3) throw error("lda: malformed sweep state in the checkpoint");
  sweep_loglik_ = sweep[0];
  sweep_seconds_ = sweep[1];
  sampling_seconds_ = sweep[2];
}

void lda::write_results(const std::vector<std::vector<double>>& trace, double seconds,
                        double sampling_seconds) {
  const double alpha = cfg_.alpha, beta = cfg_.beta, vbeta = static_cast<double>(v_) * beta;
  // Each worker's sampling rate, averaged: tokens per second per worker core.
  const double local_rate = sampling_seconds > 0 ? static_cast<double>(corpus_.words.size()) *
                                                       cfg_.sweeps / sampling_seconds
                                                 : 0.0;
  const double mean_rate = get_comm().allreduce(local_rate, reduce_op::sum) / get_worker_size();

  std::vector<std::vector<double>> theta;
  std::vector<std::vector<std::int32_t>> assignment;
  for (std::int64_t d = 0; d < corpus_.documents(); ++d) {
    const auto first = corpus_.starts[static_cast<std::size_t>(d)];
    const auto last = corpus_.starts[static_cast<std::size_t>(d) + 1];
    std::vector<double> row(k_);
    for (std::size_t k = 0; k < k_; ++k) {
      row[k] = (doc_topic(d, static_cast<std::int32_t>(k)) + alpha) /
               (static_cast<double>(last - first) + static_cast<double>(k_) * alpha);
    }
    theta.push_back(std::move(row));
    assignment.emplace_back(z_.begin() + first, z_.begin() + last);
  }
  std::vector<std::vector<double>> phi;
  std::vector<std::string> top, vocabulary;
  if (get_worker_id() == 0) {
    for (std::size_t k = 0; k < k_; ++k) {
      std::vector<double> row(v_);
      std::vector<std::int32_t> order(v_);
      for (std::size_t w = 0; w < v_; ++w) {
        row[w] =
            (snapshot_nwk_[w * k_ + k] + beta) / (static_cast<double>(snapshot_nk_[k]) + vbeta);
        order[w] = static_cast<std::int32_t>(w);
      }
      const std::size_t shown = std::min(v_, static_cast<std::size_t>(cfg_.top_words));
      std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(shown),
                        order.end(), [&](std::int32_t a, std::int32_t b) {
                          const auto na = snapshot_nwk_[static_cast<std::size_t>(a) * k_ + k];
                          const auto nb = snapshot_nwk_[static_cast<std::size_t>(b) * k_ + k];
                          return na != nb ? na > nb : a < b;
                        });
      std::string line = std::to_string(k);
      for (std::size_t i = 0; i < shown; ++i)
        line += (i ? " " : "\t") + corpus_.vocabulary[static_cast<std::size_t>(order[i])];
      top.push_back(std::move(line));
      phi.push_back(std::move(row));
    }
    vocabulary = corpus_.vocabulary;
  }
  paracel_dump_vector(top, "top_words");
  paracel_dump_vector(phi, "phi");
  paracel_dump_vector(vocabulary, "vocabulary");
  paracel_dump_vector(theta, "theta");
  paracel_dump_vector(assignment, "assignment");

  if (get_worker_id() == 0) report("loglik_per_token", trace.back()[1]);
  metrics m;
  m.set("workers", get_worker_size())
      .set("documents", corpus_.total_documents)
      .set("tokens", corpus_.total_tokens)
      .set("vocabulary", static_cast<std::int64_t>(v_))
      .set("topics", cfg_.topics)
      .set("sampler", cfg_.sampler)
      .set("staleness", cfg_.staleness)
      .set("sweeps", cfg_.sweeps)
      .set("loglik_per_token", trace.back()[1])
      .set("train_seconds", seconds)
      .set("tokens_per_second",
           cfg_.sweeps * static_cast<double>(corpus_.total_tokens) / std::max(seconds, 1e-9))
      .set("tokens_per_second_per_worker", mean_rate)
      .set("trace", trace);
  if (cfg_.sampler == "alias") m.set("mh_steps", cfg_.mh_steps);
  paracel_sync();
  if (get_worker_id() == 0) paracel_remove_special(prefix_filter("lda/"));
  paracel_dump_metrics(m, "lda");
}

}  // namespace paracel::alg
