#include "sgd_kernel.hpp"

#include <cstring>

// The helpers below pass eight-float vectors by value; GCC warns that their ABI differs with
// and without AVX. They are internal and inlined into each clone, so no such call exists.
#if defined(__GNUC__)  // GCC and Clang
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace paracel::alg::mf {

namespace {

// Eight floats. GCC and Clang lower it to one AVX register where the target has AVX and to
// two SSE registers otherwise.
using vec8 = float __attribute__((vector_size(k_lanes * sizeof(float))));
static_assert(sizeof(vec8) == k_lanes * sizeof(float));

// Rows are float-aligned only: memcpy is how an unaligned vector load is spelled portably,
// and compiles to one instruction.
inline vec8 load(const float* p) {
  vec8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, const vec8& v) { std::memcpy(p, &v, sizeof v); }

inline float dot(const float* p, const float* q, std::size_t width) {
  vec8 sum = {};
  for (std::size_t f = 0; f < width; f += k_lanes) sum += load(p + f) * load(q + f);
  float total = 0;
  for (std::size_t lane = 0; lane < k_lanes; ++lane) total += sum[lane];
  return total;
}

}  // namespace

// On x86-64 with GCC, one copy for AVX2 + FMA machines and one for any x86-64, chosen once at
// load time (an ifunc): a portable binary that still uses the wide registers where they exist.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PARACEL_MF_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define PARACEL_MF_CLONES
#endif

PARACEL_MF_CLONES
double sgd_run(const sgd_rating* first, const sgd_rating* last, factor_rows& users,
               factor_rows& items, sgd_step step) {
  const std::size_t width = users.width;
  const vec8 rate = vec8{} + step.rate;
  const vec8 l2 = vec8{} + step.l2;
  double squared = 0;
  for (const sgd_rating* r = first; r != last; ++r) {
    float* p = users.row(r->user);
    float* q = items.row(r->item);
    float& user_bias = users.bias[r->user];
    float& item_bias = items.bias[r->item];
    const float err = r->value - (step.mean + user_bias + item_bias + dot(p, q, width));
    squared += static_cast<double>(err) * err;
    user_bias += step.rate * (err - step.l2 * user_bias);
    item_bias += step.rate * (err - step.l2 * item_bias);
    const vec8 e = vec8{} + err;
    for (std::size_t f = 0; f < width; f += k_lanes) {
      const vec8 pf = load(p + f);
      const vec8 qf = load(q + f);
      store(p + f, pf + rate * (e * qf - l2 * pf));
      store(q + f, qf + rate * (e * pf - l2 * qf));
    }
  }
  return squared;
}

float predict(const factor_rows& users, std::size_t user, const factor_rows& items,
              std::size_t item, float mean) {
  return mean + users.bias[user] + items.bias[item] +
         dot(users.row(user), items.row(item), users.width);
}

}  // namespace paracel::alg::mf
