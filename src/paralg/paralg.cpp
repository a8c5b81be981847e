#include "paracel/paralg.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string_view>
#include <tuple>

#include "paracel/log.hpp"
#include "paralg/iteration_log.hpp"
#include "paralg/ssp_reader.hpp"

namespace paracel {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_endpoints(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

paralg_options resolve(paralg_options options) {
  if (options.servers.empty()) {
    if (const char* info = std::getenv("PARACEL_SERVER_INFO"))
      options.servers = split_endpoints(info);
  }
  if (options.servers.empty()) {
    throw error(
        "no parameter servers: run the program through prun.py, pass "
        "--server_info=E1,E2, or set PARACEL_SERVER_INFO");
  }
  // Secure servers (prun.py --secure sets both): the servers' public certificate and this
  // client's secret one.
  const char* server_key = std::getenv("PARACEL_CURVE_SERVER_KEY");
  const char* client_key = std::getenv("PARACEL_CURVE_CLIENT_KEY");
  if (!options.client.curve && (server_key != nullptr || client_key != nullptr)) {
    if (server_key == nullptr || client_key == nullptr) {
      throw error(
          "secure mode needs both PARACEL_CURVE_SERVER_KEY (the servers' public certificate) "
          "and PARACEL_CURVE_CLIENT_KEY (this client's secret certificate)");
    }
    options.client.curve = curve_client_keys{read_certificate(client_key, true),
                                             read_certificate(server_key, false).public_key};
  }
  return options;
}

// The non-negative integer after the '=' of `arg` (which starts at `from`).
int parse_count(std::string_view arg, std::size_t from) {
  const std::string text(arg.substr(from));
  std::size_t used = 0;
  int value = -1;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < 0) {
    throw error(std::string(arg) + ": expected a non-negative integer");
  }
  return value;
}

constexpr int k_dump_tag = 0xd0;

// Where this job's iteration metrics go: <output>/metrics, or, without an output folder,
// the launcher's job folder (PARACEL_JOB_DIR, set by prun.py) so that its progress line still
// works; empty: nowhere.
std::string iteration_folder(const paralg_options& options) {
  const char* off = std::getenv("PARACEL_METRICS");
  if (!options.iteration_metrics || (off != nullptr && std::string_view(off) == "off")) return {};
  if (!options.output.empty()) return (fs::absolute(options.output) / "metrics").string();
  if (const char* job = std::getenv("PARACEL_JOB_DIR")) return std::string(job) + "/metrics";
  return {};
}

// Tells the launcher where the metrics are: <PARACEL_JOB_DIR>/metrics_dir holds the folder
// (written whole, through a rename, so that prun never reads half a path).
void tell_launcher(const std::string& folder) {
  const char* job = std::getenv("PARACEL_JOB_DIR");
  if (job == nullptr || folder.empty()) return;
  const std::string target = std::string(job) + "/metrics_dir";
  const std::string temporary = target + ".tmp";
  {
    std::ofstream out(temporary);
    out << folder << '\n';
    if (!out) {
      log::warn("cannot write ", temporary, ": prun.py shows no progress");
      return;
    }
  }
  std::error_code failed;
  fs::rename(temporary, target, failed);
  if (failed) log::warn("cannot write ", target, ": prun.py shows no progress");
}

}  // namespace

paralg_options paralg_options::from_args(int argc, char** argv) {
  paralg_options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--server_info=")) {
      options.servers = split_endpoints(std::string(arg.substr(14)));
    } else if (arg.starts_with("--output=")) {
      options.output = std::string(arg.substr(9));
    } else if (arg.starts_with("--checkpoint_dir=")) {
      options.checkpoint_dir = std::string(arg.substr(17));
    } else if (arg.starts_with("--checkpoint_every=")) {
      options.checkpoint_every = parse_count(arg, 19);
    } else if (arg.starts_with("--checkpoint_keep=")) {
      options.checkpoint_keep = parse_count(arg, 18);
    } else if (arg == "--resume") {
      options.resume = true;
    }
  }
  return options;
}

