#include "server/plugin_registry.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace paracel::server {

namespace fs = std::filesystem;

shared_library::shared_library(const fs::path& path) : path_(path) {
  handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* why = ::dlerror();
    throw registry_error(status::plugin_error, "cannot load plugin library " + path.string() +
                                                   ": " + (why ? why : "unknown dlopen error"));
  }
}

shared_library::~shared_library() {
  if (handle_ != nullptr) ::dlclose(handle_);
}

void* shared_library::symbol(const std::string& name) const {
  return ::dlsym(handle_, name.c_str());
}

namespace {

bool is_c_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool is_inside(const fs::path& path, const fs::path& dir) {
  auto [dir_end, path_it] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return dir_end == dir.end();
}

const char* kind_name(plugin_kind kind) {
  return kind == plugin_kind::updater ? "updater" : "filter";
}

}  // namespace

plugin_registry::plugin_registry(const std::vector<std::string>& plugin_dirs) {
  for (const auto& dir : plugin_dirs) {
    std::error_code ec;
    fs::path canonical = fs::canonical(dir, ec);
    if (!ec && fs::is_directory(canonical)) dirs_.push_back(std::move(canonical));
  }
  for (auto& builtin : builtin_updaters()) {
    std::string name = builtin.name;
    updaters_.emplace(std::move(name), std::make_shared<const plugin>(std::move(builtin)));
  }
}

fs::path plugin_registry::resolve(std::string_view file) const {
  if (dirs_.empty()) {
    throw registry_error(status::plugin_error,
                         "this server has no plugin directories; start it with --plugin_dirs");
  }
  const fs::path requested(file);
  std::vector<fs::path> candidates;
  if (requested.is_absolute()) {
    candidates.push_back(requested);
  } else {
    for (const auto& dir : dirs_) candidates.push_back(dir / requested);
  }
  for (const auto& candidate : candidates) {
    std::error_code ec;
    fs::path canonical = fs::canonical(candidate, ec);
    if (ec) continue;
    const bool allowed = std::any_of(
        dirs_.begin(), dirs_.end(), [&](const fs::path& dir) { return is_inside(canonical, dir); });
    if (!allowed) {
      throw registry_error(status::plugin_error,
                           "plugin path " + canonical.string() +
                               " is outside the server's plugin directories; copy the library "
                               "into one of them or add its directory to --plugin_dirs");
    }
    return canonical;
  }
  std::string searched;
  for (const auto& dir : dirs_) searched += (searched.empty() ? "" : ", ") + dir.string();
  throw registry_error(status::plugin_error,
                       "plugin library '" + std::string(file) + "' not found in " + searched);
}

void plugin_registry::add(plugin_kind kind, std::string_view file, std::string_view name) {
  if (!is_c_identifier(name)) {
    throw registry_error(status::bad_request,
                         "plugin name '" + std::string(name) + "' is not a C identifier");
  }
  const fs::path path = resolve(file);
  {
    std::shared_lock lock(mutex_);
    auto it = table_for(kind).find(name);
    if (it != table_for(kind).end()) {
      if (it->second->library && it->second->library->path() == path) return;
      throw registry_error(status::conflict,
                           std::string(kind_name(kind)) + " '" + std::string(name) +
                               "' is already registered from " +
                               (it->second->library ? it->second->library->path().string()
                                                    : std::string("the built-ins")));
    }
  }
  auto library = std::make_shared<shared_library>(path);
  const std::string symbol = std::string(detail::k_plugin_symbol_prefix) + std::string(name);
  auto entry_fn = reinterpret_cast<paracel_plugin_entry_fn>(library->symbol(symbol));
  if (entry_fn == nullptr) {
    throw registry_error(status::plugin_error,
                         "plugin library " + path.string() + " has no " + kind_name(kind) + " '" +
                             std::string(name) + "' (symbol " + symbol +
                             "); export it with PARACEL_UPDATER or PARACEL_FILTER");
  }
  const paracel_plugin_entry* entry = entry_fn();
  if (entry == nullptr || entry->abi_version != PARACEL_PLUGIN_ABI_VERSION) {
    throw registry_error(status::plugin_error,
                         "plugin '" + std::string(name) + "' in " + path.string() +
                             " was built for plugin ABI " +
                             (entry ? std::to_string(entry->abi_version) : std::string("?")) +
                             " but this server speaks ABI " +
                             std::to_string(PARACEL_PLUGIN_ABI_VERSION) + "; rebuild the plugin");
  }
  if (entry->kind != static_cast<std::uint32_t>(kind) ||
      (kind == plugin_kind::updater ? entry->update == nullptr : entry->filter == nullptr)) {
    throw registry_error(status::plugin_error,
                         "plugin '" + std::string(name) + "' in " + path.string() + " is not " +
                             (kind == plugin_kind::updater ? "an updater" : "a filter"));
  }
  auto registered =
      std::make_shared<const plugin>(plugin{std::string(name), library, entry, nullptr});
  std::unique_lock lock(mutex_);
  auto [it, inserted] = table_for(kind).emplace(std::string(name), registered);
  if (!inserted && !(it->second->library && it->second->library->path() == path)) {
    throw registry_error(status::conflict, std::string(kind_name(kind)) + " '" + std::string(name) +
                                               "' was registered concurrently "
                                               "from another library");
  }
}

bool plugin_registry::remove(plugin_kind kind, std::string_view name) {
  std::unique_lock lock(mutex_);
  auto& plugins = table_for(kind);
  auto it = plugins.find(name);
  if (it == plugins.end()) return false;
  if (!it->second->library) {
    throw registry_error(status::conflict,
                         "built-in updater '" + std::string(name) + "' cannot be unregistered");
  }
  plugins.erase(it);
  return true;
}

std::shared_ptr<const plugin> plugin_registry::find(plugin_kind kind, std::string_view name) const {
  std::shared_lock lock(mutex_);
  const auto& plugins = table_for(kind);
  auto it = plugins.find(name);
  return it == plugins.end() ? nullptr : it->second;
}

}  // namespace paracel::server
