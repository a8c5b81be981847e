// paracel::config: typed reads of a JSON config, and errors that name the file and the key.
#include "paracel/config.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "paracel/error.hpp"

namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const paracel::error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Config, ReadsTypedValuesAndDefaults) {
  auto cfg = paracel::config::parse(
      R"({"input": "a.txt", "rounds": 5, "rate": 0.5, "on": true, "files": ["x", "y"]})", "t");
  EXPECT_EQ(cfg.get<std::string>("input"), "a.txt");
  EXPECT_EQ(cfg.get<int>("rounds"), 5);
  EXPECT_EQ(cfg.get<double>("rate"), 0.5);
  EXPECT_EQ(cfg.get<double>("rounds"), 5.0);  // an integer is a number
  EXPECT_TRUE(cfg.get<bool>("on"));
  EXPECT_EQ(cfg.get<std::vector<std::string>>("files"), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(cfg.get<int>("missing", 7), 7);
  EXPECT_NO_THROW(cfg.check_no_unknown());
}

TEST(Config, ErrorsNameTheFileAndTheKey) {
  auto cfg =
      paracel::config::parse(R"({"rounds": "ten", "big": 99999999999, "lernrate": 1})", "lr.json");
  EXPECT_EQ(message_of([&] { cfg.get<std::string>("input"); }),
            "config lr.json: missing key 'input'");
  EXPECT_EQ(message_of([&] { cfg.get<int>("rounds"); }),
            "config lr.json: key 'rounds' must be an integer, not \"ten\"");
  EXPECT_EQ(message_of([&] { cfg.get<int>("big"); }),
            "config lr.json: key 'big' is out of range: 99999999999");
  cfg.get<double>("learning_rate", 0.1);
  EXPECT_EQ(message_of([&] { cfg.check_no_unknown(); }),
            "config lr.json: unknown key(s) 'lernrate' (this algorithm reads: big, input, "
            "learning_rate, rounds)");
  EXPECT_NE(message_of([] {
              paracel::config::parse("{\"a\": ", "bad.json");
            }).find("config bad.json is not valid JSON"),
            std::string::npos);
  EXPECT_EQ(message_of([] { paracel::config::parse("[1]", "list.json"); }),
            "config list.json must be a JSON object");
  EXPECT_EQ(message_of([] { paracel::config::load("/nonexistent/x.json"); }),
            "cannot read config file /nonexistent/x.json");
}

}  // namespace
