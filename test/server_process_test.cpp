// paracel_server as a real process: endpoint reporting, clean SIGTERM shutdown, and a
// killed server seen by clients as a deadline error naming it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>
#include <zmq_addon.hpp>

#include "paracel/ps_client.hpp"
#include "proto/message.hpp"

namespace {

using namespace std::chrono_literals;

// A child paracel_server; killed (SIGKILL) by the destructor if still running. With
// address_space_mb, the child runs under that address-space limit (as prun's
// --mem_limit_server sets it).
class server_process {
 public:
  explicit server_process(std::vector<std::string> args, std::size_t address_space_mb = 0) {
    int out[2];
    int err[2];
    if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      dup2(err[1], STDERR_FILENO);
      close(out[0]);
      close(err[0]);
      if (address_space_mb > 0) {
        const rlimit limit{address_space_mb << 20, address_space_mb << 20};
        setrlimit(RLIMIT_AS, &limit);
      }
      std::vector<char*> argv;
      std::string binary = PARACEL_SERVER_BINARY;
      argv.push_back(binary.data());
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~server_process() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
    close(err_);
  }

  // The first stdout line (blocking).
  std::string read_line() {
    std::string line;
    char c;
    while (read(out_, &c, 1) == 1 && c != '\n') line += c;
    return line;
  }
  std::string read_stderr() {
    std::string all;
    char buffer[512];
    ssize_t n;
    while ((n = read(err_, buffer, sizeof(buffer))) > 0) all.append(buffer, n);
    return all;
  }
  std::string endpoint() {
    const std::string line = read_line();
    const std::string prefix = "PARACEL_SERVER_ENDPOINT ";
    EXPECT_EQ(line.rfind(prefix, 0), 0u) << line;
    return line.substr(prefix.size());
  }
  void signal(int sig) { kill(pid_, sig); }
  // SIGSTOP, returning once the server is stopped: kill() only queues the signal, and a
  // server busy on another core could still answer a request sent right after it.
  void stop() {
    kill(pid_, SIGSTOP);
    int status = 0;
    while (waitpid(pid_, &status, WUNTRACED) == pid_ && !WIFSTOPPED(status)) {
    }
  }
  // Exit status, or -1 if it does not exit within `limit`.
  int wait_exit(std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
  bool exited_ = false;
};

TEST(ServerProcess, ReportsItsEndpointAndStopsCleanlyOnSigterm) {
  const auto file =
      std::filesystem::temp_directory_path() / ("paracel_endpoint_" + std::to_string(getpid()));
  server_process server({"--threads=3", "--endpoint_file=" + file.string()});
  const std::string endpoint = server.endpoint();
  EXPECT_EQ(endpoint.rfind("tcp://127.0.0.1:", 0), 0u) << endpoint;
  std::ifstream in(file);
  std::string from_file;
  in >> from_file;
  EXPECT_EQ(from_file, endpoint);

  paracel::ps_client ps({endpoint});
  ps.push("k", 1.5);
  EXPECT_DOUBLE_EQ(ps.pull<double>("k"), 1.5);

  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(5000ms), 0);
  std::filesystem::remove(file);
}

TEST(ServerProcess, LogsStatsPeriodicallyAndWritesThemWhenStopped) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("paracel_stats_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  server_process server({"--stats_every=0.1", "--stats_dir=" + dir.string()});
  const std::string endpoint = server.endpoint();
  {
    paracel::ps_client ps({endpoint});
    for (int i = 0; i < 5; ++i) ps.push("k" + std::to_string(i), i);
  }
  std::this_thread::sleep_for(400ms);  // a few --stats_every periods
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(5000ms), 0);
  const std::string err = server.read_stderr();
  // Logged lines: time, who, level, then the statistics.
  EXPECT_NE(err.find("server " + endpoint + " INFO stats {"), std::string::npos) << err;
  const std::string port = endpoint.substr(endpoint.rfind(':') + 1);
  std::ifstream in(dir / ("server-127.0.0.1-" + port + ".json"));
  ASSERT_TRUE(in) << "no stats file in " << dir;
  std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(written.find("\"endpoint\":\"" + endpoint + "\""), std::string::npos) << written;
  EXPECT_NE(written.find("\"keys\":5,"), std::string::npos) << written;
  std::filesystem::remove_all(dir);
}

