// codec_bench: encode + decode of a dense std::vector<double> as Paracel's raw blob versus
// msgpack's per-element array, in the same run (median of 5).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "paracel/codec.hpp"

namespace {

template <class F>
double seconds(F&& f, int iterations) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
         iterations;
}

}  // namespace

int main() {
  std::printf(
      "| dim | blob encode+decode | msgpack array encode+decode | speed-up | blob bytes | msgpack "
      "bytes |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|\n");
  for (std::size_t dim : {32u, 1000u, 100000u}) {
    std::vector<double> v(dim);
    for (std::size_t i = 0; i < dim; ++i) v[i] = 0.1 * static_cast<double>(i) + 1e-3;
    const int iterations = static_cast<int>(std::max<std::size_t>(20, 2000000 / dim));
    std::size_t blob_bytes = 0;
    std::size_t array_bytes = 0;
    std::vector<double> blob_t;
    std::vector<double> array_t;
    for (int r = 0; r < 5; ++r) {
      blob_t.push_back(seconds(
          [&] {
            const std::string b = paracel::encode(v);
            blob_bytes = b.size();
            auto back = paracel::decode<std::vector<double>>(b);
            if (back.size() != dim) std::abort();
          },
          iterations));
      array_t.push_back(seconds(
          [&] {
            msgpack::sbuffer buffer;
            msgpack::pack(buffer, v);
            array_bytes = buffer.size();
            auto back = paracel::decode<std::vector<double>>({buffer.data(), buffer.size()});
            if (back.size() != dim) std::abort();
          },
          iterations));
    }
    std::sort(blob_t.begin(), blob_t.end());
    std::sort(array_t.begin(), array_t.end());
    std::printf("| %zu | %.2f us | %.2f us | %.1fx | %zu | %zu |\n", dim, blob_t[2] * 1e6,
                array_t[2] * 1e6, array_t[2] / blob_t[2], blob_bytes, array_bytes);
  }
  return 0;
}
