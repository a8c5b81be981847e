// The updaters and filters a server can run: the built-ins, plus user plugins loaded from
// shared libraries inside the server's plugin directories (never from anywhere else, so no
// client can make a server load arbitrary code). A library stays loaded while any plugin
// from it is registered or in use. All members are thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "paracel/error.hpp"
#include "paracel/plugin.hpp"
#include "server/string_hash.hpp"

namespace paracel::server {

// Owns one dlopen handle.
class shared_library {
 public:
  explicit shared_library(const std::filesystem::path& path);  // throws registry_error
  ~shared_library();
  shared_library(const shared_library&) = delete;
  shared_library& operator=(const shared_library&) = delete;

  void* symbol(const std::string& name) const;  // nullptr when absent
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  void* handle_ = nullptr;
};

// A plugin that cannot be loaded or registered; the status is what the request gets.
class registry_error : public status_error {
 public:
  using status_error::status_error;
};

// Applies a built-in update to the stored bytes in place; returns false when the values are
// not in the layout it handles (the generic decode/apply/encode path then runs).
using in_place_update = bool (*)(std::string& stored, std::string_view delta);

struct plugin {
  std::string name;
  std::shared_ptr<shared_library> library;  // null for built-ins
  const paracel_plugin_entry* entry = nullptr;
  in_place_update in_place = nullptr;  // built-ins on dense vectors only
};

enum class plugin_kind : std::uint32_t {
  updater = PARACEL_PLUGIN_UPDATER,
  filter = PARACEL_PLUGIN_FILTER,
};

class plugin_registry {
 public:
  // Directories that do not exist are ignored; the rest are canonicalised.
  explicit plugin_registry(const std::vector<std::string>& plugin_dirs);

  // Loads `name` from `file` (a library name searched in the plugin directories, or a path
  // that must lie inside one). Registering the same name from the same file again is a
  // no-op; from another file it is a conflict. Throws registry_error.
  void add(plugin_kind kind, std::string_view file, std::string_view name);
  // Returns whether the name was registered. Built-ins cannot be removed.
  bool remove(plugin_kind kind, std::string_view name);
  // The plugin, or nullptr. The returned pointer keeps its library loaded.
  std::shared_ptr<const plugin> find(plugin_kind kind, std::string_view name) const;

  const std::vector<std::filesystem::path>& directories() const { return dirs_; }

 private:
  using table =
      std::unordered_map<std::string, std::shared_ptr<const plugin>, string_hash, std::equal_to<>>;
  std::filesystem::path resolve(std::string_view file) const;
  table& table_for(plugin_kind kind) { return kind == plugin_kind::updater ? updaters_ : filters_; }
  const table& table_for(plugin_kind kind) const {
    return kind == plugin_kind::updater ? updaters_ : filters_;
  }

  std::vector<std::filesystem::path> dirs_;
  mutable std::shared_mutex mutex_;
  table updaters_;
  table filters_;
};

// The built-in updaters (paracel/builtin.hpp).
std::vector<plugin> builtin_updaters();

}  // namespace paracel::server
