// Server-side plugin of word count: a filter that keeps the word-count keys, so that top-k
// and dumps ignore whatever else shares the servers.
#include <string>

#include "paracel/plugin.hpp"

namespace {

bool is_word_count_key(const std::string& key) { return key.starts_with("wc:"); }

}  // namespace

PARACEL_FILTER(word_count_keys, is_word_count_key)
