// paralg's checkpoints (docs/checkpoints.md): taking one at a clock and resuming from one.
//
// The cut: a checkpoint at clock c must hold every update of clocks <= c and none later.
// Every worker calls paracel_checkpoint() right after committing clock c, and a commit
// flushes the worker's updates first; the first collective below then waits until all
// workers are there, and none sends anything until the last collective, after the servers
// wrote their shards. Under SSP the fast workers wait here, once every checkpoint_every clocks.
#include <cerrno>  // program_invocation_short_name
#include <chrono>
#include <filesystem>

#include "core/checkpoint_file.hpp"
#include "paracel/log.hpp"
#include "paracel/paralg.hpp"
#include "paralg/checkpoint_store.hpp"

namespace paracel {

namespace fs = std::filesystem;

namespace {

// The program's file name, as the manifest records it.
std::string program_name() {
  std::error_code failed;
  const auto exe = fs::read_symlink("/proc/self/exe", failed);
  return failed ? std::string(program_invocation_short_name) : exe.filename().string();
}

std::string state_file(int worker) { return "worker-" + std::to_string(worker) + ".state"; }

void require_folder(const paralg_options& options, const char* what) {
  if (options.checkpoint_dir.empty()) {
    throw error(std::string(what) +
                " needs a checkpoint folder: set checkpoint_dir (prun.py --checkpoint_dir)");
  }
}

}  // namespace

void paralg::paracel_checkpoint() {
  require_folder(options_, "paracel_checkpoint");
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t clock = get_current_iter();
  const std::string root = options_.checkpoint_dir;
  const std::string folder = checkpoint::folder_name(clock);
  const std::string path = (fs::path(root) / folder).string();
  ps_.flush();
  // Every worker is here, after its commit of `clock`: nothing later is on its way.
  workers_.all_or_none([&] {
    if (get_worker_id() != 0) return;
    fs::create_directories(root);
    fs::remove_all(path);  // an interrupted attempt at the same clock
    fs::create_directories(path);
  });
  std::vector<checkpoint_record> shards;
  checkpoint_record own;
  workers_.all_or_none([&] {
    // Worker 0 has the servers write while every worker writes its own state.
    if (get_worker_id() == 0) shards = ps_.checkpoint(folder, clock);
    worker_state state;
    save_state(state);
    checkpoint::durable_file out(path, state_file(get_worker_id()));
    out.append(state.serialize());
    own = out.commit();
  });
  const auto states =
      workers_.gather(std::vector<std::string>{own.file, std::to_string(own.bytes), own.xxh3}, 0);
  ++checkpoints_taken_;
  workers_.all_or_none([&] {
    if (get_worker_id() != 0) return;
    checkpoint::manifest m;
    m.program = program_name();
    m.clock = clock;
    m.workers = get_worker_size();
    for (std::size_t s = 0; s < ps_.server_count(); ++s)
      m.servers.push_back(ps_.server_endpoint(s));
    m.shards = std::move(shards);
    for (const auto& st : states)
      m.states.push_back({st.at(0), std::stoull(st.at(1)), st.at(2), 0});
    checkpoint::commit(root, folder, m);
    const auto removed = checkpoint::prune(root, options_.checkpoint_keep);
    std::uint64_t keys = 0;
    std::uint64_t bytes = 0;
    for (const auto& r : m.shards) {
      keys += r.keys;
      bytes += r.bytes;
    }
    log::info("checkpoint ", path, ": clock ", clock, ", ", keys, " keys, ", bytes, " bytes in ",
              m.shards.size(), " shards, ",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
              " s",
              removed.empty() ? "" : "; removed " + std::to_string(removed.size()) + " older");
  });
}

std::int64_t paralg::resume_from_checkpoint() {
  require_folder(options_, "resume");
  const std::string root = options_.checkpoint_dir;
  std::string manifest_text;
  std::string folder;
  // Worker 0 picks the checkpoint; every worker then reads the same manifest.
  workers_.all_or_none([&] {
    if (get_worker_id() != 0) return;
    const auto newest = checkpoint::newest_complete(root);
    if (!newest) {
      throw error("resume: no complete checkpoint in " + root +
                  " (none has a MANIFEST.json); start without --resume");
    }
    folder = *newest;
    const auto m = checkpoint::read_manifest(root, folder);
    if (m.program != program_name()) {
      throw error("resume: checkpoint " + (fs::path(root) / folder).string() + " is of " +
                  m.program + ", not of " + program_name());
    }
    if (m.workers != get_worker_size()) {
      throw error("resume: checkpoint " + (fs::path(root) / folder).string() + " was written by " +
                  std::to_string(m.workers) + " workers; this job has " +
                  std::to_string(get_worker_size()) + " (run it with as many workers)");
    }
    manifest_text = m.to_json();
  });
  workers_.bcast(folder, 0);
  workers_.bcast(manifest_text, 0);
  const std::string path = (fs::path(root) / folder).string();
  const auto m =
      checkpoint::manifest::parse(manifest_text, path + "/" + checkpoint::k_manifest_file);
  workers_.all_or_none([&] {
    // Worker k restores shards k, k + W, ...: every key goes through the ring of this job's
    // servers, however many there are now.
    checkpoint::restore_shards(ps_, path, m.shards, static_cast<std::size_t>(get_worker_id()),
                               static_cast<std::size_t>(get_worker_size()));
    const auto& own = m.states.at(get_worker_id());
    const std::string file = path + "/" + own.file;
    resumed_state_ = worker_state::parse(checkpoint::read_verified(file, own), file);
  });
  if (get_worker_id() == 0) {
    log::info("resumed from ", path, " at clock ", m.clock, " (", m.shards.size(), " shards)");
  }
  return m.clock;
}

}  // namespace paracel