paralg::paralg(paralg_options options, comm workers)
    : workers_(std::move(workers)),
      options_(resolve(std::move(options))),
      ps_(options_.servers, options_.client) {
  log::set_identity("worker " + std::to_string(get_worker_id()));
  if (!options_.output.empty()) init_output(options_.output);
  const std::string metrics_folder = iteration_folder(options_);
  iterations_ = std::make_unique<iteration_log>(metrics_folder, get_worker_id());
  if (get_worker_id() == 0 && iterations_->enabled()) tell_launcher(metrics_folder);
  // One clock table per paralg, named by worker 0, so that algorithms (and jobs) sharing
  // servers never mix their clocks.
  std::uint64_t id = 0;
  if (get_worker_id() == 0) id = std::random_device()() * 0x100000000ull + std::random_device()();
  workers_.bcast(id, 0);
  std::ostringstream name;
  name << "paralg-" << std::hex << id;
  clock_table_ = name.str();
  const std::int64_t start = options_.resume ? resume_from_checkpoint() : -1;
  ps_.clock_register(clock_table_, get_worker_size(), get_worker_id(), -1, start);
  ssp_ = std::make_unique<ssp_reader>(
      options_.staleness,
      ssp_reader::server{[this](std::int64_t target) {
                           return ps_.clock_wait(clock_table_, target, options_.clock_timeout);
                         },
                         [this](const std::string& key) { return ps_.pull_bytes(key); },
                         [this](const std::vector<std::string>& keys, const auto& visit) {
                           ps_.pull_multi_bytes(keys, visit);
                         }});
  if (start > 0) ssp_->start_at(static_cast<int>(start));
}

paralg::~paralg() {
  // Stop holding the others back. Skipped while an exception unwinds: the job is failing,
  // and a dead server would only delay the exit by the client's deadline.
  if (std::uncaught_exceptions() > 0) return;
  if (options_.checkpoint_every > 0 && checkpoints_taken_ == 0 && get_worker_id() == 0) {
    log::warn("--checkpoint_every ", options_.checkpoint_every, ": no checkpoint was taken (",
              get_current_iter(), " clocks committed",
              get_current_iter() == 0 ? ": this program keeps no clocks)" : ")");
  }
  try {
    ps_.clock_finish(clock_table_, get_worker_id());
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): nothing left to tell
  }
}

void paralg::paracel_register_update(const std::string& file, const std::string& updater) {
  ensure_updater(file, updater);
  default_updater_ = updater;
}

void paralg::paracel_register_bupdate(const std::string& file, const std::string& updater) {
  paracel_register_update(file, updater);
}

void paralg::paracel_register_read_special(const std::string& file,
                                           const std::string& filter_name) {
  register_once(registered_filters_, file, filter_name,
                [&] { ps_.register_filter(file, filter_name); });
}

void paralg::paracel_register_remove_special(const std::string& file,
                                             const std::string& filter_name) {
  paracel_register_read_special(file, filter_name);
}

void paralg::ensure_updater(const std::string& file, const std::string& updater) {
  register_once(registered_updaters_, file, updater, [&] { ps_.register_updater(file, updater); });
}

void paralg::register_once(std::set<std::pair<std::string, std::string>>& done,
                           const std::string& file, const std::string& name,
                           const std::function<void()>& register_on_servers) {
  // Registration costs a round trip to every server: do it once per (file, name), and
  // forget a failed attempt so that it can be retried.
  if (!done.insert({file, name}).second) return;
  try {
    register_on_servers();
  } catch (...) {
    done.erase({file, name});
    throw;
  }
}

const std::string& paralg::default_updater(const char* caller) const {
  if (default_updater_.empty()) {
    throw error(std::string(caller) +
                " without an updater: call paracel_register_update(file, name) first, or pass "
                "the updater (or a paracel::builtin) explicitly");
  }
  return default_updater_;
}

