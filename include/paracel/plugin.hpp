// Updater and filter plugins: user functions compiled into a shared library and run by the
// servers. Write an ordinary function and export it with one macro:
//
//   double count_add(double a, double b) { return a + b; }
//   PARACEL_UPDATER(count_add, count_add)        // exported as updater "count_add"
//
//   bool is_weight(const std::string& key) { return key.starts_with("w_"); }
//   PARACEL_FILTER(weights_only, is_weight)      // exported as filter "weights_only"
//
// An updater is any `T f(T old, T delta)` (parameters may be const T&) where T is
// msgpack-serialisable; the macro generates an extern "C" entry with the ABI version and the
// adapter that decodes both values, calls f and encodes the result. A server calls an
// updater concurrently from several threads, so f must be thread-safe (pure functions are).
// When the key does not exist yet the server stores the delta as the value without calling f.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <type_traits>

#include "paracel/codec.hpp"
#include "paracel/error.hpp"
#include "paracel/type_label.hpp"

extern "C" {

// Bumped whenever the layout below or the value encoding changes; servers refuse others.
#define PARACEL_PLUGIN_ABI_VERSION 1u
#define PARACEL_PLUGIN_UPDATER 1u
#define PARACEL_PLUGIN_FILTER 2u

// Where an updater writes its result; the server owns the buffer behind it.
struct paracel_sink {
  void* context;
  void (*write)(void* context, const char* data, std::size_t size);
};

struct paracel_plugin_entry {
  std::uint32_t abi_version;
  std::uint32_t kind;
  const char* value_type;  // the C++ type the updater works on, for messages
  // Updater: returns 0 and writes the new value to `out`, or returns a paracel::status code
  // and writes a NUL-terminated message (at most error_size bytes) to `error`.
  int (*update)(const char* old_value, std::size_t old_size, const char* delta,
                std::size_t delta_size, paracel_sink* out, char* error, std::size_t error_size);
  // Filter: 1 keeps the key, 0 drops it, -1 means the filter threw.
  int (*filter)(const char* key, std::size_t key_size);
};

typedef const paracel_plugin_entry* (*paracel_plugin_entry_fn)(void);
}

namespace paracel::detail {

inline constexpr std::string_view k_plugin_symbol_prefix = "paracel_plugin_";

template <class F>
struct updater_signature;
template <class R, class A, class B>
struct updater_signature<R (*)(A, B)> {
  using value_type = std::remove_cvref_t<R>;
  static_assert(std::is_same_v<value_type, std::remove_cvref_t<A>> &&
                    std::is_same_v<value_type, std::remove_cvref_t<B>>,
                "an updater must have the form T f(T old, T delta)");
};
template <class R, class A, class B>
struct updater_signature<R (*)(A, B) noexcept> : updater_signature<R (*)(A, B)> {};

inline void write_error(char* error, std::size_t error_size, std::string_view message) {
  if (error_size == 0) return;
  const std::size_t n = message.size() < error_size - 1 ? message.size() : error_size - 1;
  message.copy(error, n);
  error[n] = '\0';
}

template <auto Fn>
int apply_updater(const char* old_value, std::size_t old_size, const char* delta,
                  std::size_t delta_size, paracel_sink* out, char* error,
                  std::size_t error_size) noexcept {
  using T = typename updater_signature<decltype(Fn)>::value_type;
  try {
    T old_decoded;
    try {
      old_decoded = decode<T>({old_value, old_size});
    } catch (const msgpack::type_error&) {
      write_error(error, error_size, "the stored value is not a " + std::string(type_label<T>()));
      return static_cast<int>(status::type_mismatch);
    }
    T delta_decoded;
    try {
      delta_decoded = decode<T>({delta, delta_size});
    } catch (const msgpack::type_error&) {
      write_error(error, error_size, "the delta is not a " + std::string(type_label<T>()));
      return static_cast<int>(status::type_mismatch);
    }
    const std::string result = encode<T>(Fn(std::move(old_decoded), std::move(delta_decoded)));
    out->write(out->context, result.data(), result.size());
    return 0;
  } catch (const std::exception& e) {
    write_error(error, error_size, e.what());
  } catch (...) {
    write_error(error, error_size, "the updater threw a non-standard exception");
  }
  return static_cast<int>(status::plugin_error);
}

template <auto Fn>
int apply_filter(const char* key, std::size_t key_size) noexcept {
  try {
    return Fn(std::string(key, key_size)) ? 1 : 0;
  } catch (...) {
    return -1;
  }
}

template <auto Fn>
const paracel_plugin_entry* updater_entry() {
  using T = typename updater_signature<decltype(Fn)>::value_type;
  static const std::string type_name(type_label<T>());
  static const paracel_plugin_entry entry{PARACEL_PLUGIN_ABI_VERSION, PARACEL_PLUGIN_UPDATER,
                                          type_name.c_str(), &apply_updater<Fn>, nullptr};
  return &entry;
}

template <auto Fn>
const paracel_plugin_entry* filter_entry() {
  static const paracel_plugin_entry entry{PARACEL_PLUGIN_ABI_VERSION, PARACEL_PLUGIN_FILTER,
                                          "std::string", nullptr, &apply_filter<Fn>};
  return &entry;
}

}  // namespace paracel::detail

// Exports `fn` (T fn(T, T)) as the updater `name` of this shared library.
#define PARACEL_UPDATER(name, fn)                           \
  extern "C" __attribute__((visibility("default")))         \
  const paracel_plugin_entry* paracel_plugin_##name(void) { \
    return ::paracel::detail::updater_entry<&fn>();         \
  }

// Exports `fn` (bool fn(const std::string& key)) as the key filter `name`.
#define PARACEL_FILTER(name, fn)                            \
  extern "C" __attribute__((visibility("default")))         \
  const paracel_plugin_entry* paracel_plugin_##name(void) { \
    return ::paracel::detail::filter_entry<&fn>();          \
  }
