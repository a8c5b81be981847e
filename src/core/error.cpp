#include "paracel/error.hpp"

namespace paracel {

const char* status_name(status s) {
  switch (s) {
    case status::ok:
      return "ok";
    case status::not_found:
      return "not_found";
    case status::bad_request:
      return "bad_request";
    case status::version_mismatch:
      return "version_mismatch";
    case status::unknown_op:
      return "unknown_op";
    case status::type_mismatch:
      return "type_mismatch";
    case status::plugin_error:
      return "plugin_error";
    case status::too_large:
      return "too_large";
    case status::conflict:
      return "conflict";
    case status::internal_error:
      return "internal_error";
    case status::deadline_exceeded:
      return "deadline_exceeded";
  }
  return "unknown_status";
}

key_not_found::key_not_found(const std::string& key, const std::string& endpoint)
    : server_error(status::not_found, "key '" + key + "' not found (server " + endpoint + ")"),
      key_(key) {}

type_error::type_error(const std::string& key, std::string_view expected, std::string_view stored,
                       const std::string& endpoint)
    : status_error(status::type_mismatch, "key '" + key + "' holds " + std::string(stored) +
                                              ", not the " + std::string(expected) +
                                              " asked for (server " + endpoint + ")"),
      key_(key) {}

}  // namespace paracel
