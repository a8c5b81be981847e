// Checkpoints (docs/checkpoints.md): what a worker keeps of its own state, and what the
// manifest records of each file.
//
// A checkpoint at clock c holds every update that every worker made at clocks <= c and none
// made later: paralg takes it inside iter_commit, after every worker committed clock c and
// before any goes on. Besides the servers' shards it holds each worker's worker_state, which
// the algorithm fills in save_state() and reads back through resumed_state():
//
//   void save_state(paracel::worker_state& s) const override {
//     s.put("assignments", topic_of_word_);    // anything paracel::encode handles
//     s.put("rng", paracel::rng_state(rng_));
//   }
//   ... in solve(), before the loop:
//   if (const auto* s = resumed_state()) {
//     topic_of_word_ = s->get<std::vector<int>>("assignments");
//     paracel::restore_rng(rng_, s->get<std::string>("rng"));
//   }
//   for (int it = get_current_iter(); it < iterations; ++it) { ...; iter_commit(); }
#pragma once

#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include "paracel/codec.hpp"
#include "paracel/error.hpp"
#include "paracel/export.hpp"

namespace paracel {

// One file of a checkpoint, as its manifest records it.
struct checkpoint_record {
  std::string file;  // name inside the checkpoint's folder
  std::uint64_t bytes = 0;
  std::string xxh3;        // XXH3-64 of the bytes, 16 lower-case hex digits
  std::uint64_t keys = 0;  // entries, for a shard file
};

// Named values of one worker, saved with a checkpoint.
class PARACEL_EXPORT worker_state {
 public:
  template <class T>
  void put(const std::string& name, const T& value) {
    values_.insert_or_assign(name, encode(value));
  }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  // Throws paracel::error when `name` was not saved, type_error when it holds another type.
  template <class T>
  T get(const std::string& name) const {
    return decode_stored<T>(bytes_of(name), name, "the checkpoint's worker state");
  }

  std::string serialize() const;
  // `where` names the bytes in errors.
  static worker_state parse(std::string_view bytes, const std::string& where);

 private:
  const std::string& bytes_of(const std::string& name) const;

  std::map<std::string, std::string> values_;
};

// A standard random engine's state as text, and back (std::mt19937_64 and friends).
template <class Engine>
std::string rng_state(const Engine& engine) {
  std::ostringstream out;
  out << engine;
  return out.str();
}
template <class Engine>
void restore_rng(Engine& engine, const std::string& state) {
  std::istringstream in(state);
  in >> engine;
  if (!in) throw error("checkpoint: the saved random engine state does not parse");
}

}  // namespace paracel
