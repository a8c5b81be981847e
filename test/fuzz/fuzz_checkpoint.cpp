// libFuzzer target: the checkpoint readers (docs/checkpoints.md) on arbitrary bytes, as a
// forged or damaged checkpoint whose checksums were made to match would present them. The
// first byte picks the reader: a shard file, a worker state, a manifest. Every problem must
// be a paracel::error naming it, within the decoder's allocation limits.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/checkpoint_file.hpp"
#include "paracel/checkpoint.hpp"
#include "paracel/error.hpp"
#include "paralg/checkpoint_store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 3) {
      case 0: {
        std::uint64_t total = 0;
        paracel::checkpoint::read_shard(
            bytes, "<fuzz>",
            [&](std::string_view k, std::string_view v) { total += k.size() + v.size(); });
        if (total > bytes.size()) __builtin_trap();  // entries reference the input
        break;
      }
      case 1: {
        const auto state = paracel::worker_state::parse(bytes, "<fuzz>");
        (void)state.has("sum");
        break;
      }
      default:
        (void)paracel::checkpoint::manifest::parse(std::string(bytes), "<fuzz>");
    }
  } catch (const paracel::error&) {
  }
  return 0;
}
