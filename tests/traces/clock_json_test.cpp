// ClockJson: the writer's escaping reads back, and the parser accepts only
// flat objects of distinct hosts to positive integers ShiViz can hold.
#include <gtest/gtest.h>

#include "traces/ClockJson.h"

namespace faultbox::traces {
namespace {

TEST(ClockJson, WritesSortedCompactJson) {
  EXPECT_EQ(clock_to_json({{"test", 3}, {"api", 1}, {"test/2", 2}}), R"({"api":1,"test":3,"test/2":2})");
  EXPECT_EQ(clock_to_json({}), "{}");
}

TEST(ClockJson, EscapesWhatJsonAndJavaScriptNeedEscaped) {
  const VectorClock clock = {{"a\"b\\c", 1}, {std::string("t\tn\nx\x01", 7), 2}, {"l\u2028s\u2029", 3}, {"ünï", 4}};
  const std::string json = clock_to_json(clock);
  EXPECT_EQ(json, "{\"a\\\"b\\\\c\":1,\"l\\u2028s\\u2029\":3,\"t\\tn\\nx\\u0001\\u0000\":2,\"ünï\":4}");
  const ClockJsonResult back = parse_clock_json(json);
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(back.clock, clock);
}

TEST(ClockJson, ReadsEscapesAndSurrogatePairs) {
  const ClockJsonResult r = parse_clock_json(R"({"\u0061\/b":1, "\ud83d\ude00":2})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.clock, (VectorClock{{"a/b", 1}, {"\xF0\x9F\x98\x80", 2}}));
}

TEST(ClockJson, AcceptsTheLargestSafeInteger) {
  const ClockJsonResult r = parse_clock_json(R"({"a":9007199254740991})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.clock.at("a"), kMaxClockValue);
}

TEST(ClockJson, RejectsEverythingElse) {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"", "expected '{' at column 1"},
      {"[]", "expected '{'"},
      {"{", "expected a host name"},
      {R"({"a":1)", "expected ',' or '}' at column 7"},
      {R"({"a":1,})", "expected a host name"},
      {R"({a:1})", "expected a host name"},
      {R"({"a" 1})", "expected ':'"},
      {R"({"a":})", "expected a positive integer"},
      {R"({"a":"1"})", "expected a positive integer"},
      {R"({"a":true})", "expected a positive integer"},
      {R"({"a":null})", "expected a positive integer"},
      {R"({"a":{}})", "expected a positive integer"},
      {R"({"a":[1]})", "expected a positive integer"},
      {R"({"a":0})", "count 0"},
      {R"({"a":-1})", "negative count"},
      {R"({"a":01})", "leading zero"},
      {R"({"a":1.5})", "not an integer"},
      {R"({"a":1e3})", "not an integer"},
      {R"({"a":9007199254740992})", "beyond 2^53-1"},
      {R"({"a":99999999999999999999999999})", "beyond 2^53-1"},
      {R"({"a":1,"a":2})", "appears twice"},
      {R"({"a":1} x)", "text after the closing '}'"},
      {R"({"a":1}})", "text after the closing '}'"},
      {"{\"a\nb\":1}", "control character"},
      {R"({"a\x":1})", "invalid escape"},
      {R"({"\u12":1})", "four hex digits"},
      {R"({"\ud800":1})", "high surrogate without its low half"},
      {R"({"\udc00":1})", "lone low surrogate"},
      {R"({"a)", "unterminated string"},
      {R"({"a\)", "unterminated escape"},
  };
  for (const Case& c : cases) {
    const ClockJsonResult r = parse_clock_json(c.text);
    EXPECT_FALSE(r.ok()) << c.text;
    EXPECT_TRUE(r.clock.empty()) << c.text;
    EXPECT_NE(r.error.find(c.error), std::string::npos) << c.text << " → " << r.error;
  }
}

}  // namespace
}  // namespace faultbox::traces
