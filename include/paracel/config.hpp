// An algorithm's configuration: a JSON object, as `prun.py -c FILE` passes it (--cfg_file).
//
//   auto cfg = paracel::config::from_args(argc, argv);
//   auto input = cfg.get<std::string>("input");            // required
//   auto rounds = cfg.get<int>("rounds", 10);              // optional, with a default
//   cfg.check_no_unknown();                                // a misspelt key is an error
//
// Every problem is a paracel::error naming the file and the key: a missing file, invalid
// JSON, a missing required key, a value of the wrong type, a key nobody asked for.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "paracel/export.hpp"

namespace paracel {

class PARACEL_EXPORT config {
 public:
  // Reads the file given as --cfg_file=PATH (prun.py's -c).
  static config from_args(int argc, char** argv);
  static config load(const std::string& path);
  // `origin` names the text in errors (a file name, "<test>").
  static config parse(const std::string& json_text, const std::string& origin);
  ~config();
  config(config&&) noexcept;
  config& operator=(config&&) noexcept;

  const std::string& origin() const { return origin_; }
  bool has(const std::string& key) const;
  // Supported T: std::string, bool, int, std::int64_t, double, std::vector<std::string>.
  template <class T>
  T get(const std::string& key) const;
  template <class T>
  T get(const std::string& key, T fallback) const {
    return has(key) ? get<T>(key) : (asked_.insert(key), std::move(fallback));
  }
  // Throws naming the keys that no get() asked for, and the ones it knows.
  void check_no_unknown() const;
  // Throws "config <origin>: <what>" unless `ok`: for checks of values (ranges, choices).
  void require(bool ok, const std::string& what) const;

 private:
  struct document;
  config(std::unique_ptr<document> doc, std::string origin);

  std::unique_ptr<document> doc_;
  std::string origin_;
  mutable std::set<std::string> asked_;
};

}  // namespace paracel
