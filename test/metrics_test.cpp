// paracel::metrics: one JSON object, keys in first-set order, numbers that round-trip.
#include "paracel/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace {

TEST(Metrics, OneJsonLineInFirstSetOrder) {
  paracel::metrics m;
  m.set("rounds", 3).set("loss", 0.1).set("method", "dgd").set("converged", true);
  m.set("trace", {{0.5, 1.25}, {1.0, 0.75}});
  m.set("rounds", std::int64_t{4});  // replaced in place
  EXPECT_EQ(m.json(), R"({"rounds":4,"loss":0.1,"method":"dgd","converged":true,)"
                      R"("trace":[[0.5,1.25],[1.0,0.75]]})");
}

TEST(Metrics, NumbersRoundTripAndNonFiniteBecomeNull) {
  paracel::metrics m;
  const double third = 1.0 / 3.0;
  m.set("third", third).set("nan", std::numeric_limits<double>::quiet_NaN());
  const std::string json = m.json();
  const auto at = json.find("\"third\":") + 8;
  EXPECT_EQ(std::stod(json.substr(at, json.find(',', at) - at)), third);
  EXPECT_NE(json.find("\"nan\":null"), std::string::npos) << json;
  paracel::metrics copy = m;
  copy.set("extra", 1);
  EXPECT_EQ(m.json(), json);  // a copy is independent
}

}  // namespace
