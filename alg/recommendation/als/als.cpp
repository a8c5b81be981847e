#include "als.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <set>
#include <sstream>

#include "factor_init.hpp"
#include "paracel/load.hpp"
#include "predict_pairs.hpp"
#include "server_sum.hpp"

namespace paracel::alg {

namespace {

constexpr const char* k_users = "als/user/";
constexpr const char* k_items = "als/item/";
constexpr const char* k_gram = "als/gram/";

std::string factors_line(const std::string& name, const double* factors, std::size_t k) {
  std::ostringstream out;
  out << std::setprecision(17) << name << '\t';
  for (std::size_t f = 0; f < k; ++f) out << (f ? " " : "") << factors[f];
  return out.str();
}

// "name<TAB>f1 ... fk" lines of every file of `pattern`: name -> factors. Read whole by
// every worker, so an error is raised on every worker.
std::unordered_map<std::string, std::vector<double>> read_factor_file(const std::string& pattern,
                                                                      int rank) {
  std::unordered_map<std::string, std::vector<double>> out;
  const auto files = expand_inputs(pattern);
  if (files.empty()) throw error("no file matches " + pattern);
  for_each_line(files, [&](std::string_view line, const line_location& where) {
    const auto fields = split_fields(line);
    if (fields.empty()) return;
    std::vector<double> values;
    for (std::size_t f = 1; f < fields.size(); ++f)
      values.push_back(parse_number(fields[f], where, line));
    if (rank >= 0 && values.size() != static_cast<std::size_t>(rank)) {
      throw_parse_error(where, line,
                        "expected a name and " + std::to_string(rank) + " factors, got " +
                            std::to_string(values.size()));
    }
    if (!out.emplace(std::string(fields[0]), std::move(values)).second)
      throw_parse_error(where, line, "repeats the factors of '" + std::string(fields[0]) + "'");
  });
  return out;
}

}  // namespace

als::als(paralg_options options, als_config cfg)
    : paralg(std::move(options)), cfg_(std::move(cfg)) {}

void als::solve() {
  if (cfg_.mode == "predict") {
    predict();
  } else {
    train();
  }
}

// ---- factor blocks on the servers --------------------------------------------------------

void als::write_blocks(const std::string& name, const als_side& side, const factor_rows& rows) {
  std::vector<std::string> keys;
  std::vector<std::vector<double>> values;
  std::uint64_t at = 0;  // local row where the block starts
  for (auto b : side.blocks) {
    const std::uint64_t n = side.layout.rows_in(b);
    const double* first = rows.data() + at * stride_;
    keys.push_back(name + std::to_string(b));
    values.emplace_back(first, first + n * stride_);
    at += n;
  }
  if (!keys.empty()) paracel_write_multi(keys, values);
}

als::fixed_rows als::read_fixed(const als_side& solving, const std::string& fixed_name,
                                const als_side& fixed_side) {
  std::set<std::uint64_t> needed;
  for (const auto* ratings : {&solving.train, &solving.test})
    for (auto id : ratings->others) needed.insert(fixed_side.layout.block_of(id));
  std::vector<std::string> keys;
  for (auto b : needed) keys.push_back(fixed_name + std::to_string(b));
  auto values = paracel_read_multi<std::vector<double>>(keys);
  fixed_rows out;
  out.block_rows = fixed_side.layout.block_rows;
  out.stride = stride_;
  std::size_t i = 0;
  for (auto b : needed) out.blocks.emplace(b, std::move(values[i++]));
  return out;
}

Eigen::MatrixXd als::side_gram(const factor_rows& rows, int step) {
  const auto k = static_cast<Eigen::Index>(stride_ - 1);
  const Eigen::MatrixXd factors = rows.rightCols(k);
  const Eigen::MatrixXd local = factors.transpose() * factors;
  const std::string key = k_gram + std::to_string(step);
  const Eigen::VectorXd sum =
      sum_over_workers(*this, key, Eigen::Map<const Eigen::VectorXd>(local.data(), local.size()));
  // Every worker has read the previous step's sum before this step's synchronisation.
  if (get_worker_id() == 0 && step > 0)
    paracel_remove_special(prefix_filter(k_gram + std::to_string(step - 1) + "/"));
  return Eigen::Map<const Eigen::MatrixXd>(sum.data(), k, k);
}

// ---- training ----------------------------------------------------------------------------

void als::init_items() {
  const auto k = static_cast<std::size_t>(cfg_.rank);
  std::unordered_map<std::string, std::vector<double>> given;
  if (!cfg_.initial_item_factors.empty())
    given = read_factor_file(cfg_.initial_item_factors, cfg_.rank);
  get_comm().all_or_none([&] {
    for (std::size_t r = 0; r < data_.items.names.size(); ++r) {
      const std::string& name = data_.items.names[r].second;
      double* row = items_.row(static_cast<Eigen::Index>(r)).data();
      if (row[0] == 0) continue;  // no training ratings: factors 0, as in every half-step
      if (cfg_.initial_item_factors.empty()) {
        init_factors(name, cfg_.seed, row + 1, k);
        continue;
      }
      const auto it = given.find(name);
      if (it == given.end())
        throw error(cfg_.initial_item_factors + ": no factors for item '" + name + "'");
      std::copy(it->second.begin(), it->second.end(), row + 1);
    }
  });
  write_blocks(k_items, data_.items, items_);
  paracel_sync();
}

void als::train() {
  data_ = load_als_data(*this, cfg_.input, cfg_.test_input,
                        static_cast<std::uint64_t>(cfg_.block_rows), cfg_.implicit());
  if (cfg_.implicit()) {
    get_comm().all_or_none([&] {
      for (double v : data_.users.train.values)
        if (v < 0)
          throw error("als: implicit feedback must not be negative, got " + std::to_string(v) +
                      " in " + cfg_.input);
    });
  }
  stride_ = static_cast<std::size_t>(cfg_.rank) + 1;
  problem_ = {cfg_.implicit(), cfg_.alpha,          cfg_.lambda,  cfg_.weighted(),
              nullptr,         cfg_.solver == "cg", cfg_.cg_steps};
  auto setup = [&](factor_rows& rows, const als_side& side) {
    rows =
        factor_rows::Zero(static_cast<Eigen::Index>(side.rows), static_cast<Eigen::Index>(stride_));
    for (std::size_t r = 0; r < side.train.size(); ++r)
      rows(static_cast<Eigen::Index>(r), 0) =
          static_cast<double>(side.train.offsets[r + 1] - side.train.offsets[r]);
  };
  setup(users_, data_.users);
  setup(items_, data_.items);
  int it = get_current_iter();
  bool settled = false;
  if (const auto* state = resumed_state()) {
    // Both sides' rows are back on the servers; this worker's copies and the trace come from
    // its state, as does what decides whether the iterations had settled.
    restore_state(*state);
    iterations_run_ = it;
    const objective before = objective_of(state->get<std::vector<double>>("before"));
    settled = it > 1 && before.value - last_.value < cfg_.tolerance * before.value;
  } else {
    init_items();
  }

  set_total_iters(cfg_.iterations);
  const auto start = std::chrono::steady_clock::now();
  Eigen::MatrixXd no_gram;
  for (; it < cfg_.iterations && !settled; ++it) {
    const Eigen::MatrixXd item_gram = cfg_.implicit() ? side_gram(items_, 2 * it) : no_gram;
    half_step(data_.users, users_, k_users, read_fixed(data_.users, k_items, data_.items),
              item_gram);
    const Eigen::MatrixXd user_gram = cfg_.implicit() ? side_gram(users_, 2 * it + 1) : no_gram;
    const fixed_rows users = read_fixed(data_.items, k_users, data_.users);
    half_step(data_.items, items_, k_items, users, user_gram);
    const objective now = evaluate(users, user_gram);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    trace_.push_back(
        {static_cast<double>(it + 1), now.value, now.train_rmse, now.test_rmse, seconds});
    report("objective", now.value);
    report("rmse", now.train_rmse);
    before_ = last_;
    last_ = now;
    iter_commit();
    iterations_run_ = it + 1;
    settled = it > 0 && before_.value - now.value < cfg_.tolerance * before_.value;
  }
  train_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_results(last_);
}

namespace {

std::vector<double> flat(const als::factor_rows& rows) {
  return {rows.data(), rows.data() + rows.size()};
}

void unflatten(const std::vector<double>& values, als::factor_rows& rows) {
  if (static_cast<Eigen::Index>(values.size()) != rows.size()) {
    throw error("als: the checkpoint's factors have " + std::to_string(values.size()) +
                " values; this worker's data needs " + std::to_string(rows.size()));
  }
  rows = Eigen::Map<const als::factor_rows>(values.data(), rows.rows(), rows.cols());
}

}  // namespace

als::objective als::objective_of(const std::vector<double>& v) {
  if (v.size() != 3) throw error("als: malformed objective in the checkpoint");
  return {v[0], v[1], v[2]};
}

// Called from the iteration's commit: last_ is that iteration's objective, before_ the one
// of the iteration before it.
void als::save_state(worker_state& state) const {
  state.put("users", flat(users_));
  state.put("items", flat(items_));
  state.put("trace", trace_);
  state.put("last", std::vector<double>{last_.value, last_.train_rmse, last_.test_rmse});
  state.put("before", std::vector<double>{before_.value, before_.train_rmse, before_.test_rmse});
}

void als::restore_state(const worker_state& state) {
  unflatten(state.get<std::vector<double>>("users"), users_);
  unflatten(state.get<std::vector<double>>("items"), items_);
  trace_ = state.get<std::vector<std::vector<double>>>("trace");
  last_ = objective_of(state.get<std::vector<double>>("last"));
}

void als::half_step(const als_side& solving, factor_rows& solved, const std::string& solved_name,
                    const fixed_rows& fixed, const Eigen::MatrixXd& gram) {
  row_problem p = problem_;
  p.gram = &gram;
  const auto k = static_cast<Eigen::Index>(stride_ - 1);
  const rating_rows& ratings = solving.train;
  Eigen::MatrixXd y;
  Eigen::VectorXd r;
  get_comm().all_or_none([&] {
    for (std::size_t row = 0; row < ratings.size(); ++row) {
      const auto first = ratings.offsets[row];
      const auto n = static_cast<Eigen::Index>(ratings.offsets[row + 1] - first);
      if (n == 0) continue;  // nothing to learn it from: its factors stay 0
      y.resize(n, k);
      r.resize(n);
      for (Eigen::Index i = 0; i < n; ++i) {
        y.row(i) =
            Eigen::Map<const Eigen::RowVectorXd>(fixed.row(ratings.others[first + i]) + 1, k);
        r[i] = ratings.values[first + i];
      }
      auto x = solved.row(static_cast<Eigen::Index>(row)).tail(k);
      x = solve_row(p, y, r, x.transpose()).transpose();
    }
  });
  write_blocks(solved_name, solving, solved);
  paracel_sync();
}

als::objective als::evaluate(const fixed_rows& users, const Eigen::MatrixXd& user_gram) {
  // Over the items this worker solved and their ratings, with the users' current factors.
  const auto k = static_cast<Eigen::Index>(stride_ - 1);
  auto predict = [&](std::size_t item, std::uint64_t user) {
    const Eigen::Map<const Eigen::VectorXd> x(users.row(user) + 1, k);
    return x.dot(items_.row(static_cast<Eigen::Index>(item)).tail(k));
  };
  double fit = 0, train_squared = 0, test_squared = 0;
  const rating_rows& train = data_.items.train;
  for (std::size_t i = 0; i < train.size(); ++i) {
    for (auto at = train.offsets[i]; at < train.offsets[i + 1]; ++at) {
      const double predicted = predict(i, train.others[at]);
      const double value = train.values[at];
      train_squared += (value - predicted) * (value - predicted);
      // Implicit: the rated pairs' part of sum over all pairs c (p - x.y)^2, whose
      // unrated part (x.y)^2 is counted below for every pair, so taken out here.
      if (cfg_.implicit()) {
        fit += (1 + cfg_.alpha * value) * (1 - predicted) * (1 - predicted) - predicted * predicted;
      }
    }
  }
  if (cfg_.implicit()) {
    // sum over every (user, item) of (x_u.y_i)^2 = sum_i y_i' (X'X) y_i.
    const Eigen::MatrixXd y = items_.rightCols(k);
    fit += (y * user_gram).cwiseProduct(y).sum();
  } else {
    fit = train_squared;
  }
  const rating_rows& test = data_.items.test;
  for (std::size_t i = 0; i < test.size(); ++i) {
    for (auto at = test.offsets[i]; at < test.offsets[i + 1]; ++at) {
      // A user or item without training ratings has no factors: the global mean.
      const bool known =
          items_(static_cast<Eigen::Index>(i), 0) > 0 && users.row(test.others[at])[0] > 0;
      const double predicted = known ? predict(i, test.others[at]) : data_.global_mean;
      test_squared += (test.values[at] - predicted) * (test.values[at] - predicted);
    }
  }
  // The penalty of every row this worker solves, on both sides.
  double penalty = 0;
  for (const auto* rows : {&users_, &items_}) {
    const Eigen::VectorXd weight =
        cfg_.weighted() ? Eigen::VectorXd(rows->col(0)) : Eigen::VectorXd::Ones(rows->rows());
    penalty += cfg_.lambda * weight.dot(rows->rightCols(k).rowwise().squaredNorm());
  }
  // Over the training pairs as held: the lines, or with implicit feedback distinct pairs.
  const auto observed = static_cast<double>(train.others.size());
  const std::vector<double> sums = get_comm().allreduce(
      std::vector<double>{fit + penalty, train_squared, test_squared, observed}, reduce_op::sum);
  objective out;
  out.value = sums[0];
  out.train_rmse = std::sqrt(sums[1] / sums[3]);
  if (data_.test_total > 0)
    out.test_rmse = std::sqrt(sums[2] / static_cast<double>(data_.test_total));
  return out;
}

// ---- output ----------------------------------------------------------------------------------

void als::write_results(const objective& last) {
  report("objective", last.value);
  report("rmse", last.train_rmse);
  metrics m;
  m.set("feedback", cfg_.feedback)
      .set("rank", cfg_.rank)
      .set("lambda", cfg_.lambda)
      .set("regularization", cfg_.regularization)
      .set("solver", cfg_.solver)
      .set("iterations", iterations_run_)
      .set("workers", get_worker_size())
      .set("users", static_cast<std::int64_t>(data_.users.layout.count))
      .set("items", static_cast<std::int64_t>(data_.items.layout.count))
      .set("global_mean", data_.global_mean)
      .set("train_ratings", data_.train_total)
      .set("train_seconds", train_seconds_)
      .set("objective", last.value)
      .set("train_rmse", last.train_rmse)
      .set("trace", trace_);  // [iteration, objective, train RMSE, test RMSE, seconds]
  if (cfg_.implicit()) m.set("alpha", cfg_.alpha);
  if (data_.test_total > 0)
    m.set("test_ratings", data_.test_total).set("test_rmse", last.test_rmse);

  const auto k = stride_ - 1;
  auto lines = [&](const als_side& side, const factor_rows& rows) {
    std::vector<std::string> out;
    for (std::size_t r = 0; r < side.names.size(); ++r) {
      if (rows(static_cast<Eigen::Index>(r), 0) == 0) continue;  // no training ratings
      out.push_back(
          factors_line(side.names[r].second, rows.row(static_cast<Eigen::Index>(r)).data() + 1, k));
    }
    return out;
  };
  paracel_dump_vector(lines(data_.users, users_), "user_factors");
  paracel_dump_vector(lines(data_.items, items_), "item_factors");
  paracel_dump_metrics(m, "als");
}

// ---- prediction ----------------------------------------------------------------------------

void als::predict() {
  const std::string folder = cfg_.model_input + "/";
  const double mean = config::load(folder + "metrics.json").get<double>("global_mean");
  const auto users = read_factor_file(folder + "user_factors", -1);
  const auto items = read_factor_file(folder + "item_factors", -1);
  predict_pairs(*this, cfg_.input, [&](std::string_view user, std::string_view item) {
    const auto u = users.find(std::string(user));
    const auto i = items.find(std::string(item));
    if (u == users.end() || i == items.end()) return mean;  // no factors for one of them
    double predicted = 0;
    for (std::size_t f = 0; f < u->second.size() && f < i->second.size(); ++f)
      predicted += u->second[f] * i->second[f];
    return predicted;
  });
}

}  // namespace paracel::alg
