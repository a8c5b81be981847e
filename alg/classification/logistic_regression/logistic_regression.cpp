#include "logistic_regression.hpp"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <numeric>
#include <sstream>
#include <thread>

#include "lr_math.hpp"

namespace paracel::alg {

namespace {

constexpr const char* k_plugin = "liblogistic_regression_plugin.so";

std::vector<double> to_std(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }

}  // namespace

logistic_regression::logistic_regression(paralg_options options, lr_config cfg)
    : paralg(std::move(options)),
      cfg_(std::move(cfg)),
      rng_(cfg_.seed * 7919ull + static_cast<unsigned>(get_worker_id())) {}

void logistic_regression::solve() {
  if (cfg_.mode == "predict") {
    predict();
  } else {
    train();
  }
}

// ---- training -------------------------------------------------------------------------

void logistic_regression::train() {
  const auto load_start = std::chrono::steady_clock::now();
  train_ = load_examples(*this, cfg_.input, cfg_.format, cfg_.bias);
  load_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
  if (train_.total_rows == 0) throw error("logistic_regression: no examples in " + cfg_.input);
  // Mini-batches walk a fixed random order of this worker's rows.
  std::vector<int> order(static_cast<std::size_t>(train_.x.rows()));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng_);
  Eigen::PermutationMatrix<Eigen::Dynamic, Eigen::Dynamic> shuffle(
      Eigen::Map<Eigen::VectorXi>(order.data(), static_cast<Eigen::Index>(order.size())));
  train_.x = shuffle.transpose() * train_.x;
  train_.y = shuffle.transpose() * train_.y;

  create_model(train_.x.cols());
  rate_ = cfg_.learning_rate > 0 ? cfg_.learning_rate : 1 / lipschitz_bound();
  previous_ = Eigen::VectorXd::Zero(dimension_);
  if (const auto* state = resumed_state()) {  // the model is back on the servers already
    const auto previous = state->get<std::vector<double>>("previous");
    previous_ = Eigen::Map<const Eigen::VectorXd>(previous.data(),
                                                  static_cast<Eigen::Index>(previous.size()));
    next_row_ = state->get<std::int64_t>("next_row");
    if (state->has("lbfgs_pairs"))  // absent in checkpoints of earlier versions
      lbfgs_pairs_ = state->get<std::vector<double>>("lbfgs_pairs");
  }
  paracel_sync();
  start_ = std::chrono::steady_clock::now();
  if (cfg_.method == "dgd") {
    train_dgd();
  } else if (cfg_.method == "ipm") {
    train_ipm();
  } else if (cfg_.method == "lbfgs") {
    train_lbfgs();
  } else {
    train_sgd(cfg_.method == "agd");
  }
  paracel_sync();  // every worker's last update is in
  train_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  write_results(read_model(final_buffer()));
}

void logistic_regression::save_state(worker_state& state) const {
  state.put("previous", std::vector<double>(previous_.data(), previous_.data() + previous_.size()));
  state.put("next_row", static_cast<std::int64_t>(next_row_));
  state.put("lbfgs_pairs", lbfgs_pairs_);
}

void logistic_regression::train_dgd() {
  const double n = static_cast<double>(train_.total_rows);
  const double workers = get_worker_size();
  set_total_iters(cfg_.rounds);
  for (int t = get_current_iter(); t < cfg_.rounds; ++t) {
    const Eigen::VectorXd x = read_model(t % 2);
    snapshot(t, x);
    const Eigen::VectorXd y = x + t / (t + 3.0) * (x - previous_);  // Nesterov's look-ahead
    // This worker's share of x_{t+1} - x_t = (y - x) - rate * grad f(y).
    double loss = 0;
    const Eigen::VectorXd gradient =
        logistic_gradient(train_.x, train_.y, y, &loss) / n + cfg_.l2 / workers * y;
    report_loss(loss, train_.x.rows(), y);
    advance_model(t, x, previous_, (y - x) / workers - rate_ * gradient);
    previous_ = x;
    maybe_straggle();
    iter_commit();
  }
}

