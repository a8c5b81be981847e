// Names of the updaters every server has without a plugin: add, replace, min and max for
// int, int64, double, vector<double>, vector<float>, vector<int>, map<string,double> and
// map<string,int>.
// Vectors combine element-wise and must have equal length; maps combine key-wise over the
// union of keys (add sums, min/max keep the extreme, a key in one map only is kept). And the
// built-in filter that keeps the keys starting with a prefix.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace paracel {

enum class builtin { add, replace, min, max };

inline constexpr std::string_view k_prefix_filter = "paracel.prefix:";

namespace detail {
template <class T>
struct builtin_type;  // no definition: only the types listed above have built-ins
template <>
struct builtin_type<std::int32_t> {
  static constexpr std::string_view name = "int";
};
template <>
struct builtin_type<std::int64_t> {
  static constexpr std::string_view name = "int64";
};
template <>
struct builtin_type<double> {
  static constexpr std::string_view name = "double";
};
template <>
struct builtin_type<std::vector<double>> {
  static constexpr std::string_view name = "vector_double";
};
template <>
struct builtin_type<std::vector<float>> {
  static constexpr std::string_view name = "vector_float";
};
template <>
struct builtin_type<std::vector<std::int32_t>> {
  static constexpr std::string_view name = "vector_int";
};
template <>
struct builtin_type<std::unordered_map<std::string, double>> {
  static constexpr std::string_view name = "map_double";
};
template <>
struct builtin_type<std::unordered_map<std::string, std::int32_t>> {
  static constexpr std::string_view name = "map_int";
};
template <>
struct builtin_type<std::map<std::string, double>>
    : builtin_type<std::unordered_map<std::string, double>> {};
template <>
struct builtin_type<std::map<std::string, std::int32_t>>
    : builtin_type<std::unordered_map<std::string, std::int32_t>> {};

constexpr std::string_view builtin_op_name(builtin op) {
  switch (op) {
    case builtin::add:
      return "add";
    case builtin::replace:
      return "replace";
    case builtin::min:
      return "min";
    case builtin::max:
      return "max";
  }
  return "?";
}
}  // namespace detail

// The registered name of a built-in updater, e.g. builtin_updater<double>(builtin::add) is
// "paracel.add.double". Plugin names are C identifiers, so they never collide with these.
template <class T>
std::string builtin_updater(builtin op) {
  std::string name = "paracel.";
  name += detail::builtin_op_name(op);
  name += '.';
  name += detail::builtin_type<T>::name;
  return name;
}

// The name of the built-in filter that keeps the keys starting with `prefix`: usable wherever
// a registered filter's name is (pull_all, remove_filtered, top_k, paracel_read_special, ...),
// with no plugin and no registration.
inline std::string prefix_filter(std::string_view prefix) {
  return std::string(k_prefix_filter) + std::string(prefix);
}

}  // namespace paracel
