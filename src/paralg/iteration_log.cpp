#include "paralg/iteration_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "paracel/log.hpp"

namespace paracel {

namespace {

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

iteration_log::iteration_log(const std::string& folder, int worker)
    : worker_(worker), created_(std::chrono::steady_clock::now()) {
  previous_.when = first_.when = created_;
  if (folder.empty()) return;
  std::error_code ignored;
  std::filesystem::create_directories(folder, ignored);  // every worker may race to create it
  path_ = folder + "/worker-" + std::to_string(worker) + ".jsonl";
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    log::warn("cannot write the iteration metrics ", path_, ": ", std::strerror(errno),
              "; the job runs without them");
  }
}

iteration_log::~iteration_log() {
  if (fd_ >= 0) ::close(fd_);
}

iteration_log::mark iteration_log::now(const ssp_stats& ssp, const client_traffic& traffic) const {
  return {std::chrono::steady_clock::now(), ssp, traffic};
}

void iteration_log::restart(const ssp_stats& ssp, const client_traffic& traffic) {
  previous_ = first_ = now(ssp, traffic);
}

void iteration_log::report(std::string_view name, double value) {
  auto same = std::find_if(reports_.begin(), reports_.end(),
                           [&](const auto& r) { return r.first == name; });
  if (same != reports_.end()) {
    same->second = value;
  } else {
    reports_.emplace_back(std::string(name), value);
  }
}

void iteration_log::record(std::int64_t clock, std::int64_t total, const ssp_stats& ssp,
                           const client_traffic& traffic, bool final) {
  if (fd_ < 0) return;
  const mark current = now(ssp, traffic);
  const mark& since = final ? first_ : previous_;
  const auto span = current.when - since.when;
  const auto waited = current.ssp.wait_time - since.ssp.wait_time;
  // SSP waits are replies the client waited for too: the network's share is the rest.
  const auto network = std::max(current.traffic.blocked - since.traffic.blocked - waited,
                                std::chrono::nanoseconds(0));
  const auto compute =
      std::max<std::chrono::nanoseconds>(span - waited - network, std::chrono::nanoseconds(0));
  const double unix_time =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  // The line's object is kept and its values replaced: building one anew (keys allocated)
  // costs twice as much, and this runs every clock.
  nlohmann::ordered_json& line = line_;
  line["worker"] = worker_;
  line["clock"] = clock;
  line["total"] = total;
  line["time"] = unix_time;
  line["elapsed"] = seconds(current.when - created_);
  line["seconds"] = seconds(span);
  line["compute_seconds"] = seconds(compute);
  line["wait_seconds"] = seconds(waited);
  line["network_seconds"] = seconds(network);
  line["waits"] = current.ssp.waits - since.ssp.waits;
  line["reads"] = current.ssp.reads - since.ssp.reads;
  line["cache_hits"] = current.ssp.cache_hits - since.ssp.cache_hits;
  line["requests"] = current.traffic.requests - since.traffic.requests;
  line["bytes_sent"] = current.traffic.bytes_sent - since.traffic.bytes_sent;
  line["bytes_received"] = current.traffic.bytes_received - since.traffic.bytes_received;
  line["keys_pulled"] = current.traffic.keys_pulled - since.traffic.keys_pulled;
  line["keys_pushed"] = current.traffic.keys_pushed - since.traffic.keys_pushed;
  if (final) {
    line["final"] = true;
  } else {
    line.erase("final");
  }
  nlohmann::ordered_json& reported = line["report"];
  reported = nlohmann::ordered_json::object();
  for (const auto& [name, value] : reports_) reported[name] = value;
  reports_.clear();
  previous_ = current;
  std::string text = line.dump();
  text.push_back('\n');
  append(text);
}

void iteration_log::append(const std::string& line) {
  // One write per line: a reader (prun's progress line) never sees half of one, except
  // at the very end of the file while it is being written.
  const ssize_t written = ::write(fd_, line.data(), line.size());
  if (written == static_cast<ssize_t>(line.size())) return;
  log::warn("cannot append to the iteration metrics ", path_, ": ",
            written < 0 ? std::strerror(errno) : "short write", "; no more lines are written");
  ::close(fd_);
  fd_ = -1;
}

}  // namespace paracel