void logistic_regression::train_ipm() {
  const double workers = get_worker_size();
  set_total_iters(cfg_.rounds);
  const Eigen::Index rows = train_.x.rows();
  for (int pass = get_current_iter(); pass < cfg_.rounds; ++pass) {
    const Eigen::VectorXd x = read_model(pass % 2);
    snapshot(pass, x);
    Eigen::VectorXd w = x;
    const double rate = rate_at_pass(pass);
    double loss = 0;  // of each batch before its step: the pass's running loss
    for (Eigen::Index first = 0; first < rows; first += cfg_.batch_size) {
      const Eigen::Index len = std::min<Eigen::Index>(cfg_.batch_size, rows - first);
      const sparse_rows batch = train_.x.middleRows(first, len);
      const Eigen::VectorXd gradient =
          logistic_gradient(batch, train_.y.segment(first, len), w, &loss) /
              static_cast<double>(len) +
          cfg_.l2 * w;
      w -= rate * gradient;
    }
    report_loss(loss, rows, x);
    advance_model(pass, x, previous_, (w - x) / workers);  // x_{t+1}: the local models' mean
    previous_ = x;
    maybe_straggle();
    iter_commit();
  }
}

void logistic_regression::train_sgd(bool adagrad) {
  const double workers = get_worker_size();
  const Eigen::Index rows = train_.x.rows();
  // Every worker takes as many steps per pass as the largest share needs, so that clocks
  // line up; smaller shares wrap around.
  const auto steps = static_cast<int>(get_comm().allreduce(
      (static_cast<std::int64_t>(rows) + cfg_.batch_size - 1) / cfg_.batch_size, reduce_op::max));
  const int total_steps = cfg_.rounds * steps;
  // Downpour's n_fetch and n_push: one clock per push, so that the SSP bound counts pushes.
  const int clocks = (total_steps + cfg_.push_every - 1) / cfg_.push_every;
  set_total_iters(clocks);
  // This worker's copy of the model: the last one read plus its own steps since, of which
  // `unpushed` have not reached the servers yet.
  Eigen::VectorXd x;
  Eigen::VectorXd unpushed = Eigen::VectorXd::Zero(dimension_);
  Eigen::Index& next = next_row_;
  for (int clock = get_current_iter(); clock < clocks; ++clock) {
    const int last_step = std::min(total_steps, (clock + 1) * cfg_.push_every);
    for (int step = clock * cfg_.push_every; step < last_step; ++step) {
      if (step % cfg_.fetch_every == 0 || x.size() == 0) x = read_model(0) + unpushed;
      if (step == clock * cfg_.push_every) snapshot(clock, x);
      const double rate = rate_at_pass(step / steps);
      Eigen::VectorXd gradient = cfg_.l2 * x;
      if (rows > 0) {
        if (next >= rows) next = 0;
        const Eigen::Index len = std::min<Eigen::Index>(cfg_.batch_size, rows - next);
        const sparse_rows batch = train_.x.middleRows(next, len);
        double loss = 0;
        gradient += logistic_gradient(batch, train_.y.segment(next, len), x, &loss) /
                    static_cast<double>(len);
        report_loss(loss, len, x);
        next += len;
      }
      if (adagrad) {  // fetch_every = push_every = 1: the servers take the step
        adagrad_step(rate / workers, gradient);
      } else {
        const Eigen::VectorXd delta = -rate / workers * gradient;
        x += delta;
        unpushed += delta;
      }
    }
    if (!adagrad) {
      add_to_model(0, unpushed);
      unpushed.setZero();
    }
    maybe_straggle();
    iter_commit();
  }
}

// ---- the model on the servers ----------------------------------------------------------

void logistic_regression::create_model(Eigen::Index dimension) {
  dimension_ = dimension;
  const std::string space = "lr/" + cfg_.method + "/";
  for (int b = 0; b < buffers(); ++b) {
    block_keys_[b].clear();
    for (Eigen::Index first = 0; first < dimension; first += cfg_.block_size) {
      block_keys_[b].push_back(space + std::to_string(b) + "/" +
                               std::to_string(first / cfg_.block_size));
    }
  }
  if (get_worker_id() != 0 || resuming()) return;
  std::vector<std::vector<double>> blocks;
  for (Eigen::Index first = 0; first < dimension; first += cfg_.block_size) {
    const auto len = std::min<Eigen::Index>(cfg_.block_size, dimension - first);
    blocks.emplace_back(static_cast<std::size_t>(cfg_.method == "agd" ? 2 * len : len), 0.0);
  }
  for (int b = 0; b < buffers(); ++b) paracel_write_multi(block_keys_[b], blocks);
}

