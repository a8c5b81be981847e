// Text formats of paralg's dumps: numbers with full precision (they read back exactly),
// strings as they are, vectors and pairs space-separated.
#pragma once

#include <charconv>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace paracel {

template <class T>
void format_value(std::string& out, const T& value);

namespace detail {
template <class T>
struct is_pair : std::false_type {};
template <class A, class B>
struct is_pair<std::pair<A, B>> : std::true_type {};
template <class T>
struct is_vector_like : std::false_type {};
template <class E, class A>
struct is_vector_like<std::vector<E, A>> : std::true_type {};
}  // namespace detail

template <class T>
void format_value(std::string& out, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    out += value ? "1" : "0";
  } else if constexpr (std::is_arithmetic_v<T>) {
    char buffer[64];
    // Shortest representation that reads back to the same value.
    auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out.append(buffer, result.ptr);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    out += std::string_view(value);
  } else if constexpr (detail::is_pair<T>::value) {
    format_value(out, value.first);
    out += ' ';
    format_value(out, value.second);
  } else if constexpr (detail::is_vector_like<T>::value) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (i) out += ' ';
      format_value(out, value[i]);
    }
  } else {
    static_assert(sizeof(T) == 0,
                  "no text format for this type: dump numbers, strings, pairs or vectors");
  }
}

template <class T>
std::string format_vector(const std::vector<T>& data, const std::string& separator) {
  std::string out;
  for (const auto& v : data) {
    format_value(out, v);
    out += separator;
  }
  return out;
}

template <class Map>
std::string format_dict(const Map& data) {
  std::string out;
  for (const auto& [k, v] : data) {
    format_value(out, k);
    out += '\t';
    format_value(out, v);
    out += '\n';
  }
  return out;
}

// Works for Eigen dense and sparse matrices (anything with rows(), cols() and coeff(i, j)).
template <class Matrix>
std::string format_matrix(const Matrix& m) {
  std::string out;
  for (decltype(m.rows()) i = 0; i < m.rows(); ++i) {
    for (decltype(m.cols()) j = 0; j < m.cols(); ++j) {
      if (j) out += ' ';
      format_value(out, m.coeff(i, j));
    }
    out += '\n';
  }
  return out;
}

}  // namespace paracel
