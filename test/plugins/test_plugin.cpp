// Plugins used by the tests: a typed updater, one that throws, and a key filter.
#include <stdexcept>
#include <string>
#include <vector>

#include "paracel/plugin.hpp"

namespace {

double scaled_add(double old_value, double delta) { return old_value + 2.0 * delta; }

std::vector<double> norm_clip_add(const std::vector<double>& old_value,
                                  const std::vector<double>& delta) {
  std::vector<double> out(old_value);
  for (std::size_t i = 0; i < out.size() && i < delta.size(); ++i) out[i] += delta[i];
  return out;
}

int always_throws(int, int) { throw std::runtime_error("deliberate failure"); }

bool starts_with_w(const std::string& key) { return key.starts_with("w_"); }

}  // namespace

PARACEL_UPDATER(scaled_add, scaled_add)
PARACEL_UPDATER(vector_add, norm_clip_add)
PARACEL_UPDATER(always_throws, always_throws)
PARACEL_FILTER(weights_only, starts_with_w)
