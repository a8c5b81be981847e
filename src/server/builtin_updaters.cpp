// The built-in updaters, compiled through the same adapter as user plugins so that both
// follow one code path and one error behaviour.
#include <cstdint>
#include <cstring>
#include <optional>
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
  N operator()(N a, N b) const {
    return checked_add(a, b);
  }
};
struct min_op {
  template <class N>
  N operator()(N a, N b) const {
    return b < a ? b : a;
  }
};
struct max_op {
  template <class N>
  N operator()(N a, N b) const {
    return a < b ? b : a;
  }
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

// combine<Op, T> for dense vectors without decoding: the stored blob is rewritten in place,
// the hot path of gradient pushes. Elements are unaligned inside the blob, hence memcpy.
template <class Op, class T>
bool combine_in_place(std::string& stored, std::string_view delta) {
  using elem = typename T::value_type;
  std::optional<detail::dense_span> old_span;
  std::optional<detail::dense_span> delta_span;
  try {
    old_span = detail::find_dense<T>(stored);
    delta_span = detail::find_dense<T>(delta);
  } catch (const std::exception&) {
    return false;  // the generic path reports the error
  }
  if (!old_span || !delta_span || old_span->bytes != delta_span->bytes) return false;
  const Op op;
  char* out = stored.data() + old_span->offset;
  const char* in = delta.data() + delta_span->offset;
  for (std::size_t i = 0; i < old_span->bytes; i += sizeof(elem)) {
    elem a;
    elem b;
    std::memcpy(&a, out + i, sizeof(elem));
    std::memcpy(&b, in + i, sizeof(elem));
    a = op(a, b);
    std::memcpy(out + i, &a, sizeof(elem));
  }
  return true;
}

template <class Op, class T>
plugin make_builtin(builtin kind) {
  plugin p{builtin_updater<T>(kind), nullptr, detail::updater_entry<&combine<Op, T>>(), nullptr};
  // Floating point only: integer add may overflow midway, and must then leave the value as it was.
  if constexpr (detail::dense_traits<T>::value) {
    if constexpr (std::is_floating_point_v<typename T::value_type>)
      p.in_place = &combine_in_place<Op, T>;
  }
  return p;
}

template <class T>
void add_type(std::vector<plugin>& out) {
  out.push_back(make_builtin<add_op, T>(builtin::add));
  out.push_back(make_builtin<min_op, T>(builtin::min));
  out.push_back(make_builtin<max_op, T>(builtin::max));
  out.push_back(plugin{builtin_updater<T>(builtin::replace), nullptr,
                       detail::updater_entry<&replace_fn<T>>(), nullptr});
}

}  // namespace

std::vector<plugin> builtin_updaters() {
  std::vector<plugin> out;
  add_type<std::int32_t>(out);
  add_type<std::int64_t>(out);
  add_type<double>(out);
  add_type<std::vector<double>>(out);
  add_type<std::vector<float>>(out);
  add_type<std::vector<std::int32_t>>(out);
  add_type<std::unordered_map<std::string, double>>(out);
  add_type<std::unordered_map<std::string, std::int32_t>>(out);
  return out;
}

}  // namespace paracel::server
