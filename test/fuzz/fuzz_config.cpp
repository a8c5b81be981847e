// libFuzzer target: the config parser (paracel::config) on arbitrary text, then typed reads
// of the keys the algorithms use. Every problem must be a paracel::error naming it.
#include <cstdint>
#include <string>
#include <vector>

#include "paracel/config.hpp"
#include "paracel/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto cfg = paracel::config::parse(text, "<fuzz>");
    auto read = [&](auto fallback, const char* key) {
      try {
        (void)cfg.get<decltype(fallback)>(key, fallback);
      } catch (const paracel::error&) {
      }
    };
    read(std::string(), "input");
    read(0, "rounds");
    read(std::int64_t{0}, "seed");
    read(0.0, "learning_rate");
    read(false, "bias");
    read(std::vector<std::string>(), "inputs");
    cfg.check_no_unknown();
  } catch (const paracel::error&) {
  }
  return 0;
}
