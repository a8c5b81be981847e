#include "server/shard.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>

namespace {

using paracel::server::scan_cursor;
using paracel::server::shard;

TEST(Shard, PutFindEraseWithAccounting) {
  shard s;
  EXPECT_EQ(s.find("a"), nullptr);
  s.put("a", "123");
  s.put("bb", "4");
  ASSERT_NE(s.find("a"), nullptr);
  EXPECT_EQ(*s.find("a"), "123");
  EXPECT_EQ(s.keys(), 2u);
  EXPECT_EQ(s.bytes(), 1u + 3 + 2 + 1);
  s.put("a", "1");  // overwrite
  EXPECT_EQ(s.keys(), 2u);
  EXPECT_EQ(s.bytes(), 1u + 1 + 2 + 1);
  s.replace(*s.find_mutable("bb"), "4567");
  EXPECT_EQ(s.bytes(), 1u + 1 + 2 + 4);
  EXPECT_TRUE(s.erase("a"));
  EXPECT_FALSE(s.erase("a"));
  EXPECT_EQ(s.keys(), 1u);
  EXPECT_EQ(s.bytes(), 2u + 4);
}

std::map<std::string, std::string> scan_all(const shard& s, std::size_t page_bytes,
                                            std::size_t* pages = nullptr,
                                            const std::function<void()>& between = {}) {
  std::map<std::string, std::string> seen;
  std::optional<scan_cursor> cursor = scan_cursor{};
  std::size_t count = 0;
  while (cursor) {
    cursor = s.scan(*cursor, page_bytes,
                    [&](const std::string& k, const std::string& v) { seen[k] = v; });
    ++count;
    if (between) between();
  }
  if (pages) *pages = count;
  return seen;
}

TEST(Shard, ScanVisitsEveryEntryInBoundedPages) {
  shard s;
  for (int i = 0; i < 5000; ++i) s.put("key" + std::to_string(i), std::string(20, 'v'));
  std::size_t pages = 0;
  auto seen = scan_all(s, 2000, &pages);
  EXPECT_EQ(seen.size(), 5000u);
  EXPECT_GT(pages, 50u);  // about 5000 * 28 bytes / 2000 per page
  shard empty;
  EXPECT_TRUE(scan_all(empty, 100).empty());
}

TEST(Shard, ScanSurvivesRehashBetweenPages) {
  shard s;
  for (int i = 0; i < 1000; ++i) s.put("old" + std::to_string(i), "v");
  int added = 0;
  auto seen = scan_all(s, 300, nullptr, [&] {
    if (added >= 8000) return;  // bounded, so that the scan can finish
    for (int j = 0; j < 400; ++j) s.put("new" + std::to_string(added++), "v");
  });
  EXPECT_EQ(added, 8000);  // the store grew 9x while being scanned: several rehashes
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count("old" + std::to_string(i))) << i;
}

TEST(Shard, EraseIfRemovesExactlyTheKeptKeys) {
  shard s;
  for (int i = 0; i < 100; ++i) s.put((i % 3 == 0 ? "w_" : "b_") + std::to_string(i), "x");
  const auto removed = s.erase_if([](std::string_view k) { return k.starts_with("w_"); });
  EXPECT_EQ(removed, 34u);
  EXPECT_EQ(s.keys(), 66u);
  EXPECT_EQ(s.find("w_0"), nullptr);
  EXPECT_NE(s.find("b_1"), nullptr);
}

}  // namespace