TEST(ServerProcess, KilledServerIsADeadlineErrorNamingIt) {
  server_process first({});
  server_process second({});
  const std::vector<std::string> endpoints = {first.endpoint(), second.endpoint()};
  paracel::client_options options;
  options.deadline = 500ms;
  paracel::ps_client ps(endpoints, options);
  // Find a key on each server.
  std::string on_first, on_second;
  for (int i = 0; on_first.empty() || on_second.empty(); ++i) {
    const std::string key = "key" + std::to_string(i);
    (ps.server_of(key) == 0 ? on_first : on_second) = key;
  }
  ps.push(on_first, 1);
  ps.push(on_second, 2);

  first.signal(SIGKILL);
  EXPECT_EQ(first.wait_exit(5000ms), 128 + SIGKILL);
  const auto start = std::chrono::steady_clock::now();
  try {
    ps.pull<int>(on_first);
    FAIL() << "a dead server answered";
  } catch (const paracel::timeout_error& e) {
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_LT(waited, 3s);
    EXPECT_NE(std::string(e.what()).find(endpoints[0]), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("pull"), std::string::npos) << e.what();
  }
  // The surviving server still answers through the same client.
  EXPECT_EQ(ps.pull<int>(on_second), 2);
  // Async updates to the dead server fail at flush, within the deadline.
  ps.update(on_first, 1, paracel::builtin::add);
  EXPECT_THROW(ps.flush(), paracel::timeout_error);
}

// A server that vanished without closing its connections (SIGSTOP here; a pulled cable or a
// hung host alike) is noticed by the heartbeats, long before the call's deadline, and the
// client works again once the server is back.
TEST(ServerProcess, StoppedServerIsNoticedByHeartbeatsBeforeTheDeadline) {
  server_process server({"--threads=1"});
  const std::string endpoint = server.endpoint();
  paracel::client_options options;
  options.deadline = 60s;
  options.heartbeat_interval = 200ms;
  options.heartbeat_timeout = 1000ms;
  paracel::ps_client ps({endpoint}, options);
  ps.push("k", 1);

  server.stop();
  ps.update("k", 1, paracel::builtin::add);  // an async update that cannot be acknowledged
  const auto start = std::chrono::steady_clock::now();
  try {
    (void)ps.pull<int>("k");
    FAIL() << "a stopped server answered";
  } catch (const paracel::timeout_error& e) {
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_LT(waited, 10s);  // heartbeats: about 1 s; the deadline would be 60 s
    const std::string what = e.what();
    EXPECT_NE(what.find(endpoint), std::string::npos) << what;
    EXPECT_NE(what.find("heartbeats"), std::string::npos) << what;
    EXPECT_NE(what.find("pull"), std::string::npos) << what;
  }
  // The async update went with the connection: flush says so instead of waiting.
  EXPECT_THROW(ps.flush(), paracel::timeout_error);

  server.signal(SIGCONT);
  // ZeroMQ reconnects by itself; requests sent after the drop are answered.
  ps.push("after", 7);
  EXPECT_EQ(ps.pull<int>("after"), 7);
}

TEST(ServerProcess, BadFlagsAreNamedAndExitNonZero) {
  server_process missing_dir({"--plugin_dirs=/no/such/dir"});
  EXPECT_EQ(missing_dir.wait_exit(5000ms), 2);
  EXPECT_NE(missing_dir.read_stderr().find("/no/such/dir"), std::string::npos);

  server_process holder({});
  const std::string endpoint = holder.endpoint();
  const std::string port = endpoint.substr(endpoint.rfind(':') + 1);
  server_process clash({"--port=" + port});
  EXPECT_EQ(clash.wait_exit(5000ms), 1);
  const std::string err = clash.read_stderr();
  EXPECT_NE(err.find("cannot bind"), std::string::npos) << err;
  EXPECT_NE(err.find(port), std::string::npos) << err;
}

