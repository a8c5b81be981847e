// A plugin that claims another ABI version: the server must refuse it.
#include "paracel/plugin.hpp"

extern "C" __attribute__((visibility("default"))) const paracel_plugin_entry*
paracel_plugin_future_updater(void) {
  static const paracel_plugin_entry entry{PARACEL_PLUGIN_ABI_VERSION + 1, PARACEL_PLUGIN_UPDATER,
                                          "double", nullptr, nullptr};
  return &entry;
}
