// The built-in updaters, compiled through the same adapter as user plugins so that both
// follow one code path and one error behaviour.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "paracel/builtin.hpp"
#include "server/plugin_registry.hpp"

namespace paracel::server {

namespace {

template <class T>
struct is_vector : std::false_type {};
template <class E>
struct is_vector<std::vector<E>> : std::true_type {};
template <class T>
struct is_map : std::false_type {};
template <class V>
struct is_map<std::unordered_map<std::string, V>> : std::true_type {};

template <class N>
N checked_add(N a, N b) {
  if constexpr (std::is_integral_v<N>) {
    N sum;
    if (__builtin_add_overflow(a, b, &sum)) throw std::overflow_error("integer overflow in add");
    return sum;
  } else {
    return a + b;
  }
}

struct add_op {
  template <class N>
  N operator()(N a, N b) const { return checked_add(a, b); }
};
struct min_op {
  template <class N>
  N operator()(N a, N b) const { return b < a ? b : a; }
};
struct max_op {
  template <class N>
  N operator()(N a, N b) const { return a < b ? b : a; }
};

// Lifts a scalar operation to vectors (element-wise) and maps (key-wise over the union).
template <class Op, class T>
T combine(T old, T delta) {
  const Op op;
  if constexpr (is_vector<T>::value) {
    if (old.size() != delta.size()) {
      throw std::invalid_argument("vectors of different lengths (" + std::to_string(old.size()) +
                                  " stored, " + std::to_string(delta.size()) + " in the delta)");
    }
    for (std::size_t i = 0; i < old.size(); ++i) old[i] = op(old[i], delta[i]);
    return old;
  } else if constexpr (is_map<T>::value) {
    for (auto& [key, value] : delta) {
      auto [it, inserted] = old.try_emplace(key, value);
      if (!inserted) it->second = op(it->second, value);
    }
    return old;
  } else {
    return op(old, delta);
  }
}

template <class T>
T replace_fn(T, T delta) {
  return delta;
}

template <class T>
void add_type(std::vector<std::pair<std::string, const paracel_plugin_entry*>>& out) {
  out.emplace_back(builtin_updater<T>(builtin::add), detail::updater_entry<&combine<add_op, T>>());
  out.emplace_back(builtin_updater<T>(builtin::min), detail::updater_entry<&combine<min_op, T>>());
  out.emplace_back(builtin_updater<T>(builtin::max), detail::updater_entry<&combine<max_op, T>>());
  out.emplace_back(builtin_updater<T>(builtin::replace), detail::updater_entry<&replace_fn<T>>());
}

}  // namespace

std::vector<std::pair<std::string, const paracel_plugin_entry*>> builtin_updaters() {
  std::vector<std::pair<std::string, const paracel_plugin_entry*>> out;
  add_type<std::int32_t>(out);
  add_type<std::int64_t>(out);
  add_type<double>(out);
  add_type<std::vector<double>>(out);
  add_type<std::vector<std::int32_t>>(out);
  add_type<std::unordered_map<std::string, double>>(out);
  add_type<std::unordered_map<std::string, std::int32_t>>(out);
  return out;
}

}  // namespace paracel::server