// msgpack headers that claim far more than the frame holds. Before the shape check, the first
// made a server reserve ~1.5 GB (63 nested arrays of a million elements, ~24 MB each) for a
// 1 MiB frame: bad_alloc under an address-space limit.
std::vector<std::pair<std::string, std::string>> bomb_frames() {
  std::string nested;
  for (int level = 0; level < 63; ++level) nested += std::string("\xdd\x00\x0f\xff\xff", 5);
  nested.resize(1u << 20, '\xc0');  // nil padding up to 1 MiB
  std::string wide_map("\xdf\xff\xff\xff\xff");
  wide_map.resize(1u << 20, '\xc0');
  return {{"63 nested array32 headers", nested},
          {"map32 claiming 4 G pairs", wide_map},
          {"str32 claiming 4 GiB", std::string("\x91\xdb\xff\xff\xff\xff"
                                               "abc",
                                               9)},
          {"bin32 claiming 4 GiB", std::string("\x91\xc6\xff\xff\xff\xff"
                                               "abc",
                                               9)},
          {"ext32 claiming 4 GiB", std::string("\x91\xc9\xff\xff\xff\xff\x01"
                                               "abc",
                                               10)},
          {"nesting 40 deep", std::string(40, '\x91') + '\xc0'}};
}

TEST(ServerProcess, ContainerBombsAreRefusedUnderAnAddressSpaceLimit) {
  // Sanitizers reserve terabytes of shadow memory: no limit there, the status still tells.
#if defined(PARACEL_SANITIZED)
  const std::size_t limit_mb = 0;
#else
  const std::size_t limit_mb = 768;
#endif
  server_process server({}, limit_mb);
  const std::string endpoint = server.endpoint();
  zmq::context_t context;
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::rcvtimeo, 10000);
  socket.connect(endpoint);
  std::uint64_t id = 0;
  // Each bomb as the keys frame of pull_multi (read by the one-pass list decoder, which
  // refuses a nested container or a map at once) and as the arguments frame of
  // register_updater (unpacked as generic msgpack after the shape check).
  for (const auto code : {paracel::proto::op::pull_multi, paracel::proto::op::register_updater}) {
    for (const auto& [what, frame] : bomb_frames()) {
      paracel::proto::header h;
      h.code = code;
      h.id = ++id;
      std::vector<zmq::message_t> request;
      request.push_back(paracel::proto::encode_header(h));
      request.emplace_back(frame.data(), frame.size());
      zmq::send_multipart(socket, request);
      std::vector<zmq::message_t> reply;
      ASSERT_TRUE(zmq::recv_multipart(socket, std::back_inserter(reply))) << what << ": no reply";
      ASSERT_EQ(reply.size(), 2u) << what;
      EXPECT_EQ(paracel::proto::decode_header(reply[0]).st, paracel::status::bad_request) << what;
      const std::string message(paracel::proto::view(reply[1]));
      const bool list_refusal = code == paracel::proto::op::pull_multi &&
                                (message.find("is not a byte string") != std::string::npos ||
                                 message.find("expected a msgpack array") != std::string::npos);
      EXPECT_TRUE(list_refusal || message.find("claims") != std::string::npos ||
                  message.find("nested deeper") != std::string::npos ||
                  message.find("truncated") != std::string::npos)
          << paracel::proto::op_name(code) << ", " << what << ": " << message;
    }
  }
  paracel::ps_client ps({endpoint});
  ps.push("still", 7);
  EXPECT_EQ(ps.pull<int>("still"), 7);
  EXPECT_EQ(server.wait_exit(0ms), -1);  // still running
}

}  // namespace