void paralg::paracel_dump_metrics(const metrics& m, const std::string& label,
                                  const std::string& name) {
  std::vector<std::string> line;
  if (get_worker_id() == 0) {
    line.push_back(m.json());
    if (!label.empty()) std::cout << label << ": " << line.front() << std::endl;
  }
  iterations_->record(get_current_iter(), total_iters_, get_ssp_stats(), ps_.traffic(), true);
  paracel_dump_vector(line, name);
}

void paralg::paracel_sync() {
  ps_.flush();
  workers_.barrier();
  ssp_->forget_all();  // every worker's updates are applied: cached values may be older
}

void paralg::iter_commit() {
  // A program supports checkpoints when it asks for its resumed state before its loop (see
  // paracel/checkpoint.hpp); one that never does would restart from its first iteration
  // over a restored model, or take checkpoints nothing can resume from.
  if (!resume_seen_ && (resumed_state_ || options_.checkpoint_every > 0)) {
    throw error(std::string(resumed_state_ ? "--resume" : "--checkpoint_every") +
                ": this program does not support checkpoints (it never asks for its resumed "
                "state: docs/checkpoints.md)");
  }
  ssp_->committed(ps_.clock_commit(clock_table_, get_worker_id()));
  iterations_->record(get_current_iter(), total_iters_, get_ssp_stats(), ps_.traffic());
  if (options_.checkpoint_every > 0 && get_current_iter() % options_.checkpoint_every == 0) {
    paracel_checkpoint();
  }
}

void paralg::report(std::string_view name, double value) { iterations_->report(name, value); }

void paralg::set_total_iters(int iterations) {
  if (iterations < 0) throw error("set_total_iters: iterations must not be negative");
  ps_.clock_register(clock_table_, get_worker_size(), get_worker_id(), iterations);
  total_iters_ = iterations;
  iterations_->restart(get_ssp_stats(), ps_.traffic());
}

int paralg::get_current_iter() const { return ssp_->clock(); }
const ssp_stats& paralg::get_ssp_stats() const { return ssp_->stats(); }
void paralg::forget(const std::string& key) { ssp_->forget(key); }
void paralg::forget_all() { ssp_->forget_all(); }
void paralg::ssp_wait_for_reads() { ssp_->wait_for_reads(); }
const std::string* paralg::ssp_read(const std::string& key) { return ssp_->read(key); }

std::vector<const std::string*> paralg::ssp_read_multi(const std::vector<std::string>& keys) {
  return ssp_->read_multi(keys, [this](const std::string& key) {
    throw key_not_found(key, ps_.server_endpoint(ps_.server_of(key)));
  });
}

namespace {

// The worker grid (rows x cols) that loading with `how` implies for `workers` workers.
std::pair<int, int> grid_of(load_pattern how, int workers) {
  switch (how) {
    case load_pattern::smap:
      return {1, workers};
    case load_pattern::fsmap:
      return fsmap_grid(workers);
    default:
      return {workers, 1};
  }
}

}  // namespace

void paralg::set_decomp_info(const std::string& pattern) {
  const auto grid = pattern == "linesplit"
                        ? std::pair(get_worker_size(), 1)
                        : grid_of(parse_load_pattern(pattern), get_worker_size());
  std::tie(decomp_rows_, decomp_cols_) = grid;
}

loaded_block paralg::paracel_load_structured(const std::string& pattern, load_pattern how,
                                             bool shared_ids) {
  std::tie(decomp_rows_, decomp_cols_) = grid_of(how, get_worker_size());
  return load_structured(workers_, expand_inputs(pattern), {how, shared_ids});
}

std::vector<std::string> paralg::paracel_load(const std::string& pattern) {
  set_decomp_info("linesplit");
  std::vector<std::string> out;
  for_each_line(expand_inputs(pattern), get_worker_id(), get_worker_size(),
                [&](std::string_view line, const line_location&) { out.emplace_back(line); });
  return out;
}

