#include "server/plugin_registry.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "paracel/codec.hpp"
#include "server/value_ops.hpp"

namespace {

namespace fs = std::filesystem;
using paracel::status;
using paracel::server::plugin_kind;
using paracel::server::plugin_registry;
using paracel::server::registry_error;

const std::string k_plugin = "libtest_plugin.so";

status add_error(plugin_registry& registry, plugin_kind kind, const std::string& file,
                 const std::string& name, std::string* message = nullptr) {
  try {
    registry.add(kind, file, name);
  } catch (const registry_error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  return status::ok;
}

TEST(PluginRegistry, LoadsAnUpdaterByLibraryNameAndRunsIt) {
  plugin_registry registry({PARACEL_TEST_PLUGIN_DIR});
  registry.add(plugin_kind::updater, k_plugin, "scaled_add");
  auto updater = registry.find(plugin_kind::updater, "scaled_add");
  ASSERT_TRUE(updater);
  std::string result;
  std::string error_text;
  ASSERT_EQ(paracel::server::run_updater(*updater, paracel::encode(1.0), paracel::encode(3.0),
                                         result, error_text),
            status::ok);
  EXPECT_DOUBLE_EQ(paracel::decode<double>(result), 7.0);
}

TEST(PluginRegistry, LoadsByAbsolutePathInsideADirectoryAndIsIdempotent) {
  plugin_registry registry({PARACEL_TEST_PLUGIN_DIR});
  const std::string path = std::string(PARACEL_TEST_PLUGIN_DIR) + "/" + k_plugin;
  registry.add(plugin_kind::filter, path, "weights_only");
  registry.add(plugin_kind::filter, k_plugin, "weights_only");  // same library: no-op
  auto filter = registry.find(plugin_kind::filter, "weights_only");
  ASSERT_TRUE(filter);
  EXPECT_EQ(filter->entry->filter("w_1", 3), 1);
  EXPECT_EQ(filter->entry->filter("b_1", 3), 0);
}

TEST(PluginRegistry, RefusesPathsOutsideThePluginDirectories) {
  const fs::path outside = fs::temp_directory_path() / "paracel_outside_plugins";
  fs::create_directories(outside);
  fs::copy_file(fs::path(PARACEL_TEST_PLUGIN_DIR) / k_plugin, outside / k_plugin,
                fs::copy_options::overwrite_existing);
  plugin_registry registry({PARACEL_TEST_PLUGIN_DIR});
  std::string message;
  EXPECT_EQ(add_error(registry, plugin_kind::updater, (outside / k_plugin).string(), "scaled_add",
                      &message),
            status::plugin_error);
  EXPECT_NE(message.find("outside the server's plugin directories"), std::string::npos) << message;
  // A relative path that climbs out with .. is refused the same way.
  const std::string climbing = fs::relative(outside / k_plugin, PARACEL_TEST_PLUGIN_DIR).string();
  ASSERT_EQ(climbing.rfind("..", 0), 0u) << climbing;
  EXPECT_EQ(add_error(registry, plugin_kind::updater, climbing, "scaled_add"),
            status::plugin_error);
  EXPECT_FALSE(registry.find(plugin_kind::updater, "scaled_add"));
  fs::remove_all(outside);
}

TEST(PluginRegistry, ServerWithoutPluginDirectoriesRefusesEveryPlugin) {
  plugin_registry registry({});
  std::string message;
  EXPECT_EQ(add_error(registry, plugin_kind::updater, k_plugin, "scaled_add", &message),
            status::plugin_error);
  EXPECT_NE(message.find("--plugin_dirs"), std::string::npos) << message;
}

TEST(PluginRegistry, ReportsMissingFilesSymbolsAbiAndKind) {
  plugin_registry registry({PARACEL_TEST_PLUGIN_DIR});
  std::string message;
  EXPECT_EQ(add_error(registry, plugin_kind::updater, "libnope.so", "x", &message),
            status::plugin_error);
  EXPECT_NE(message.find("not found"), std::string::npos) << message;

  EXPECT_EQ(add_error(registry, plugin_kind::updater, k_plugin, "no_such_updater", &message),
            status::plugin_error);
  EXPECT_NE(message.find("paracel_plugin_no_such_updater"), std::string::npos) << message;

  EXPECT_EQ(add_error(registry, plugin_kind::updater, "libwrong_abi_plugin.so", "future_updater",
                      &message),
            status::plugin_error);
  EXPECT_NE(message.find("ABI"), std::string::npos) << message;

  EXPECT_EQ(add_error(registry, plugin_kind::updater, k_plugin, "weights_only", &message),
            status::plugin_error);
  EXPECT_NE(message.find("is not an updater"), std::string::npos) << message;

  EXPECT_EQ(add_error(registry, plugin_kind::updater, k_plugin, "bad-name;rm", &message),
            status::bad_request);
}

TEST(PluginRegistry, ConflictsAndUnregistering) {
  plugin_registry registry({PARACEL_TEST_PLUGIN_DIR});
  registry.add(plugin_kind::updater, k_plugin, "scaled_add");
  auto held = registry.find(plugin_kind::updater, "scaled_add");
  EXPECT_TRUE(registry.remove(plugin_kind::updater, "scaled_add"));
  EXPECT_FALSE(registry.remove(plugin_kind::updater, "scaled_add"));
  EXPECT_FALSE(registry.find(plugin_kind::updater, "scaled_add"));
  // A plugin still in use keeps its library loaded after unregistering.
  std::string result;
  std::string error_text;
  EXPECT_EQ(paracel::server::run_updater(*held, paracel::encode(1.0), paracel::encode(1.0), result,
                                         error_text),
            status::ok);
  EXPECT_THROW(registry.remove(plugin_kind::updater, "paracel.add.double"), registry_error);
}

TEST(PluginRegistry, AThrowingUpdaterIsAnErrorNotACrash) {
  plugin_registry registry({PARACEL_TEST_PLUGIN_DIR});
  registry.add(plugin_kind::updater, k_plugin, "always_throws");
  std::string result;
  std::string error_text;
  EXPECT_EQ(
      paracel::server::run_updater(*registry.find(plugin_kind::updater, "always_throws"),
                                   paracel::encode(1), paracel::encode(2), result, error_text),
      status::plugin_error);
  EXPECT_EQ(error_text, "deliberate failure");
}

}  // namespace
