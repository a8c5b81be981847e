// paracel::metrics: the named results of a job (numbers, strings, series), written as one
// JSON object by paralg::paracel_dump_metrics into <output>/metrics.json, the file the tests,
// benchmarks and users read. Numbers keep every digit (they round-trip exactly). A plain
// value type; not thread-safe, like a std::map.
//
//   paracel::metrics m;
//   m.set("rounds", rounds).set("inertia", inertia);
//   paracel_dump_metrics(m, "kmeans");   // collective; prints "kmeans: {...}" on worker 0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "paracel/export.hpp"

namespace paracel {

class PARACEL_EXPORT metrics {
 public:
  metrics();
  ~metrics();
  metrics(const metrics&);
  metrics& operator=(const metrics&);

  // Sets `key` (replacing an earlier value); returns *this so that calls chain.
  metrics& set(std::string_view key, double value);
  metrics& set(std::string_view key, std::int64_t value);
  metrics& set(std::string_view key, int value) { return set(key, std::int64_t{value}); }
  metrics& set(std::string_view key, std::string_view value);
  metrics& set(std::string_view key, const char* value) {
    return set(key, std::string_view(value));
  }
  metrics& set(std::string_view key, bool value);
  // A series of rows, e.g. [seconds, objective] per snapshot.
  metrics& set(std::string_view key, const std::vector<std::vector<double>>& rows);

  // One line of JSON, keys in the order they were first set.
  std::string json() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace paracel
