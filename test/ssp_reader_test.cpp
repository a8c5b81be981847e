// The worker side of SSP without MPI or servers: a model server counts fetches and waits, so
// the tests pin which reads the bound lets the cache serve and which must wait and refetch.
#include "paralg/ssp_reader.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

namespace {

struct model_server {
  std::map<std::string, std::string> values;
  std::int64_t minimum = 0;  // the slowest worker's clock
  std::vector<std::int64_t> waits;
  std::vector<std::string> pulls;
  int multi_requests = 0;

  paracel::ssp_reader::server client() {
    return {[this](std::int64_t target) {
              waits.push_back(target);
              minimum = std::max(minimum, target);  // the slowest worker gets there
              return minimum;
            },
            [this](const std::string& key) -> std::optional<std::string> {
              pulls.push_back(key);
              auto it = values.find(key);
              if (it == values.end()) return std::nullopt;
              return it->second;
            },
            [this](const std::vector<std::string>& keys, const auto& visit) {
              ++multi_requests;
              for (std::size_t i = 0; i < keys.size(); ++i) {
                pulls.push_back(keys[i]);
                auto it = values.find(keys[i]);
                visit(i, it == values.end() ? std::nullopt
                                            : std::optional<std::string_view>(it->second));
              }
            }};
  }
};

TEST(SspReader, BspServesTheSameClockFromTheCacheAndWaitsForTheNext) {
  model_server server;
  server.values["w"] = "v0";
  paracel::ssp_reader reader(0, server.client());
  EXPECT_EQ(*reader.read("w"), "v0");
  server.values["w"] = "v1";  // another worker's update within the same clock
  EXPECT_EQ(*reader.read("w"), "v0");
  EXPECT_TRUE(server.waits.empty());
  EXPECT_EQ(server.pulls.size(), 1u);

  reader.committed(0);  // this worker is at clock 1, the slowest still at 0
  EXPECT_EQ(*reader.read("w"), "v1");
  EXPECT_EQ(server.waits, std::vector<std::int64_t>{1});
  EXPECT_EQ(server.pulls.size(), 2u);
  EXPECT_EQ(reader.stats().reads, 3u);
  EXPECT_EQ(reader.stats().cache_hits, 1u);
  EXPECT_EQ(reader.stats().waits, 1u);
}

TEST(SspReader, StalenessLetsCachedValuesServeUpToTheBound) {
  model_server server;
  server.values["w"] = "v0";
  paracel::ssp_reader reader(2, server.client());
  ASSERT_NE(reader.read("w"), nullptr);  // stamp 0
  reader.committed(0);
  reader.committed(0);  // clock 2: needs stamp >= 0
  EXPECT_NE(reader.read("w"), nullptr);
  EXPECT_TRUE(server.waits.empty());
  reader.committed(0);  // clock 3: needs stamp >= 1, and the slowest is at 0
  server.values["w"] = "v3";
  EXPECT_EQ(*reader.read("w"), "v3");
  EXPECT_EQ(server.waits, std::vector<std::int64_t>{1});
  reader.committed(1);  // clock 4: needs 2; known minimum 1 -> wait again
  reader.wait_for_reads();
  EXPECT_EQ(server.waits, (std::vector<std::int64_t>{1, 2}));
  reader.wait_for_reads();  // known now
  EXPECT_EQ(server.waits.size(), 2u);
}

TEST(SspReader, ForgottenKeysAreFetchedAgainAndMissingOnesAreNotCached) {
  model_server server;
  server.values["a"] = "1";
  paracel::ssp_reader reader(0, server.client());
  reader.read("a");
  reader.forget("a");  // this worker wrote it: its next read must see the store
  server.values["a"] = "2";
  EXPECT_EQ(*reader.read("a"), "2");
  EXPECT_EQ(reader.read("absent"), nullptr);
  EXPECT_EQ(reader.read("absent"), nullptr);
  EXPECT_EQ(server.pulls, (std::vector<std::string>{"a", "a", "absent", "absent"}));
  reader.forget_all();
  EXPECT_EQ(reader.cached(), 0u);
}

TEST(SspReader, MultiReadsFetchOnlyStaleKeysInOneRequest) {
  model_server server;
  server.values = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  paracel::ssp_reader reader(0, server.client());
  reader.read("b");
  const auto missing = [](const std::string& key) { throw std::out_of_range(key); };
  auto got = reader.read_multi({"a", "b", "c"}, missing);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(*got[0], "1");
  EXPECT_EQ(*got[1], "2");
  EXPECT_EQ(*got[2], "3");
  EXPECT_EQ(server.multi_requests, 1);
  EXPECT_EQ(server.pulls, (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(reader.stats().cache_hits, 1u);
  reader.read_multi({"a", "c"}, missing);  // all fresh: no request
  EXPECT_EQ(server.multi_requests, 1);
  EXPECT_THROW(reader.read_multi({"a", "zzz"}, missing), std::out_of_range);
}

TEST(SspReader, NegativeStalenessNeverWaits) {
  model_server server;
  server.values["w"] = "v";
  paracel::ssp_reader reader(-1, server.client());
  EXPECT_FALSE(reader.bounded());
  for (int c = 0; c < 5; ++c) reader.committed(0);
  reader.wait_for_reads();
  EXPECT_TRUE(server.waits.empty());
}

}  // namespace
