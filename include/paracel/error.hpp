// Status codes carried on the wire and the exceptions the user API throws.
// Policy (docs/errors.md): across the wire and the plugin boundary errors are status codes;
// at the user API they become exceptions whose message names what failed and where.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "paracel/export.hpp"

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

PARACEL_EXPORT const char* status_name(status s);

// Base of every exception Paracel throws, at its user API and inside the server.
class PARACEL_EXPORT error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An error that carries a wire status: what a server replies with, or replied with.
class PARACEL_EXPORT status_error : public error {
 public:
  status_error(status code, const std::string& message) : error(message), code_(code) {}
  status code() const { return code_; }

 private:
  status code_;
};

// A server answered with a status other than ok.
class PARACEL_EXPORT server_error : public status_error {
 public:
  using status_error::status_error;
};

// A typed read of a key that no server holds.
class PARACEL_EXPORT key_not_found : public server_error {
 public:
  key_not_found(const std::string& key, const std::string& endpoint);
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// A typed read (pull<T>, paracel_read<T>, pull_all, top_k) of a value stored as another
// type, or of bytes that are no value at all. Names the key, both types and the server.
class PARACEL_EXPORT type_error : public status_error {
 public:
  type_error(const std::string& key, std::string_view expected, std::string_view stored,
             const std::string& endpoint);
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// A server did not answer within the call's deadline (dead, hung or unreachable).
class PARACEL_EXPORT timeout_error : public error {
 public:
  using error::error;
};

}  // namespace paracel
