#include "matrix_factorization.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <random>
#include <set>
#include <sstream>

#include "factor_init.hpp"
#include "predict_pairs.hpp"

namespace paracel::alg {

namespace {

std::string join(const double* values, std::size_t n) {
  std::ostringstream out;
  out << std::setprecision(17);
  for (std::size_t i = 0; i < n; ++i) out << (i ? " " : "") << values[i];
  return out.str();
}

}  // namespace

matrix_factorization::matrix_factorization(paralg_options options, mf_config cfg)
    : paralg(std::move(options)), cfg_(std::move(cfg)) {}

void matrix_factorization::solve() {
  if (cfg_.mode == "predict") {
    predict();
  } else {
    train();
  }
}

// ---- item blocks on the servers ----------------------------------------------------------

std::string matrix_factorization::block_key(std::uint64_t block) const {
  return "mf/item/" + std::to_string(block);
}

std::size_t matrix_factorization::block_items(std::uint64_t block) const {
  const std::uint64_t first = block * cfg_.block_items;
  return static_cast<std::size_t>(std::min<std::uint64_t>(cfg_.block_items, data_.items - first));
}

matrix_factorization::blocks matrix_factorization::read_blocks(
    const std::vector<std::uint64_t>& ids) {
  std::vector<std::string> keys;
  for (auto b : ids) keys.push_back(block_key(b));
  auto values = paracel_read_multi<std::vector<double>>(keys);
  blocks out;
  for (std::size_t i = 0; i < ids.size(); ++i) out.emplace(ids[i], std::move(values[i]));
  return out;
}

void matrix_factorization::init_items() {
  // Each item is initialised by the one worker that names it, so every block ends up
  // holding exactly its items' initial values, whatever the number of workers.
  std::map<std::uint64_t, std::vector<double>> mine;
  for (const auto& [item, name] : data_.owned_items) {
    auto& block = mine[block_of(item)];
    if (block.empty()) block.assign(block_items(block_of(item)) * stride_, 0.0);
    const std::size_t at = (item % cfg_.block_items) * stride_;
    init_factors(name, cfg_.seed, &block[at + 1], stride_ - 1);
  }
  // Zeros first (one worker), so that every block exists before the adds.
  if (get_worker_id() == 0) {
    const std::uint64_t count = (data_.items + cfg_.block_items - 1) / cfg_.block_items;
    for (std::uint64_t b = 0; b < count; ++b)
      paracel_write(block_key(b), std::vector<double>(block_items(b) * stride_, 0.0));
  }
  paracel_sync();
  std::vector<std::string> keys;
  std::vector<std::vector<double>> values;
  for (auto& [b, v] : mine) {
    keys.push_back(block_key(b));
    values.push_back(std::move(v));
  }
  if (!keys.empty()) paracel_bupdate_multi(keys, values, builtin::add);
}

// ---- training ----------------------------------------------------------------------------

void matrix_factorization::train() {
  data_ = load_mf_data(*this, cfg_.input, cfg_.test_input);
  stride_ = static_cast<std::size_t>(cfg_.rank) + 1;
  user_values_.assign(data_.users.size() * stride_, 0.0);
  for (std::size_t u = 0; u < data_.users.size(); ++u)
    init_factors(data_.users[u], cfg_.seed, &user_values_[u * stride_ + 1], stride_ - 1);

  const auto workers = static_cast<std::size_t>(get_worker_size());
  strata_.assign(workers, {});
  std::vector<std::set<std::uint64_t>> touched(workers);
  for (const auto& r : data_.train) {
    const std::uint64_t b = block_of(r.item);
    strata_[b % workers].push_back(r);
    touched[b % workers].insert(b);
  }
  strata_blocks_.clear();
  for (const auto& t : touched) strata_blocks_.emplace_back(t.begin(), t.end());
  // A stratum's blocks are copied into one flat array, in block order: each rating knows
  // where its item's values are, so the SGD loop does no lookups.
  for (std::size_t s = 0; s < workers; ++s) {
    std::map<std::uint64_t, std::uint64_t> start;
    std::uint64_t at = 0;
    for (auto b : strata_blocks_[s]) {
      start[b] = at;
      at += block_items(b) * stride_;
    }
    for (auto& r : strata_[s])
      r.slot = start.at(block_of(r.item)) + (r.item % cfg_.block_items) * stride_;
  }

  const int workers_count = get_worker_size();
  const int first_clock = get_current_iter();  // 0, or the resumed checkpoint's
  if (const auto* state = resumed_state()) {
    // The item blocks are back on the servers; the user factors come from the state, and
    // the strata are brought into the order their shuffles left them in.
    user_values_ = state->get<std::vector<double>>("user_values");
    for (int clock = 0; clock < first_clock; ++clock) {
      const int e = clock / workers_count;
      shuffle_stratum(e, (get_worker_id() + clock % workers_count) % workers_count);
    }
  } else {
    init_items();
  }
  paracel_sync();
  set_total_iters(cfg_.epochs * workers_count);
  const auto start = std::chrono::steady_clock::now();
  // Clock e * W + s runs stratum (worker + s) mod W of epoch e.
  for (int clock = first_clock; clock < cfg_.epochs * workers_count; ++clock) {
    run_stratum(clock / workers_count, (get_worker_id() + clock % workers_count) % workers_count);
  }
  paracel_sync();
  train_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::set<std::uint64_t> needed;
  for (const auto* set : {&data_.train, &data_.test})
    for (const auto& r : *set) needed.insert(block_of(r.item));
  for (const auto& [item, name] : data_.owned_items) needed.insert(block_of(item));
  write_results(read_blocks({needed.begin(), needed.end()}));
}

void matrix_factorization::save_state(worker_state& state) const {
  state.put("user_values", user_values_);
}

void matrix_factorization::shuffle_stratum(int epoch, int stratum) {
  auto& ratings = strata_[static_cast<std::size_t>(stratum)];
  std::mt19937_64 rng(cfg_.seed * 1000003ull + static_cast<unsigned>(get_worker_id()) * 7919ull +
                      static_cast<unsigned>(epoch));
  std::shuffle(ratings.begin(), ratings.end(), rng);
}

void matrix_factorization::run_stratum(int epoch, int stratum) {
  auto& ratings = strata_[static_cast<std::size_t>(stratum)];
  const auto& ids = strata_blocks_[static_cast<std::size_t>(stratum)];
  const blocks start = read_blocks(ids);
  std::vector<double> items;
  for (auto b : ids) items.insert(items.end(), start.at(b).begin(), start.at(b).end());
  const double rate = cfg_.learning_rate * std::pow(cfg_.decay, epoch);
  const std::size_t k = stride_ - 1;
  shuffle_stratum(epoch, stratum);
  double squared = 0;  // of each rating before its step: the stratum's running error
  for (const auto& r : ratings) {
    double* user = &user_values_[r.user * stride_];
    double* item = &items[r.slot];
    double predicted = data_.global_mean + user[0] + item[0];
    for (std::size_t f = 1; f <= k; ++f) predicted += user[f] * item[f];
    const double err = r.value - predicted;
    squared += err * err;
    user[0] += rate * (err - cfg_.l2 * user[0]);
    item[0] += rate * (err - cfg_.l2 * item[0]);
    for (std::size_t f = 1; f <= k; ++f) {
      const double old = user[f];
      user[f] += rate * (err * item[f] - cfg_.l2 * user[f]);
      item[f] += rate * (err * old - cfg_.l2 * item[f]);
    }
  }
  // No other worker changes these blocks at this clock: adding the change makes the stored
  // blocks equal to the local result (under BSP), without a lost update when stale.
  std::vector<std::string> keys;
  std::vector<std::vector<double>> deltas;
  std::size_t at = 0;
  for (auto b : ids) {
    auto delta = start.at(b);
    for (std::size_t i = 0; i < delta.size(); ++i) delta[i] = items[at + i] - delta[i];
    at += delta.size();
    keys.push_back(block_key(b));
    deltas.push_back(std::move(delta));
  }
  if (!keys.empty()) paracel_bupdate_multi(keys, deltas, builtin::add);
  if (!ratings.empty()) report("rmse", std::sqrt(squared / static_cast<double>(ratings.size())));
  iter_commit();
}

// ---- evaluation and output ---------------------------------------------------------------

double matrix_factorization::predict_one(const mf_rating& r, const blocks& items) const {
  double predicted = data_.global_mean;
  const bool user_known = data_.user_trained[r.user] != 0;
  const bool item_known = data_.item_workers[r.item] != 0;
  const double* user = &user_values_[r.user * stride_];
  const double* item = &items.at(block_of(r.item))[(r.item % cfg_.block_items) * stride_];
  if (user_known) predicted += user[0];
  if (item_known) predicted += item[0];
  if (user_known && item_known) {
    for (std::size_t f = 1; f < stride_; ++f) predicted += user[f] * item[f];
  }
  return predicted;
}

double matrix_factorization::squared_error(const std::vector<mf_rating>& ratings,
                                           const blocks& items) {
  double sum = 0;
  for (const auto& r : ratings) {
    const double e = r.value - predict_one(r, items);
    sum += e * e;
  }
  return get_comm().allreduce(sum, reduce_op::sum);
}

void matrix_factorization::write_results(const blocks& items) {
  const double train_rmse =
      std::sqrt(squared_error(data_.train, items) / static_cast<double>(data_.train_total));
  report("rmse", train_rmse);  // the final metrics line: the result's
  metrics m;
  m.set("rank", cfg_.rank)
      .set("epochs", cfg_.epochs)
      .set("workers", get_worker_size())
      .set("staleness", cfg_.staleness)
      .set("global_mean", data_.global_mean)
      .set("train_ratings", static_cast<std::int64_t>(data_.train_total))
      .set("train_seconds", train_seconds_)
      .set("train_rmse", train_rmse);
  if (data_.test_total > 0) {
    const double test_rmse =
        std::sqrt(squared_error(data_.test, items) / static_cast<double>(data_.test_total));
    report("test_rmse", test_rmse);
    m.set("test_ratings", static_cast<std::int64_t>(data_.test_total)).set("test_rmse", test_rmse);
  }

  std::vector<std::string> users, item_lines;
  for (std::size_t u = 0; u < data_.users.size(); ++u) {
    if (!data_.user_trained[u]) continue;
    const double* v = &user_values_[u * stride_];
    users.push_back(data_.users[u] + "\t" + join(v, 1) + "\t" + join(v + 1, stride_ - 1));
  }
  for (const auto& [item, name] : data_.owned_items) {
    if (data_.item_workers[item] == 0) continue;
    const double* v = &items.at(block_of(item))[(item % cfg_.block_items) * stride_];
    item_lines.push_back(name + "\t" + join(v, 1) + "\t" + join(v + 1, stride_ - 1));
  }
  paracel_dump_vector(users, "user_factors");
  paracel_dump_vector(item_lines, "item_factors");
  paracel_dump_metrics(m, "matrix_factorization");
}

// ---- prediction ----------------------------------------------------------------------------

void matrix_factorization::predict() {
  const std::string folder = cfg_.model_input + "/";
  const double mean = config::load(folder + "metrics.json").get<double>("global_mean");
  // name -> bias, then factors
  auto load_factors = [&](const std::string& file) {
    std::unordered_map<std::string, std::vector<double>> out;
    for (const auto& line : paracel_loadall(folder + file)) {
      std::istringstream fields(line);
      std::string name;
      fields >> name;
      std::vector<double> values;
      for (double v; fields >> v;) values.push_back(v);
      if (name.empty() || values.empty()) throw error(folder + file + ": malformed line: " + line);
      out.emplace(std::move(name), std::move(values));
    }
    return out;
  };
  const auto users = load_factors("user_factors");
  const auto items = load_factors("item_factors");
  predict_pairs(*this, cfg_.input, [&](std::string_view user, std::string_view item) {
    double predicted = mean;
    const auto u = users.find(std::string(user));
    const auto i = items.find(std::string(item));
    if (u != users.end()) predicted += u->second[0];
    if (i != items.end()) predicted += i->second[0];
    if (u != users.end() && i != items.end()) {
      for (std::size_t f = 1; f < u->second.size() && f < i->second.size(); ++f)
        predicted += u->second[f] * i->second[f];
    }
    return predicted;
  });
}

}  // namespace paracel::alg
