// Server-side plugin of PageRank: a filter keeping the rank-block keys, so that tools can
// read a job's ranks (paracel_read_special) without knowing how many blocks there are.
#include <string>

#include "paracel/plugin.hpp"

namespace {

bool is_rank_block(const std::string& key) { return key.starts_with("pr/rank/"); }

}  // namespace

PARACEL_FILTER(pagerank_rank_blocks, is_rank_block)
