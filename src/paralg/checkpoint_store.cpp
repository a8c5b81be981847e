#include "paralg/checkpoint_store.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <type_traits>

#include "core/checkpoint_file.hpp"
#include "paracel/error.hpp"

namespace paracel::checkpoint {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* k_format = "paracel-checkpoint";
constexpr const char* k_prefix = "ckpt-";

json record_json(const checkpoint_record& r) {
  return {{"file", r.file}, {"bytes", r.bytes}, {"xxh3", r.xxh3}, {"keys", r.keys}};
}

// The integer field `name` of `j`, within T's range. nlohmann's get<T>() converts whatever
// number is there, and a float beyond T's range (a forged "keys": 7e105) is then undefined
// behaviour: found by fuzz_checkpoint.
template <class T>
T integer_field(const json& j, const char* name, const std::string& where) {
  const json& v = j.at(name);
  bool fits = false;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    fits = u <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  } else if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    fits = std::is_signed_v<T> ? i >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
                                     i <= static_cast<std::int64_t>(std::numeric_limits<T>::max())
                               : i >= 0;
  }
  if (!fits) {
    throw error("checkpoint: " + where + " is not a valid manifest: field '" + name + "' is " +
                v.dump() + ", not an integer in [" + std::to_string(std::numeric_limits<T>::min()) +
                ", " + std::to_string(std::numeric_limits<T>::max()) + "]");
  }
  return v.get<T>();
}

checkpoint_record record_of(const json& j, const std::string& where) {
  return {j.at("file").get<std::string>(), integer_field<std::uint64_t>(j, "bytes", where),
          j.at("xxh3").get<std::string>(), integer_field<std::uint64_t>(j, "keys", where)};
}

// A record names a file inside its checkpoint's folder, never a path elsewhere.
void check_plain(const checkpoint_record& r, const std::string& where) {
  if (r.file.empty() || r.file.find('/') != std::string::npos || r.file.front() == '.') {
    throw error("checkpoint: " + where + " names the file '" + r.file +
                "', which is not a plain file name");
  }
}

// Clock of a checkpoint folder's name, or nullopt when it is not one.
std::optional<std::int64_t> clock_of(const std::string& name) {
  if (name.rfind(k_prefix, 0) != 0 || name.size() == std::string(k_prefix).size()) return {};
  const std::string digits = name.substr(std::string(k_prefix).size());
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return {};
  return std::stoll(digits);
}

// (clock, name, complete) of every checkpoint folder of root, oldest first.
struct entry {
  std::int64_t clock;
  std::string name;
  bool complete;
};
std::vector<entry> list(const std::string& root) {
  std::error_code failed;
  if (!fs::is_directory(root, failed)) {
    throw error("checkpoint folder " + root + " does not exist or is not a folder");
  }
  std::vector<entry> out;
  for (const auto& item : fs::directory_iterator(root, failed)) {
    const std::string name = item.path().filename().string();
    if (!item.is_directory()) continue;
    if (auto clock = clock_of(name)) {
      out.push_back({*clock, name, fs::exists(item.path() / k_manifest_file)});
    }
  }
  if (failed) throw error("cannot list checkpoint folder " + root + ": " + failed.message());
  std::sort(out.begin(), out.end(),
            [](const entry& a, const entry& b) { return a.clock < b.clock; });
  return out;
}

}  // namespace

std::string manifest::to_json() const {
  json j = {{"format", k_format},      {"version", k_format_version}, {"program", program},
            {"clock", clock},          {"workers", workers},          {"servers", servers},
            {"shards", json::array()}, {"states", json::array()}};
  for (const auto& r : shards) j["shards"].push_back(record_json(r));
  for (const auto& r : states) j["states"].push_back(record_json(r));
  return j.dump(1) + "\n";
}

manifest manifest::parse(const std::string& json_text, const std::string& where) {
  manifest m;
  try {
    const json j = json::parse(json_text);
    if (j.at("format") != k_format || j.at("version") != k_format_version) {
      throw error("checkpoint: " + where + " is not a " + k_format + " manifest of version " +
                  std::to_string(k_format_version));
    }
    m.program = j.at("program").get<std::string>();
    m.clock = integer_field<std::int64_t>(j, "clock", where);
    m.workers = integer_field<int>(j, "workers", where);
    m.servers = j.at("servers").get<std::vector<std::string>>();
    for (const auto& r : j.at("shards")) m.shards.push_back(record_of(r, where));
    for (const auto& r : j.at("states")) m.states.push_back(record_of(r, where));
  } catch (const json::exception& e) {
    throw error("checkpoint: " + where + " is not a valid manifest: " + e.what());
  }
  if (m.clock < 0 || m.workers <= 0 || static_cast<int>(m.states.size()) != m.workers) {
    throw error("checkpoint: " + where + " is inconsistent: clock " + std::to_string(m.clock) +
                ", " + std::to_string(m.workers) + " workers, " + std::to_string(m.states.size()) +
                " worker states");
  }
  for (const auto& r : m.shards) check_plain(r, where);
  for (const auto& r : m.states) check_plain(r, where);
  return m;
}

std::string folder_name(std::int64_t clock) {
  char name[32];
  std::snprintf(name, sizeof(name), "%s%010lld", k_prefix, static_cast<long long>(clock));
  return name;
}

void commit(const std::string& root, const std::string& folder, const manifest& m) {
  write_file((fs::path(root) / folder).string(), k_manifest_file, m.to_json());
}

std::optional<std::string> newest_complete(const std::string& root) {
  const auto all = list(root);
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->complete) return it->name;
  }
  return std::nullopt;
}

manifest read_manifest(const std::string& root, const std::string& folder) {
  const fs::path path = fs::path(root) / folder / k_manifest_file;
  std::ifstream in(path);
  if (!in)
    throw error("checkpoint: " + path.string() + " is missing: the checkpoint is incomplete");
  std::stringstream text;
  text << in.rdbuf();
  return manifest::parse(text.str(), path.string());
}

std::vector<std::string> prune(const std::string& root, int keep) {
  const auto all = list(root);
  std::vector<std::string> removed;
  int complete_seen = 0;
  bool newer_complete = false;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    bool drop = false;
    if (it->complete) {
      drop = ++complete_seen > std::max(keep, 1);
      newer_complete = true;
    } else {
      drop = newer_complete;  // an interrupted attempt older than a finished one
    }
    if (!drop) continue;
    std::error_code failed;
    fs::remove_all(fs::path(root) / it->name, failed);
    if (!failed) removed.push_back(it->name);
  }
  return removed;
}

}  // namespace paracel::checkpoint
