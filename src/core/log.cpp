#include "paracel/log.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "paracel/error.hpp"

namespace paracel::log {

namespace {

std::mutex identity_mutex;
std::string& identity() {
  static std::string who = "paracel";
  return who;
}

level parse_threshold() {
  const char* text = std::getenv("PARACEL_LOG");
  if (text == nullptr || *text == '\0') return level::info;
  const std::string_view name = text;
  if (name == "error") return level::error;
  if (name == "warn" || name == "warning") return level::warn;
  if (name == "info") return level::info;
  if (name == "debug") return level::debug;
  throw paracel::error("PARACEL_LOG=" + std::string(name) +
                       ": expected error, warn, info or debug");
}

const char* level_name(level l) {
  switch (l) {
    case level::error:
      return "ERROR";
    case level::warn:
      return "WARN";
    case level::info:
      return "INFO";
    case level::debug:
      return "DEBUG";
  }
  return "?";
}

}  // namespace

level threshold() {
  static const level parsed = parse_threshold();
  return parsed;
}

bool enabled(level l) {
  if (l == level::error) return true;
  try {
    return l <= threshold();
  } catch (const paracel::error&) {
    return true;  // write() reports the bad variable on the first line
  }
}

void set_identity(std::string who) {
  const std::lock_guard lock(identity_mutex);
  identity() = std::move(who);
}

std::string format_line(level l, std::string_view message) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[40];
  const auto length = std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(stamp + length, sizeof(stamp) - length, ".%03dZ", static_cast<int>(millis));
  std::string who;
  {
    const std::lock_guard lock(identity_mutex);
    who = identity();
  }
  std::string line;
  line.reserve(message.size() + who.size() + 48);
  line.append(stamp).append(" ").append(who).append(" ").append(level_name(l)).append(" ");
  line.append(message);
  if (line.back() != '\n') line.push_back('\n');
  return line;
}

void write(level l, std::string_view message) {
  std::string line = format_line(l, message);
  try {
    (void)threshold();
  } catch (const paracel::error& e) {
    static std::once_flag told;
    std::call_once(told, [&] { line = format_line(level::warn, e.what()) + line; });
  }
  // One write(2) per line: concurrent writers (threads, ranks sharing a terminal) never split
  // each other's lines. A short write to a full pipe is retried for the rest.
  std::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t written = ::write(STDERR_FILENO, rest.data(), rest.size());
    if (written <= 0) return;  // stderr closed: nothing better to do with a log line
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace paracel::log
