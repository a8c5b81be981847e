#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "paracel/builtin.hpp"
#include "paracel/codec.hpp"
#include "server/plugin_registry.hpp"
#include "server/value_ops.hpp"

namespace {

using paracel::builtin;
using paracel::status;
using paracel::server::plugin_kind;
using paracel::server::plugin_registry;

class BuiltinUpdaters : public ::testing::Test {
 protected:
  // Applies the built-in `op` for T to (old, delta) through the same path the server uses.
  template <class T>
  T apply(builtin op, const T& old_value, const T& delta) {
    std::string result;
    std::string error_text;
    const status code = run(paracel::builtin_updater<T>(op), paracel::encode(old_value),
                            paracel::encode(delta), result, error_text);
    EXPECT_EQ(code, status::ok) << error_text;
    return paracel::decode<T>(result);
  }
  status run(const std::string& name, const std::string& old_bytes, const std::string& delta,
             std::string& result, std::string& error_text) {
    auto updater = registry_.find(plugin_kind::updater, name);
    EXPECT_TRUE(updater) << name;
    if (!updater) return status::internal_error;
    return paracel::server::run_updater(*updater, old_bytes, delta, result, error_text);
  }
  plugin_registry registry_{{}};
};

TEST_F(BuiltinUpdaters, Scalars) {
  EXPECT_EQ(apply<std::int32_t>(builtin::add, 3, 4), 7);
  EXPECT_EQ(apply<std::int32_t>(builtin::min, 3, -4), -4);
  EXPECT_EQ(apply<std::int32_t>(builtin::max, 3, -4), 3);
  EXPECT_EQ(apply<std::int32_t>(builtin::replace, 3, -4), -4);
  EXPECT_EQ(apply<std::int64_t>(builtin::add, 1LL << 40, 1), (1LL << 40) + 1);
  EXPECT_EQ(apply<std::int64_t>(builtin::min, 5, 9), 5);
  EXPECT_EQ(apply<std::int64_t>(builtin::max, 5, 9), 9);
  EXPECT_EQ(apply<std::int64_t>(builtin::replace, 5, 9), 9);
  EXPECT_DOUBLE_EQ(apply<double>(builtin::add, 0.5, 0.25), 0.75);
  EXPECT_DOUBLE_EQ(apply<double>(builtin::min, 0.5, 0.25), 0.25);
  EXPECT_DOUBLE_EQ(apply<double>(builtin::max, 0.5, 0.25), 0.5);
  EXPECT_DOUBLE_EQ(apply<double>(builtin::replace, 0.5, 0.25), 0.25);
}

TEST_F(BuiltinUpdaters, VectorsAreElementWise) {
  using vd = std::vector<double>;
  using vf = std::vector<float>;
  using vi = std::vector<std::int32_t>;
  EXPECT_EQ(apply<vd>(builtin::add, {1, 2, 3}, {10, 20, 30}), (vd{11, 22, 33}));
  EXPECT_EQ(apply<vf>(builtin::add, {1, 2.5f}, {0.25f, -2}), (vf{1.25f, 0.5f}));
  EXPECT_EQ(apply<vf>(builtin::min, {1, 25}, {10, 20}), (vf{1, 20}));
  EXPECT_EQ(apply<vf>(builtin::max, {1, 25}, {10, 20}), (vf{10, 25}));
  EXPECT_EQ(apply<vf>(builtin::replace, {1, 2}, {5, 6}), (vf{5, 6}));
  EXPECT_EQ(apply<vd>(builtin::min, {1, 25, 3}, {10, 20, 30}), (vd{1, 20, 3}));
  EXPECT_EQ(apply<vd>(builtin::max, {1, 25, 3}, {10, 20, 30}), (vd{10, 25, 30}));
  EXPECT_EQ(apply<vd>(builtin::replace, {1, 2}, {5, 6}), (vd{5, 6}));
  EXPECT_EQ(apply<vi>(builtin::add, {1, -2}, {3, 4}), (vi{4, 2}));
  EXPECT_EQ(apply<vi>(builtin::min, {1, -2}, {3, -4}), (vi{1, -4}));
  EXPECT_EQ(apply<vi>(builtin::max, {1, -2}, {3, -4}), (vi{3, -2}));
  EXPECT_EQ(apply<vi>(builtin::replace, {1, -2}, {3, -4}), (vi{3, -4}));
}

TEST_F(BuiltinUpdaters, MapsCombineOverTheUnionOfKeys) {
  using md = std::unordered_map<std::string, double>;
  using mi = std::unordered_map<std::string, std::int32_t>;
  EXPECT_EQ(apply<md>(builtin::add, {{"a", 1}, {"b", 2}}, {{"b", 3}, {"c", 4}}),
            (md{{"a", 1}, {"b", 5}, {"c", 4}}));
  EXPECT_EQ(apply<md>(builtin::min, {{"a", 1}, {"b", 2}}, {{"b", -3}}), (md{{"a", 1}, {"b", -3}}));
  EXPECT_EQ(apply<md>(builtin::max, {{"a", 1}, {"b", 2}}, {{"b", -3}}), (md{{"a", 1}, {"b", 2}}));
  EXPECT_EQ(apply<md>(builtin::replace, {{"a", 1}}, {{"b", 2}}), (md{{"b", 2}}));
  EXPECT_EQ(apply<mi>(builtin::add, {{"w", 1}}, {{"w", 2}, {"v", 1}}), (mi{{"w", 3}, {"v", 1}}));
  EXPECT_EQ(apply<mi>(builtin::min, {{"w", 1}}, {{"w", 2}}), (mi{{"w", 1}}));
  EXPECT_EQ(apply<mi>(builtin::max, {{"w", 1}}, {{"w", 2}}), (mi{{"w", 2}}));
  EXPECT_EQ(apply<mi>(builtin::replace, {{"w", 1}}, {{"w", 2}}), (mi{{"w", 2}}));
}

TEST_F(BuiltinUpdaters, InPlaceDenseUpdatesEqualTheGenericPath) {
  const std::vector<double> old_value = {1.5, -2, 3, 1e300};
  const std::vector<double> delta = {0.25, 4, -3, 1e300};
  for (auto op : {builtin::add, builtin::min, builtin::max}) {
    auto updater =
        registry_.find(plugin_kind::updater, paracel::builtin_updater<std::vector<double>>(op));
    ASSERT_TRUE(updater && updater->in_place);
    std::string stored = paracel::encode(old_value);
    ASSERT_TRUE(updater->in_place(stored, paracel::encode(delta)));
    EXPECT_EQ(paracel::decode<std::vector<double>>(stored), apply(op, old_value, delta));
  }
  // Float vectors (matrix factorisation's item blocks) take the in-place path too.
  const std::vector<float> old_floats = {1.5f, -2, 3e38f};
  const std::vector<float> float_delta = {0.25f, 4, -1e38f};
  auto add = registry_.find(plugin_kind::updater,
                            paracel::builtin_updater<std::vector<float>>(builtin::add));
  ASSERT_TRUE(add && add->in_place);
  std::string stored = paracel::encode(old_floats);
  ASSERT_TRUE(add->in_place(stored, paracel::encode(float_delta)));
  EXPECT_EQ(paracel::decode<std::vector<float>>(stored),
            apply(builtin::add, old_floats, float_delta));
}

TEST_F(BuiltinUpdaters, IntegerVectorOverflowLeavesTheValueUnchanged) {
  using vi = std::vector<std::int32_t>;
  const std::string stored = paracel::encode(vi{1, std::numeric_limits<std::int32_t>::max()});
  std::string result;
  std::string error_text;
  EXPECT_EQ(run(paracel::builtin_updater<vi>(builtin::add), stored, paracel::encode(vi{1, 1}),
                result, error_text),
            status::plugin_error);
  EXPECT_TRUE(result.empty());  // nothing written: the server keeps the stored value
}

TEST_F(BuiltinUpdaters, InPlaceDeclinesWhatItCannotHandle) {
  auto add = registry_.find(plugin_kind::updater,
                            paracel::builtin_updater<std::vector<double>>(builtin::add));
  std::string stored = paracel::encode(std::vector<double>{1, 2});
  const std::string before = stored;
  EXPECT_FALSE(add->in_place(stored, paracel::encode(std::vector<double>{1})));        // length
  EXPECT_FALSE(add->in_place(stored, paracel::encode(std::vector<float>{1.f, 2.f})));  // type
  msgpack::sbuffer array;
  msgpack::pack(array, std::vector<double>{1, 2});
  EXPECT_FALSE(add->in_place(stored, {array.data(), array.size()}));  // not a blob
  EXPECT_EQ(stored, before);
  EXPECT_FALSE(registry_.find(plugin_kind::updater, paracel::builtin_updater<double>(builtin::add))
                   ->in_place);
}

TEST_F(BuiltinUpdaters, WrongTypeIsATypeMismatchNamingTheType) {
  std::string result;
  std::string error_text;
  const auto code =
      run(paracel::builtin_updater<double>(builtin::add), paracel::encode(std::string("text")),
          paracel::encode(1.0), result, error_text);
  EXPECT_EQ(code, status::type_mismatch);
  EXPECT_NE(error_text.find("double"), std::string::npos) << error_text;

  const auto vcode = run(paracel::builtin_updater<std::vector<double>>(builtin::add),
                         paracel::encode(std::vector<float>{1.f}),
                         paracel::encode(std::vector<double>{1.0}), result, error_text);
  EXPECT_EQ(vcode, status::type_mismatch);
}

TEST_F(BuiltinUpdaters, LengthMismatchAndOverflowAreErrors) {
  std::string result;
  std::string error_text;
  auto code = run(paracel::builtin_updater<std::vector<double>>(builtin::add),
                  paracel::encode(std::vector<double>{1, 2}),
                  paracel::encode(std::vector<double>{1}), result, error_text);
  EXPECT_EQ(code, status::plugin_error);
  EXPECT_NE(error_text.find("different lengths"), std::string::npos) << error_text;
  code = run(paracel::builtin_updater<std::int32_t>(builtin::add),
             paracel::encode(std::numeric_limits<std::int32_t>::max()), paracel::encode(1), result,
             error_text);
  EXPECT_EQ(code, status::plugin_error);
  EXPECT_NE(error_text.find("overflow"), std::string::npos) << error_text;
}

TEST_F(BuiltinUpdaters, EveryAdvertisedNameIsRegistered) {
  for (auto op : {builtin::add, builtin::replace, builtin::min, builtin::max}) {
    EXPECT_TRUE(registry_.find(plugin_kind::updater, paracel::builtin_updater<std::int32_t>(op)));
    EXPECT_TRUE(registry_.find(plugin_kind::updater, paracel::builtin_updater<std::int64_t>(op)));
    EXPECT_TRUE(registry_.find(plugin_kind::updater, paracel::builtin_updater<double>(op)));
    EXPECT_TRUE(
        registry_.find(plugin_kind::updater, paracel::builtin_updater<std::vector<double>>(op)));
    EXPECT_TRUE(
        registry_.find(plugin_kind::updater, paracel::builtin_updater<std::vector<float>>(op)));
    EXPECT_TRUE(registry_.find(plugin_kind::updater,
                               paracel::builtin_updater<std::vector<std::int32_t>>(op)));
    EXPECT_TRUE(registry_.find(plugin_kind::updater,
                               paracel::builtin_updater<std::map<std::string, double>>(op)));
    EXPECT_TRUE(registry_.find(plugin_kind::updater,
                               paracel::builtin_updater<std::map<std::string, std::int32_t>>(op)));
  }
}

}  // namespace
