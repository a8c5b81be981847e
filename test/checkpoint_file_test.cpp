// Checkpoint files (src/core/checkpoint_file, src/paralg/checkpoint_store, worker_state) and
// the servers' checkpoint op: round trips, and every damaged file a clear error.
#include "core/checkpoint_file.hpp"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "paracel/checkpoint.hpp"
#include "paracel/ps_client.hpp"
#include "paralg/checkpoint_store.hpp"
#include "server/server.hpp"

namespace {

namespace fs = std::filesystem;
namespace ck = paracel::checkpoint;

class TempFolder {
 public:
  TempFolder() {
    path_ =
        fs::temp_directory_path() / ("paracel-ckpt-unit-" + std::to_string(std::random_device()()));
    fs::create_directories(path_);
  }
  ~TempFolder() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string error_of(const std::function<void()>& run) {
  try {
    run();
  } catch (const paracel::error& e) {
    return e.what();
  }
  return "(no error)";
}

// Values of every kind a server stores, encoded as clients encode them.
std::map<std::string, std::string> sample_entries() {
  std::map<std::string, std::string> entries;
  entries["int"] = paracel::encode(std::int64_t{-42});
  entries["double"] = paracel::encode(3.25);
  entries["string"] = paracel::encode(std::string("text with \0 zero", 16));
  entries["vector<double>"] = paracel::encode(std::vector<double>{1.5, -2, 1e300});
  entries["vector<float>"] = paracel::encode(std::vector<float>{0.5f, 7});
  entries["vector<int64>"] = paracel::encode(std::vector<std::int64_t>{1, -1, 1LL << 40});
  entries["map"] = paracel::encode(std::map<std::string, int>{{"a", 1}, {"b", 2}});
  entries["empty"] = paracel::encode(std::vector<double>{});
  entries[std::string("key\0with zero", 13)] = paracel::encode(1);
  return entries;
}

ck::file_record write_sample(const TempFolder& dir, const std::map<std::string, std::string>& e) {
  return ck::write_shard(dir.str(), "s.shard", {7, 1, 0, e.size()}, [&](const auto& visit) {
    for (const auto& [k, v] : e) visit(k, v);
  });
}

TEST(ShardFile, RoundTripsEveryValueType) {
  TempFolder dir;
  const auto entries = sample_entries();
  const auto record = write_sample(dir, entries);
  EXPECT_EQ(record.file, "s.shard");
  EXPECT_EQ(record.keys, entries.size());
  EXPECT_EQ(record.bytes, fs::file_size(dir / "s.shard"));
  EXPECT_FALSE(fs::exists(dir / "s.shard.tmp"));
  const std::string bytes = ck::read_verified(dir / "s.shard", record);
  std::map<std::string, std::string> back;
  const auto header = ck::read_shard(
      bytes, "s.shard", [&](auto k, auto v) { back.emplace(std::string(k), std::string(v)); });
  EXPECT_EQ(back, entries);
  EXPECT_EQ(header.clock, 7);
  EXPECT_EQ(header.server, 1);
  EXPECT_EQ(paracel::decode<std::vector<double>>(back["vector<double>"]),
            (std::vector<double>{1.5, -2, 1e300}));
}

TEST(ShardFile, FlippedByteFailsTheChecksum) {
  TempFolder dir;
  const auto record = write_sample(dir, sample_entries());
  std::string bytes = slurp(dir / "s.shard");
  bytes[bytes.size() / 2] ^= 0x01;
  spit(dir / "s.shard", bytes);
  const auto message = error_of([&] { ck::read_verified(dir / "s.shard", record); });
  EXPECT_NE(message.find("is corrupt: checksum"), std::string::npos) << message;
  EXPECT_NE(message.find(dir / "s.shard"), std::string::npos) << message;
}

TEST(ShardFile, TruncatedOrMissingFileIsNamed) {
  TempFolder dir;
  const auto record = write_sample(dir, sample_entries());
  fs::resize_file(dir / "s.shard", record.bytes - 1);
  EXPECT_NE(error_of([&] { ck::read_verified(dir / "s.shard", record); })
                .find("has " + std::to_string(record.bytes - 1) + " bytes; the manifest says " +
                      std::to_string(record.bytes)),
            std::string::npos);
  fs::remove(dir / "s.shard");
  EXPECT_NE(error_of([&] { ck::read_verified(dir / "s.shard", record); }).find("cannot read"),
            std::string::npos);
}

// A file whose checksum matches (the manifest was forged with it) is still decoded under the
// wire decoder's limits and checked entry by entry.
TEST(ShardFile, ForgedContentsAreRefusedByTheDecoder) {
  const auto read = [](const std::string& bytes) {
    return error_of([&] { ck::read_shard(bytes, "forged", [](auto, auto) {}); });
  };
  EXPECT_NE(read("").find("empty"), std::string::npos);
  EXPECT_NE(read("\x92\x01\x02").find("no valid shard header"), std::string::npos);
  // A header claiming a huge map: refused before any allocation.
  EXPECT_NE(read(std::string("\xdf\xff\xff\xff\xff", 5)).find("undecodable"), std::string::npos);
  TempFolder dir;
  const auto entries = sample_entries();
  write_sample(dir, entries);
  std::string good = slurp(dir / "s.shard");
  // One entry fewer than the header says.
  ck::write_shard(dir.str(), "f.shard", {1, 0, 0, 2}, [](const auto& visit) {
    visit("a", paracel::encode(1));
    visit("b", paracel::encode(2));
  });
  std::string two = slurp(dir / "f.shard");
  const std::string last_entry =
      "\x92\xa1"
      "b"
      "\xc4\x01\x02";
  ASSERT_EQ(two.substr(two.size() - last_entry.size()), last_entry);
  EXPECT_NE(read(two.substr(0, two.size() - last_entry.size()))
                .find("holds 1 entries; its header says 2"),
            std::string::npos);
  // An entry that is not a [str, bin] pair.
  EXPECT_NE(read(two.substr(0, two.size() - last_entry.size()) + "\x92\x01\x02")
                .find("entry 1 is not a [key, value] pair"),
            std::string::npos);
  // Another format.
  std::string other = good;
  const auto at = other.find("paracel-shard");
  ASSERT_NE(at, std::string::npos);
  other[at] = 'q';
  EXPECT_NE(read(other).find("is not a paracel-shard file"), std::string::npos);
}

TEST(ShardFile, WriterReportsAShardThatChangedWhileWritten) {
  TempFolder dir;
  const auto message = error_of([&] {
    ck::write_shard(dir.str(), "x.shard", {0, 0, 0, 3}, [](const auto& visit) { visit("a", "b"); });
  });
  EXPECT_NE(message.find("changed while it was written"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir / "x.shard"));
  EXPECT_FALSE(fs::exists(dir / "x.shard.tmp"));
}

TEST(DurableFile, AnUncommittedFileLeavesNothing) {
  TempFolder dir;
  {
    ck::durable_file out(dir.str(), "a");
    out.append("partial");
  }
  EXPECT_TRUE(fs::is_empty(dir.str()));
  EXPECT_NE(error_of([] {
              ck::durable_file("/nonexistent-folder", "a");
            }).find("cannot create /nonexistent-folder/a.tmp"),
            std::string::npos);
}

TEST(WorkerState, RoundTripsAndNamesMissingValues) {
  paracel::worker_state state;
  std::mt19937_64 rng(5);
  rng();
  state.put("sum", std::int64_t{12});
  state.put("weights", std::vector<double>{0.25, 4});
  state.put("rng", paracel::rng_state(rng));
  const auto back = paracel::worker_state::parse(state.serialize(), "w");
  EXPECT_EQ(back.get<std::int64_t>("sum"), 12);
  EXPECT_EQ(back.get<std::vector<double>>("weights"), (std::vector<double>{0.25, 4}));
  std::mt19937_64 restored;
  paracel::restore_rng(restored, back.get<std::string>("rng"));
  EXPECT_EQ(restored(), rng());
  const auto missing = error_of([&] { back.get<int>("nope"); });
  EXPECT_NE(missing.find("no value 'nope' (it has: rng, sum, weights)"), std::string::npos)
      << missing;
  EXPECT_THROW(back.get<std::string>("sum"), paracel::type_error);
  EXPECT_NE(error_of([] {
              paracel::worker_state::parse("\x92\x01", "w.state");
            }).find("w.state is not a worker state"),
            std::string::npos);
}

TEST(CheckpointStore, NewestCompleteSkipsInterruptedOnesAndPruneKeepsK) {
  TempFolder root;
  EXPECT_FALSE(ck::newest_complete(root.str()));
  ck::manifest m;
  m.workers = 1;
  m.states = {{"worker-0.state", 3, "0000000000000000", 0}};
  for (int clock : {2, 4, 6}) {
    m.clock = clock;
    fs::create_directories(root / ck::folder_name(clock));
    ck::commit(root.str(), ck::folder_name(clock), m);
  }
  fs::create_directories(root / ck::folder_name(8));  // interrupted: no manifest
  fs::create_directories(root / "unrelated");
  EXPECT_EQ(ck::newest_complete(root.str()), ck::folder_name(6));
  EXPECT_EQ(ck::read_manifest(root.str(), ck::folder_name(4)).clock, 4);
  EXPECT_NE(error_of([&] {
              ck::read_manifest(root.str(), ck::folder_name(8));
            }).find("MANIFEST.json is missing"),
            std::string::npos);
  // The interrupted ckpt 8 is newer than every complete one: kept (it may be in progress).
  EXPECT_EQ(ck::prune(root.str(), 2), std::vector<std::string>{ck::folder_name(2)});
  EXPECT_TRUE(fs::exists(root / ck::folder_name(8)));
  EXPECT_TRUE(fs::exists(root / "unrelated"));
  EXPECT_NE(error_of([] { ck::newest_complete("/nonexistent-root"); }).find("does not exist"),
            std::string::npos);
}

TEST(CheckpointStore, ManifestRefusesPathsAndInconsistencies) {
  ck::manifest m;
  m.clock = 3;
  m.workers = 1;
  m.states = {{"../../etc/passwd", 1, "00", 0}};
  EXPECT_NE(error_of([&] { ck::manifest::parse(m.to_json(), "M"); }).find("not a plain file name"),
            std::string::npos);
  m.states = {};
  EXPECT_NE(error_of([&] { ck::manifest::parse(m.to_json(), "M"); }).find("is inconsistent"),
            std::string::npos);
  EXPECT_NE(error_of([] { ck::manifest::parse("{\"format\": 1", "M"); }).find("not a valid"),
            std::string::npos);
}

// fuzz_checkpoint (test/fuzz/regressions/checkpoint): a count too large for any integer type
// is a float to nlohmann::json, and get<std::uint64_t>() of it was undefined behaviour.
TEST(FuzzFindings, ManifestNumbersOutOfRangeAreNamedErrors) {
  ck::manifest m;
  m.clock = 3;
  m.workers = 1;
  m.states = {{"worker-0.state", 1, "00", 0}};
  const std::string good = m.to_json();
  ASSERT_EQ(ck::manifest::parse(good, "M").clock, 3);
  auto with = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  };
  for (const auto& [from, to, field] : std::vector<std::array<std::string, 3>>{
           {"\"keys\": 0", "\"keys\": 7777777777777777777777777777777777", "keys"},
           {"\"bytes\": 1", "\"bytes\": -1", "bytes"},
           {"\"bytes\": 1", "\"bytes\": 1.5", "bytes"},
           {"\"clock\": 3", "\"clock\": 1e300", "clock"},
           {"\"workers\": 1", "\"workers\": 4294967297", "workers"}}) {
    // (Clang 14 cannot capture structured bindings in a lambda: the text is made first.)
    const std::string forged = with(from, to);
    const auto message = error_of([&] { ck::manifest::parse(forged, "M"); });
    EXPECT_NE(message.find("M is not a valid manifest: field '" + field + "'"), std::string::npos)
        << message;
  }
}

TEST(CheckpointOp, EveryShardOfEveryServerIsWrittenAndReadsBack) {
  TempFolder root;
  std::vector<std::unique_ptr<paracel::server::server>> servers;
  std::vector<std::string> endpoints;
  for (int i = 0; i < 2; ++i) {
    paracel::server::server_options options;
    options.threads = 3;
    options.checkpoint_dir = root.str();
    servers.push_back(std::make_unique<paracel::server::server>(options));
    endpoints.push_back(servers.back()->endpoint());
  }
  paracel::ps_client ps(endpoints);
  std::map<std::string, std::string> pushed;
  for (int i = 0; i < 500; ++i) {
    const std::string key = "key" + std::to_string(i);
    ps.push(key, std::vector<double>{static_cast<double>(i), 0.5});
    pushed[key] = paracel::encode(std::vector<double>{static_cast<double>(i), 0.5});
  }
  const auto records = ps.checkpoint("ckpt-0000000009", 9);
  ASSERT_EQ(records.size(), 6u);  // 2 servers x 3 threads
  std::map<std::string, std::string> back;
  for (const auto& r : records) {
    const std::string path = root / ("ckpt-0000000009/" + r.file);
    const auto header = ck::read_shard(ck::read_verified(path, r), path, [&](auto k, auto v) {
      EXPECT_TRUE(back.emplace(std::string(k), std::string(v)).second) << "key twice: " << k;
    });
    EXPECT_EQ(header.clock, 9);
    EXPECT_EQ(r.file, "server-" + std::to_string(header.server) + "-" +
                          std::to_string(header.thread) + ".shard");
  }
  EXPECT_EQ(back, pushed);
}

TEST(CheckpointOp, RefusesPathsAndServersWithoutAFolder) {
  TempFolder root;
  paracel::server::server_options options;
  options.checkpoint_dir = root.str();
  paracel::server::server with_folder(options);
  paracel::ps_client ps({with_folder.endpoint()});
  for (const std::string bad : {"../escape", "a/b", ".hidden", ""}) {
    try {
      ps.checkpoint(bad, 1);
      FAIL() << "accepted '" << bad << "'";
    } catch (const paracel::server_error& e) {
      EXPECT_EQ(e.code(), paracel::status::bad_request);
      EXPECT_NE(std::string(e.what()).find("is not a plain name"), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(fs::is_empty(root.str()));
  paracel::server::server without(paracel::server::server_options{});
  paracel::ps_client other({without.endpoint()});
  try {
    other.checkpoint("ckpt-0000000001", 1);
    FAIL() << "a server without --checkpoint_dir wrote a checkpoint";
  } catch (const paracel::server_error& e) {
    EXPECT_NE(std::string(e.what()).find("start it with --checkpoint_dir"), std::string::npos);
  }
}

}  // namespace
