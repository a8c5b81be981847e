// The initial latent factors of matrix factorisation, shared by the algorithm and its serial
// reference so that both start from the same point: k normal draws of scale 0.1 from a
// generator seeded by the name (XXH3) and the seed, independent of which worker holds it.
#pragma once

#include <xxhash.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string_view>

namespace paracel::alg {

inline void init_factors(std::string_view name, std::uint64_t seed, double* out, std::size_t k) {
  std::mt19937_64 rng(XXH3_64bits_withSeed(name.data(), name.size(), seed));
  for (std::size_t f = 0; f < k; ++f) {
    // Box-Muller on 53-bit uniforms: the same numbers on every platform.
    const double u1 = 1 - static_cast<double>(rng() >> 11) * 0x1.0p-53;
    const double u2 = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    out[f] = 0.1 * std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
}

}  // namespace paracel::alg
