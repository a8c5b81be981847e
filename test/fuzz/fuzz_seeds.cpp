// Writes the fuzzers' seed corpora and the request dictionary with the project's own
// encoders: a valid request of every op (and a sequence that fills, reads, updates and
// clocks), valid frames for the decoders, the demo configs for the config parser, and a
// checkpoint's shard file, worker state and manifest (each behind its selector byte).
//   fuzz_seeds OUT_DIR CONFIG_DIR
//     ->  OUT_DIR/{request,decode,config,checkpoint}/, OUT_DIR/request.dict
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/checkpoint_file.hpp"
#include "fuzz_input.hpp"
#include "paracel/builtin.hpp"
#include "paracel/checkpoint.hpp"
#include "paracel/codec.hpp"
#include "paralg/checkpoint_store.hpp"
#include "proto/message.hpp"

namespace {

namespace fs = std::filesystem;
namespace proto = paracel::proto;
using paracel::fuzz::message;

std::string bytes(const zmq::message_t& m) { return m.to_string(); }

std::string header(proto::op code, std::uint64_t id = 1) {
  proto::header h;
  h.code = code;
  h.id = id;
  return bytes(proto::encode_header(h));
}

std::string list(const std::vector<std::string_view>& items, bool binary) {
  return bytes(proto::encode_list(items, binary));
}

template <class... Ts>
std::string args(const Ts&... values) {
  return bytes(proto::encode_args(values...));
}

void write(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

// One request of every op, as ps_client sends them.
std::map<std::string, message> requests() {
  using proto::op;
  const std::string v = paracel::encode(std::vector<double>{1.5, 2.5});
  const std::string add = paracel::builtin_updater<std::vector<double>>(paracel::builtin::add);
  const std::string filter = paracel::prefix_filter("k");
  return {
      {"hello", {header(op::hello)}},
      {"pull", {header(op::pull), "k1"}},
      {"pull_multi", {header(op::pull_multi), list({"k1", "k2"}, false)}},
      {"push", {header(op::push), "k1", v}},
      {"push_multi", {header(op::push_multi), list({"k1", "k2"}, false), list({v, v}, true)}},
      {"update", {header(op::update), "k1", v, add}},
      {"update_multi",
       {header(op::update_multi), list({"k1", "k2"}, false), list({v, v}, true), add}},
      {"contains", {header(op::contains), "k1"}},
      {"remove", {header(op::remove), "k1"}},
      {"pull_all",
       {header(op::pull_all),
        args(std::uint64_t{0}, std::uint64_t{0}, std::uint64_t{4096}, std::string())}},
      {"remove_filtered", {header(op::remove_filtered), args(filter)}},
      {"top_k", {header(op::top_k), args(std::uint64_t{3}, filter)}},
      {"incr", {header(op::incr), "n", args(std::int64_t{5})}},
      {"register_updater", {header(op::register_updater), args(std::string("libx.so"), add)}},
      {"unregister_updater", {header(op::unregister_updater), args(add)}},
      {"register_filter", {header(op::register_filter), args(std::string("x"), filter)}},
      {"unregister_filter", {header(op::unregister_filter), args(filter)}},
      {"stats", {header(op::stats)}},
      {"clock_register",
       {header(op::clock_register), "t", args(std::int32_t{2}, std::int32_t{0}, std::int64_t{5})}},
      {"clock_commit", {header(op::clock_commit), "t", args(std::int32_t{0})}},
      {"clock_wait", {header(op::clock_wait), "t", args(std::int64_t{1}, std::int64_t{100})}},
      {"clock_finish", {header(op::clock_finish), "t", args(std::int32_t{0})}},
  };
}

// "\x94\x01..." for a libFuzzer dictionary.
std::string escaped(const std::string& raw) {
  std::string out;
  char hex[5];
  for (unsigned char c : raw) {
    std::snprintf(hex, sizeof(hex), "\\x%02x", c);
    out += hex;
  }
  return out;
}

}  // namespace

// Selector byte (see fuzz_checkpoint.cpp) + the file's bytes.
void write_checkpoint_seeds(const fs::path& dir) {
  namespace ck = paracel::checkpoint;
  const fs::path scratch = fs::temp_directory_path() / "paracel-fuzz-seeds";
  fs::create_directories(scratch);
  ck::write_shard(scratch.string(), "s.shard", {3, 0, 1, 3}, [](const auto& visit) {
    visit("w/0", paracel::encode(std::vector<double>{0.5, -1}));
    visit("count", paracel::encode(std::int64_t{7}));
    visit("name", paracel::encode(std::string("x")));
  });
  std::ifstream in(scratch / "s.shard", std::ios::binary);
  const std::string shard((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove_all(scratch);
  write(dir / "shard", std::string(1, '\0') + shard);
  paracel::worker_state state;
  state.put("sum", std::int64_t{12});
  state.put("previous", std::vector<double>{1, 2});
  write(dir / "state", std::string(1, '\1') + state.serialize());
  ck::manifest m;
  m.clock = 4;
  m.workers = 1;
  m.servers = {"tcp://127.0.0.1:5000"};
  m.shards = {{"server-0-0.shard", 120, "0123456789abcdef", 3}};
  m.states = {{"worker-0.state", 30, "fedcba9876543210", 0}};
  write(dir / "manifest", std::string(1, '\2') + m.to_json());
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_seeds OUT_DIR CONFIG_DIR\n");
    return 2;
  }
  const fs::path out = argv[1];
  for (const char* name : {"request", "decode", "config", "checkpoint"})
    fs::create_directories(out / name);

  const auto all = requests();
  std::ofstream dict(out / "request.dict");
  for (const auto& [name, m] : all) {
    write(out / "request" / name, paracel::fuzz::join_messages({m}));
    dict << "op_" << name << "=\"" << escaped(m.front()) << "\"\n";
  }
  // A session: fill, read, update, count, clock, read everything, stats.
  std::vector<message> session;
  for (const char* name :
       {"push", "push_multi", "pull", "update", "update_multi", "incr", "clock_register",
        "clock_commit", "clock_wait", "pull_all", "top_k", "remove_filtered", "stats"}) {
    session.push_back(all.at(name));
  }
  write(out / "request" / "session", paracel::fuzz::join_messages(session));

  write(out / "decode" / "header", header(proto::op::pull, 123456789));
  write(out / "decode" / "list", list({"key", "value"}, true));
  write(out / "decode" / "args",
        args(std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{3}, std::string("f")));
  write(out / "decode" / "ports", args(std::vector<std::uint16_t>{5000, 5001}));
  write(out / "decode" / "vector", paracel::encode(std::vector<double>{1, 2, 3}));
  write(out / "decode" / "map", paracel::encode(std::map<std::string, std::int64_t>{{"a", 1}}));
  write(out / "decode" / "string", paracel::encode(std::string("text")));

  write_checkpoint_seeds(out / "checkpoint");

  for (const auto& entry : fs::directory_iterator(argv[2])) {
    if (entry.path().extension() == ".json")
      fs::copy_file(entry.path(), out / "config" / entry.path().filename(),
                    fs::copy_options::overwrite_existing);
  }
  return 0;
}
