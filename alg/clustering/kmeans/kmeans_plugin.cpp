// Server-side plugin of k-means: a filter keeping its keys (the per-iteration sums), so
// that the job removes them all at the end with one paracel_remove_special.
#include <string>

#include "paracel/plugin.hpp"

namespace {

bool is_kmeans_key(const std::string& key) { return key.starts_with("km/"); }

}  // namespace

PARACEL_FILTER(kmeans_keys, is_kmeans_key)