Eigen::VectorXd logistic_regression::read_model(int buffer) {
  const auto blocks = paracel_read_multi<std::vector<double>>(block_keys_[buffer]);
  Eigen::VectorXd w(dimension_);
  Eigen::Index at = 0;
  for (const auto& block : blocks) {
    // AdaGrad blocks hold the weights, then the squared-gradient sums.
    const auto len =
        static_cast<Eigen::Index>(cfg_.method == "agd" ? block.size() / 2 : block.size());
    w.segment(at, len) = Eigen::Map<const Eigen::VectorXd>(block.data(), len);
    at += len;
  }
  return w;
}

void logistic_regression::advance_model(int t, const Eigen::VectorXd& x,
                                        const Eigen::VectorXd& previous,
                                        const Eigen::VectorXd& step) {
  add_to_model((t + 1) % 2, (x - previous) / get_worker_size() + step);
}

std::vector<std::vector<double>> logistic_regression::split_blocks(const Eigen::VectorXd& v) const {
  std::vector<std::vector<double>> parts;
  for (Eigen::Index first = 0; first < dimension_; first += cfg_.block_size) {
    const auto len = std::min<Eigen::Index>(cfg_.block_size, dimension_ - first);
    parts.push_back(to_std(v.segment(first, len)));
  }
  return parts;
}

void logistic_regression::add_to_model(int buffer, const Eigen::VectorXd& delta) {
  paracel_bupdate_multi(block_keys_[buffer], split_blocks(delta), builtin::add);
}

void logistic_regression::write_model(const Eigen::VectorXd& w) {
  if (get_worker_id() == 0) paracel_write_multi(block_keys_[0], split_blocks(w));
}

void logistic_regression::adagrad_step(double rate, const Eigen::VectorXd& gradient) {
  std::vector<std::vector<double>> parts;
  for (Eigen::Index first = 0; first < dimension_; first += cfg_.block_size) {
    const auto len = std::min<Eigen::Index>(cfg_.block_size, dimension_ - first);
    std::vector<double> part{rate};
    part.insert(part.end(), gradient.data() + first, gradient.data() + first + len);
    parts.push_back(std::move(part));
  }
  paracel_bupdate_multi(block_keys_[0], parts, k_plugin, "lr_adagrad");
}

// ---- helpers ---------------------------------------------------------------------------

double logistic_regression::lipschitz_bound() {
  // The gradient's Lipschitz constant is at most lambda_max(X'X) / (4 n) + l2: estimate
  // lambda_max by power iteration over every worker's rows (30 steps, 10% margin).
  Eigen::VectorXd v = Eigen::VectorXd::Ones(dimension_).normalized();
  double eigenvalue = 0;
  for (int i = 0; i < 30; ++i) {
    const Eigen::VectorXd local = train_.x.transpose() * (train_.x * v);
    const auto summed = get_comm().allreduce(to_std(local), reduce_op::sum);
    const Eigen::VectorXd next = Eigen::Map<const Eigen::VectorXd>(summed.data(), dimension_);
    eigenvalue = next.norm();
    if (eigenvalue == 0) break;
    v = next / eigenvalue;
  }
  return 1.1 * eigenvalue / (4.0 * static_cast<double>(train_.total_rows)) + cfg_.l2 + 1e-12;
}

void logistic_regression::maybe_straggle() {
  if (cfg_.slow_ms <= 0 || !cfg_.slowed(get_worker_id())) return;
  if (std::uniform_real_distribution<double>(0, 1)(rng_) < cfg_.slow_prob)
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(cfg_.slow_ms));
}

void logistic_regression::report_loss(double loss_sum, Eigen::Index rows,
                                      const Eigen::VectorXd& w) {
  if (rows == 0) return;
  report("loss", loss_sum / static_cast<double>(rows) + cfg_.l2 / 2 * w.squaredNorm());
}

void logistic_regression::snapshot(int clock, const Eigen::VectorXd& w) {
  if (cfg_.eval_every <= 0 || get_worker_id() != 0 || clock % cfg_.eval_every != 0) return;
  snapshots_.emplace_back(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(), w);
}

