#include "matrix_factorization.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>

#include "factor_init.hpp"
#include "predict_pairs.hpp"

namespace paracel::alg {

namespace {

// Floats print with 9 significant digits: enough to read back the same float.
std::string join(const float* values, std::size_t n) {
  std::ostringstream out;
  out << std::setprecision(9);
  for (std::size_t i = 0; i < n; ++i) out << (i ? " " : "") << values[i];
  return out.str();
}

// A generator of its own for each (seed, worker, stratum, epoch): the order of a stratum
// depends on nothing else, so a resumed run draws the same orders without replaying any.
std::mt19937_64 stream(std::uint64_t seed, int worker, int stratum, int epoch) {
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(worker), static_cast<std::uint32_t>(stratum),
                    static_cast<std::uint32_t>(epoch)};
  return std::mt19937_64(seq);
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
  auto values = paracel_read_multi<std::vector<float>>(keys);
  blocks out;
  for (std::size_t i = 0; i < ids.size(); ++i) out.emplace(ids[i], std::move(values[i]));
  return out;
}

mf::factor_rows matrix_factorization::unpack_items(const std::vector<std::uint64_t>& ids,
                                                   const blocks& values) const {
  const std::size_t rank = stride_ - 1;
  // Every block but the last of all items is full, and it sorts last: position * block_items
  // is where a block's rows start.
  const std::size_t rows =
      ids.empty() ? 0 : (ids.size() - 1) * cfg_.block_items + block_items(ids.back());
  mf::factor_rows items(rows, rank);
  for (std::size_t j = 0; j < ids.size(); ++j) {
    const auto& v = values.at(ids[j]);
    if (v.size() != block_items(ids[j]) * stride_) {
      throw error("matrix_factorization: server key " + block_key(ids[j]) + " holds " +
                  std::to_string(v.size()) + " floats, not " +
                  std::to_string(block_items(ids[j]) * stride_) + " (" +
                  std::to_string(block_items(ids[j])) + " items x (1 + rank " +
                  std::to_string(rank) + ")): another job's model on these servers?");
    }
    for (std::size_t i = 0; i < block_items(ids[j]); ++i) {
      const std::size_t row = j * cfg_.block_items + i;
      items.bias[row] = v[i * stride_];
      std::copy_n(&v[i * stride_ + 1], rank, items.row(row));
    }
  }
  return items;
}

std::vector<float> matrix_factorization::pack_block(const mf::factor_rows& items,
                                                    std::size_t position,
                                                    std::uint64_t block) const {
  const std::size_t rank = stride_ - 1;
  std::vector<float> out(block_items(block) * stride_);
  for (std::size_t i = 0; i < block_items(block); ++i) {
    const std::size_t row = position * cfg_.block_items + i;
    out[i * stride_] = items.bias[row];
    std::copy_n(items.row(row), rank, &out[i * stride_ + 1]);
  }
  return out;
}

void matrix_factorization::init_items() {
  // Each item is initialised by the one worker that names it, so every block ends up
  // holding exactly its items' initial values, whatever the number of workers.
  blocks mine;
  std::vector<double> draw(stride_ - 1);
  for (const auto& [item, name] : data_.owned_items) {
    auto& block = mine[block_of(item)];
    if (block.empty()) block.assign(block_items(block_of(item)) * stride_, 0.0f);
    const std::size_t at = (item % cfg_.block_items) * stride_;
    init_factors(name, cfg_.seed, draw.data(), draw.size());
    std::copy(draw.begin(), draw.end(), &block[at + 1]);
  }
  // Zeros first (one worker), so that every block exists before the adds.
  if (get_worker_id() == 0) {
    const std::uint64_t count = (data_.items + cfg_.block_items - 1) / cfg_.block_items;
    for (std::uint64_t b = 0; b < count; ++b)
      paracel_write(block_key(b), std::vector<float>(block_items(b) * stride_, 0.0f));
  }
  paracel_sync();
  std::vector<std::string> keys;
  std::vector<std::vector<float>> values;
  for (auto& [b, v] : mine) {
    keys.push_back(block_key(b));
    values.push_back(std::move(v));
  }
  if (!keys.empty()) paracel_bupdate_multi(keys, values, builtin::add);
}

// ---- training ----------------------------------------------------------------------------

void matrix_factorization::build_strata() {
  const auto workers = static_cast<std::size_t>(get_worker_size());
  const std::uint64_t block_count = (data_.items + cfg_.block_items - 1) / cfg_.block_items;
  std::vector<std::uint8_t> touched(block_count, 0);
  for (const auto& r : data_.train) touched[block_of(r.item)] = 1;
  // Each touched block's position in its stratum: a rating's item row is position *
  // block_items + its offset in the block.
  std::vector<std::uint32_t> position(block_count, 0);
  strata_.assign(workers, {});
  for (std::uint64_t b = 0; b < block_count; ++b) {
    if (!touched[b]) continue;
    auto& blocks = strata_[b % workers].blocks;
    position[b] = static_cast<std::uint32_t>(blocks.size());
    blocks.push_back(b);
  }
  std::vector<std::vector<mf::sgd_rating>> ratings(workers);
  for (const auto& r : data_.train) {
    const std::uint64_t b = block_of(r.item);
    const auto row = position[b] * cfg_.block_items + r.item % cfg_.block_items;
    ratings[b % workers].push_back(
        {r.user, static_cast<std::uint32_t>(row), static_cast<float>(r.value)});
  }
  // The tiles' training order is all that is kept of the ratings.
  data_.train = {};
  const auto shape = mf::default_tile_shape(users_.width);
  for (std::size_t s = 0; s < workers; ++s)
    strata_[s].tiles = mf::rating_tiles(std::move(ratings[s]), shape);
}

void matrix_factorization::train() {
  data_ = load_mf_data(*this, cfg_.input, cfg_.test_input);
  if (data_.items > std::uint64_t{1} << 31 || data_.users.size() > std::size_t{1} << 31)
    throw error("matrix_factorization: more than 2^31 users or items on one worker");
  stride_ = static_cast<std::size_t>(cfg_.rank) + 1;
  const auto rank = static_cast<std::size_t>(cfg_.rank);
  users_ = mf::factor_rows(data_.users.size(), rank);
  std::vector<double> draw(rank);
  for (std::size_t u = 0; u < data_.users.size(); ++u) {
    init_factors(data_.users[u], cfg_.seed, draw.data(), rank);
    std::copy(draw.begin(), draw.end(), users_.row(u));
  }
  build_strata();

  const int workers_count = get_worker_size();
  const int first_clock = get_current_iter();  // 0, or the resumed checkpoint's
  if (const auto* state = resumed_state()) {
    // The item blocks are back on the servers; the user rows come from the state.
    auto factors = state->get<std::vector<float>>("user_factors");
    auto bias = state->get<std::vector<float>>("user_bias");
    if (factors.size() != users_.factors.size() || bias.size() != users_.bias.size())
      throw error(
          "matrix_factorization: the checkpoint's user factors are for other data or "
          "another rank");
    users_.factors = std::move(factors);
    users_.bias = std::move(bias);
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
  for (const auto& s : strata_) needed.insert(s.blocks.begin(), s.blocks.end());
  for (const auto& r : data_.test) needed.insert(block_of(r.item));
  for (const auto& [item, name] : data_.owned_items) needed.insert(block_of(item));
  write_results(read_blocks({needed.begin(), needed.end()}));
}

void matrix_factorization::save_state(worker_state& state) const {
  state.put("user_factors", users_.factors);
  state.put("user_bias", users_.bias);
}

void matrix_factorization::run_stratum(int epoch, int index) {
  const auto& s = strata_[static_cast<std::size_t>(index)];
  const blocks start = read_blocks(s.blocks);
  mf::factor_rows items = unpack_items(s.blocks, start);
  const mf::sgd_step step{static_cast<float>(data_.global_mean),
                          static_cast<float>(cfg_.learning_rate * std::pow(cfg_.decay, epoch)),
                          static_cast<float>(cfg_.l2)};
  auto rng = stream(cfg_.seed, get_worker_id(), index, epoch);
  double squared = 0;  // of each rating before its step: the stratum's running error
  for (auto t : s.tiles.visit_order(rng))
    squared += mf::sgd_run(s.tiles.begin(t), s.tiles.end(t), users_, items, step);
  // No other worker changes these blocks at this clock: adding the change makes the stored
  // blocks equal to the local result (under BSP), without a lost update when stale.
  std::vector<std::string> keys;
  std::vector<std::vector<float>> deltas;
  for (std::size_t j = 0; j < s.blocks.size(); ++j) {
    auto delta = pack_block(items, j, s.blocks[j]);
    const auto& old = start.at(s.blocks[j]);
    for (std::size_t i = 0; i < delta.size(); ++i) delta[i] -= old[i];
    keys.push_back(block_key(s.blocks[j]));
    deltas.push_back(std::move(delta));
  }
  if (!keys.empty()) paracel_bupdate_multi(keys, deltas, builtin::add);
  if (s.tiles.size() > 0) report("rmse", std::sqrt(squared / static_cast<double>(s.tiles.size())));
  iter_commit();
}

// ---- evaluation and output ---------------------------------------------------------------

double matrix_factorization::predict_one(const mf_rating& r, const blocks& items) const {
  double predicted = data_.global_mean;
  const bool user_known = data_.user_trained[r.user] != 0;
  const bool item_known = data_.item_workers[r.item] != 0;
  const float* user = users_.row(r.user);
  const float* item = &items.at(block_of(r.item))[(r.item % cfg_.block_items) * stride_];
  if (user_known) predicted += static_cast<double>(users_.bias[r.user]);
  if (item_known) predicted += item[0];
  // In double and in this order, as predict mode does from the written factors: the same
  // held-out RMSE to the last bit.
  if (user_known && item_known) {
    for (std::size_t f = 1; f < stride_; ++f)
      predicted += static_cast<double>(user[f - 1]) * static_cast<double>(item[f]);
  }
  return predicted;
}

double matrix_factorization::train_squared_error(const blocks& items) {
  double sum = 0;
  for (const auto& s : strata_) {
    const auto rows = unpack_items(s.blocks, items);
    const auto mean = static_cast<float>(data_.global_mean);
    for (std::size_t t = 0; t < s.tiles.tiles(); ++t) {
      for (const auto* r = s.tiles.begin(t); r != s.tiles.end(t); ++r) {
        const double e = r->value - mf::predict(users_, r->user, rows, r->item, mean);
        sum += e * e;
      }
    }
  }
  return get_comm().allreduce(sum, reduce_op::sum);
}

double matrix_factorization::test_squared_error(const blocks& items) {
  double sum = 0;
  for (const auto& r : data_.test) {
    const double e = r.value - predict_one(r, items);
    sum += e * e;
  }
  return get_comm().allreduce(sum, reduce_op::sum);
}

void matrix_factorization::write_results(const blocks& items) {
  const double train_rmse =
      std::sqrt(train_squared_error(items) / static_cast<double>(data_.train_total));
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
        std::sqrt(test_squared_error(items) / static_cast<double>(data_.test_total));
    report("test_rmse", test_rmse);
    m.set("test_ratings", static_cast<std::int64_t>(data_.test_total)).set("test_rmse", test_rmse);
  }

  const std::size_t rank = stride_ - 1;
  std::vector<std::string> users, item_lines;
  for (std::size_t u = 0; u < data_.users.size(); ++u) {
    if (!data_.user_trained[u]) continue;
    users.push_back(data_.users[u] + "\t" + join(&users_.bias[u], 1) + "\t" +
                    join(users_.row(u), rank));
  }
  for (const auto& [item, name] : data_.owned_items) {
    if (data_.item_workers[item] == 0) continue;
    const float* v = &items.at(block_of(item))[(item % cfg_.block_items) * stride_];
    item_lines.push_back(name + "\t" + join(v, 1) + "\t" + join(v + 1, rank));
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
