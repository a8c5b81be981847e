// Status codes carried on the wire and the exceptions the user API throws.
// Policy (docs/errors.md): across the wire and the plugin boundary errors are status codes;
// at the user API they become exceptions whose message names what failed and where.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace paracel {

// The status in every reply header. Values are part of the wire protocol: append only.
enum class status : std::uint8_t {
  ok = 0,
  not_found = 1,           // the key does not exist
  bad_request = 2,         // malformed, truncated or inconsistent message
  version_mismatch = 3,    // protocol version differs from the server's
  unknown_op = 4,          // opcode the server does not know
  type_mismatch = 5,       // an updater or top-k met a value of another type
  plugin_error = 6,        // plugin refused, missing, or failed while running
  too_large = 7,           // request above the server's size limit
  conflict = 8,            // a name is already registered to something else
  internal_error = 9,      // a bug or resource failure inside the server
  deadline_exceeded = 10,  // an SSP clock wait outlived its deadline (names the slowest worker)
};

const char* status_name(status s);

// Base of every exception Paracel throws at its user API.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A server answered with a status other than ok.
class server_error : public error {
 public:
  server_error(status code, const std::string& message) : error(message), code_(code) {}
  status code() const { return code_; }

 private:
  status code_;
};

// A typed read of a key that no server holds.
class key_not_found : public server_error {
 public:
  key_not_found(const std::string& key, const std::string& endpoint);
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// A server did not answer within the call's deadline (dead, hung or unreachable).
class timeout_error : public error {
 public:
  using error::error;
};

}  // namespace paracel