double logistic_regression::objective(const examples& data, const Eigen::VectorXd& w,
                                      bool with_l2) {
  const double loss = get_comm().allreduce(logistic_loss(data.x, data.y, w), reduce_op::sum);
  return loss / static_cast<double>(std::max<std::int64_t>(data.total_rows, 1)) +
         (with_l2 ? cfg_.l2 / 2 * w.squaredNorm() : 0.0);
}

void logistic_regression::write_results(const Eigen::VectorXd& w) {
  const double train_objective = objective(train_, w, true);
  report("loss", train_objective);  // the final metrics line: the objective of the result
  metrics m;
  m.set("method", cfg_.method)
      .set("workers", get_worker_size())
      .set("staleness", cfg_.staleness)
      .set("fetch_every", cfg_.fetch_every)
      .set("push_every", cfg_.push_every)
      .set("rounds", cfg_.rounds)
      .set("learning_rate", rate_)
      .set("load_seconds", load_seconds_)
      .set("train_seconds", train_seconds_)
      .set("train_objective", train_objective);
  examples test;
  if (!cfg_.test_input.empty()) {
    test = load_examples(*this, cfg_.test_input, cfg_.format, cfg_.bias,
                         dimension_ - (cfg_.bias ? 1 : 0));
    const Eigen::VectorXd margins = test.x * w;
    std::int64_t correct = 0;
    for (Eigen::Index i = 0; i < margins.size(); ++i)
      correct += (margins[i] >= 0 ? 1 : -1) == test.y[i];
    correct = get_comm().allreduce(correct, reduce_op::sum);
    const double test_logloss = objective(test, w, false);
    report("test_logloss", test_logloss);
    m.set("test_rows", test.total_rows)
        .set("test_logloss", test_logloss)
        .set("test_accuracy", static_cast<double>(correct) / static_cast<double>(test.total_rows));
  }
  // The training objective (and test log-loss) at the snapshots worker 0 took, evaluated by
  // every worker after training.
  auto count = static_cast<std::int64_t>(snapshots_.size());
  get_comm().bcast(count, 0);
  std::vector<std::vector<double>> trace;
  for (std::int64_t i = 0; i < count; ++i) {
    std::vector<double> model;
    double seconds = 0;
    if (get_worker_id() == 0) {
      model = to_std(snapshots_[static_cast<std::size_t>(i)].second);
      seconds = snapshots_[static_cast<std::size_t>(i)].first;
    }
    get_comm().bcast(model, 0);
    get_comm().bcast(seconds, 0);
    const auto snapshot = Eigen::Map<const Eigen::VectorXd>(model.data(), dimension_);
    trace.push_back({seconds, objective(train_, snapshot, true)});
    if (test.total_rows > 0) trace.back().push_back(objective(test, snapshot, false));
  }
  m.set("trace", trace);
  std::vector<std::string> weights;
  if (get_worker_id() == 0) {
    for (Eigen::Index i = 0; i < w.size(); ++i) {
      std::ostringstream v;
      v << std::setprecision(17) << w[i];
      weights.push_back(v.str());
    }
  }
  paracel_dump_vector(weights, "model");
  paracel_dump_metrics(m, "logistic_regression");
}

// ---- prediction ------------------------------------------------------------------------

void logistic_regression::predict() {
  std::vector<double> weights;
  {
    std::ifstream in(cfg_.model_input);
    if (!in) throw error("cannot read model file " + cfg_.model_input);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      try {
        weights.push_back(std::stod(line));
      } catch (const std::exception&) {
        throw error(cfg_.model_input + ":" + std::to_string(weights.size() + 1) +
                    ": not a weight: '" + line + "'");
      }
    }
  }
  if (weights.empty() || (cfg_.bias && weights.size() < 2))
    throw error("model file " + cfg_.model_input + " holds no model");
  const auto w =
      Eigen::Map<const Eigen::VectorXd>(weights.data(), static_cast<Eigen::Index>(weights.size()));
  const auto data =
      load_examples(*this, cfg_.input, cfg_.format, cfg_.bias, w.size() - (cfg_.bias ? 1 : 0));
  const Eigen::VectorXd margins = data.x * w;
  std::vector<std::string> lines;
  for (Eigen::Index i = 0; i < margins.size(); ++i) {
    std::ostringstream p;
    p << std::setprecision(10) << sigmoid(margins[i]);
    lines.push_back(p.str());
  }
  paracel_dump_vector(lines, "predictions");  // in input order (worker order = line order)
}

}  // namespace paracel::alg
