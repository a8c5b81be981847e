// A readable name for a C++ type, for error messages (e.g. "std::vector<double>").
#pragma once

#include <string_view>

namespace paracel {

template <class T>
constexpr std::string_view type_label() {
  // GCC and Clang spell the template argument inside __PRETTY_FUNCTION__ as "T = ...".
  std::string_view name = __PRETTY_FUNCTION__;
  const auto start = name.find("T = ");
  if (start == std::string_view::npos) return name;
  name.remove_prefix(start + 4);
  const auto end = name.find_first_of(";]");
  return name.substr(0, end);
}

}  // namespace paracel
