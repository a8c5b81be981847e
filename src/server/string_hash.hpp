// Transparent hashing so that maps keyed by std::string can be searched with a string_view
// without allocating a key.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace paracel::server {

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace paracel::server
