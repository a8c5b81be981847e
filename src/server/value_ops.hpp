// Operations the server performs on stored value bytes: running an updater plugin, and
// reading a value as a number (for top-k).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "paracel/error.hpp"
#include "server/plugin_registry.hpp"

namespace paracel::server {

// Runs updater(old, delta) into `result`; on failure returns the plugin's status and fills
// `error_text`.
status run_updater(const plugin& updater, std::string_view old_value, std::string_view delta,
                   std::string& result, std::string& error_text);

// The value as a double when it is a msgpack integer or float; nullopt otherwise.
std::optional<double> numeric_value(std::string_view bytes);

}  // namespace paracel::server
