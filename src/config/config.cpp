#include "paracel/config.hpp"

#include <cstdint>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>
#include <type_traits>

#include "paracel/error.hpp"

namespace paracel {

struct config::document {
  nlohmann::json json;
};

config::config(std::unique_ptr<document> doc, std::string origin)
    : doc_(std::move(doc)), origin_(std::move(origin)) {}
config::~config() = default;
config::config(config&&) noexcept = default;
config& config::operator=(config&&) noexcept = default;

config config::from_args(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--cfg_file=")) return load(std::string(arg.substr(11)));
  }
  throw error("no configuration: pass -c FILE to prun.py (or --cfg_file=FILE)");
}

config config::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error("cannot read config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

config config::parse(const std::string& json_text, const std::string& origin) {
  auto doc = std::make_unique<document>();
  try {
    doc->json = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    // parse_error, and out_of_range for a number beyond double's range (1e999): both mean
    // a file that cannot be read as JSON.
    throw error("config " + origin + " is not valid JSON: " + e.what());
  }
  if (!doc->json.is_object()) throw error("config " + origin + " must be a JSON object");
  return config(std::move(doc), origin);
}

bool config::has(const std::string& key) const { return doc_->json.contains(key); }

namespace {

template <class T>
const char* type_name() {
  if constexpr (std::is_same_v<T, std::string>) return "a string";
  if constexpr (std::is_same_v<T, bool>) return "true or false";
  if constexpr (std::is_integral_v<T>) return "an integer";
  if constexpr (std::is_floating_point_v<T>) return "a number";
  return "a list of strings";
}

template <class T>
bool has_type(const nlohmann::json& v) {
  if constexpr (std::is_same_v<T, std::string>) return v.is_string();
  if constexpr (std::is_same_v<T, bool>) return v.is_boolean();
  if constexpr (std::is_integral_v<T>) return v.is_number_integer();
  if constexpr (std::is_floating_point_v<T>) return v.is_number();
  if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    if (!v.is_array()) return false;
    for (const auto& item : v)
      if (!item.is_string()) return false;
    return true;
  }
  return false;
}

}  // namespace

template <class T>
T config::get(const std::string& key) const {
  asked_.insert(key);
  auto it = doc_->json.find(key);
  if (it == doc_->json.end()) throw error("config " + origin_ + ": missing key '" + key + "'");
  if (!has_type<T>(*it)) {
    throw error("config " + origin_ + ": key '" + key + "' must be " + type_name<T>() + ", not " +
                it->dump());
  }
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    const auto wide = it->template get<std::int64_t>();
    if (wide < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
        wide > static_cast<std::int64_t>(std::numeric_limits<T>::max())) {
      throw error("config " + origin_ + ": key '" + key + "' is out of range: " + it->dump());
    }
  }
  return it->template get<T>();
}

template std::string config::get<std::string>(const std::string&) const;
template bool config::get<bool>(const std::string&) const;
template int config::get<int>(const std::string&) const;
template std::int64_t config::get<std::int64_t>(const std::string&) const;
template double config::get<double>(const std::string&) const;
template std::vector<std::string> config::get<std::vector<std::string>>(const std::string&) const;

void config::require(bool ok, const std::string& what) const {
  if (!ok) throw error("config " + origin_ + ": " + what);
}

void config::check_no_unknown() const {
  std::string unknown;
  for (const auto& [key, value] : doc_->json.items()) {
    if (!asked_.count(key)) unknown += (unknown.empty() ? "'" : ", '") + key + "'";
  }
  if (unknown.empty()) return;
  std::string known;
  for (const auto& key : asked_) known += (known.empty() ? "" : ", ") + key;
  throw error("config " + origin_ + ": unknown key(s) " + unknown +
              " (this algorithm reads: " + known + ")");
}

}  // namespace paracel
