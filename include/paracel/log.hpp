// paracel::log: the one leveled logger of the library, the servers and the algorithms.
//
//   paracel::log::info("loaded ", rows, " rows");    // written when the level allows it
//   paracel::log::warn("lambda ", l, " did not converge");
//
// Every line goes to stderr as one write, so that lines of threads and processes never
// interleave mid-line, and carries the time (UTC, milliseconds), who wrote it and the level:
//
//   2026-12-03T10:22:01.123Z worker 2 WARN lasso: lambda 0.01 did not converge in 100 passes
//
// The level is read from PARACEL_LOG once: error, warn, info (the default) or debug. Errors
// are always written. Who wrote it is "worker <rank>" in a paralg program (set by paralg),
// "server <endpoint>" in paracel_server, or the program's name until then.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

#include "paracel/export.hpp"

namespace paracel::log {

enum class level { error = 0, warn = 1, info = 2, debug = 3 };

// The level PARACEL_LOG asks for; throws paracel::error naming the variable when it is not
// one of the four names (a typo must not silently hide messages).
PARACEL_EXPORT level threshold();
PARACEL_EXPORT bool enabled(level l);
// Who writes the following lines ("worker 3", "server tcp://10.0.0.1:5000").
PARACEL_EXPORT void set_identity(std::string who);
PARACEL_EXPORT void write(level l, std::string_view message);
// The full line write() would produce (for tests and for callers that print elsewhere).
PARACEL_EXPORT std::string format_line(level l, std::string_view message);

template <class... Parts>
void at(level l, const Parts&... parts) {
  if (!enabled(l)) return;
  std::ostringstream text;
  (text << ... << parts);
  write(l, text.str());
}
template <class... Parts>
void error(const Parts&... parts) {
  at(level::error, parts...);
}
template <class... Parts>
void warn(const Parts&... parts) {
  at(level::warn, parts...);
}
template <class... Parts>
void info(const Parts&... parts) {
  at(level::info, parts...);
}
template <class... Parts>
void debug(const Parts&... parts) {
  at(level::debug, parts...);
}

}  // namespace paracel::log
