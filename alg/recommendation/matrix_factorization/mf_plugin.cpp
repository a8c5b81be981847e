// Server-side plugin of matrix factorisation: a filter keeping the item-block keys, so that
// tools can read (paracel_read_special) or remove (paracel_remove_special) a model's item
// factors without knowing how many blocks there are.
#include <string>

#include "paracel/plugin.hpp"

namespace {

bool is_item_block(const std::string& key) { return key.starts_with("mf/item/"); }

}  // namespace

PARACEL_FILTER(mf_item_blocks, is_item_block)