std::vector<std::string> paralg::paracel_loadall(const std::string& pattern) {
  std::vector<std::string> out;
  for_each_line(expand_inputs(pattern),
                [&](std::string_view line, const line_location&) { out.emplace_back(line); });
  return out;
}

void paralg::paracel_sequential_loadall(
    const std::string& pattern, const std::function<void(std::vector<std::string>&)>& handle,
    std::size_t chunk_lines) {
  std::vector<std::string> chunk;
  chunk.reserve(chunk_lines);
  for_each_line(expand_inputs(pattern), [&](std::string_view line, const line_location&) {
    chunk.emplace_back(line);
    if (chunk.size() >= chunk_lines) {
      handle(chunk);
      chunk.clear();
    }
  });
  if (!chunk.empty()) handle(chunk);
}

std::pair<id_map, id_map> paralg::paracel_load_as_matrix(
    Eigen::SparseMatrix<double, Eigen::RowMajor>& matrix, const std::string& pattern,
    load_pattern how) {
  auto block = paracel_load_structured(pattern, how, false);
  std::vector<Eigen::Triplet<double>> triplets;
  triplets.reserve(block.entries.size());
  for (const auto& e : block.entries) {
    triplets.emplace_back(static_cast<Eigen::Index>(e.row), static_cast<Eigen::Index>(e.col),
                          e.value);
  }
  matrix.resize(static_cast<Eigen::Index>(block.rows.count),
                static_cast<Eigen::Index>(block.cols.count));
  matrix.setFromTriplets(triplets.begin(), triplets.end());
  return {std::move(block.rows), std::move(block.cols)};
}

std::vector<std::uint64_t> paralg::paracel_load_as_dense(Eigen::MatrixXd& matrix,
                                                         const std::string& pattern) {
  auto block = paracel_load_structured(pattern, load_pattern::fvec, false);
  std::vector<std::uint64_t> row_ids;
  std::unordered_map<std::uint64_t, Eigen::Index> local;
  for (const auto& e : block.entries) {
    if (local.emplace(e.row, static_cast<Eigen::Index>(row_ids.size())).second)
      row_ids.push_back(e.row);
  }
  matrix = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(row_ids.size()),
                                 static_cast<Eigen::Index>(block.cols.count));
  for (const auto& e : block.entries)
    matrix(local.at(e.row), static_cast<Eigen::Index>(e.col)) = e.value;
  return row_ids;
}

void paralg::init_output(const std::string& folder) {
  // Worker 0 creates the folder; an error there must reach every worker, not hang them.
  std::string failure;
  if (get_worker_id() == 0) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) failure = "cannot create output folder " + folder + ": " + ec.message();
  }
  workers_.bcast(failure, 0);
  if (!failure.empty()) throw error(failure);
  output_ = folder;
}

void paralg::dump_text(const std::string& text, const std::string& name, bool merge) {
  if (output_.empty()) {
    throw error("paracel_dump of '" + name +
                "' before the output folder was set: pass "
                "paralg_options::output or call init_output()");
  }
  // Every worker learns whether any write failed, so none is left waiting.
  std::string failure;
  if (!merge) {
    const fs::path path = fs::path(output_) / (name + "_" + std::to_string(get_worker_id()));
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) failure = "cannot write " + path.string();
  } else if (get_worker_id() == 0) {
    // Worker 0 appends every worker's text in worker order, receiving one at a time so that
    // its memory holds one worker's share at most.
    const fs::path path = fs::path(output_) / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    for (int w = 1; w < get_worker_size(); ++w) out << workers_.recv_bytes(w, k_dump_tag);
    if (!out) failure = "cannot write " + path.string();
  } else {
    workers_.send_bytes(text, 0, k_dump_tag);
  }
  const int failed = workers_.allreduce(failure.empty() ? 0 : 1, reduce_op::max);
  if (!failure.empty()) throw error(failure);
  if (failed) throw error("paracel_dump of '" + name + "' failed on another worker");
}

}  // namespace paracel
