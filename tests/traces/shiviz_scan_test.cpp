// ShivizScan: what ShiViz's own regex exec() loop captures from a file,
// with JavaScript's whitespace and line terminators.
#include <gtest/gtest.h>

#include "traces/ShivizScan.h"
#include "traces/TraceFile.h"

namespace faultbox::traces {
namespace {

std::string file(const std::string& log) { return std::string(kShivizParserRegex) + "\n\n" + log; }

TEST(ShivizScan, SplitsRegexDelimiterAndLog) {
  const ShivizView v = shiviz_view(file("a {\"a\":1}\nfirst\n"));
  EXPECT_TRUE(v.has_two_lines);
  EXPECT_EQ(v.parser_regex, kShivizParserRegex);
  EXPECT_EQ(v.delimiter, "");
  ASSERT_EQ(v.matches.size(), 1u);
  EXPECT_EQ(v.matches[0].line, 3u);
  EXPECT_TRUE(v.matches[0].at_line_start);
  EXPECT_EQ(v.matches[0].host, "a");
  EXPECT_EQ(v.matches[0].clock, "{\"a\":1}");
  EXPECT_EQ(v.matches[0].event, "first");
  EXPECT_TRUE(v.matches[0].whole_event_line);
}

TEST(ShivizScan, NeedsTwoNewlinesForTheUploadLayout) {
  EXPECT_FALSE(shiviz_view("regex only").has_two_lines);
  EXPECT_FALSE(shiviz_view("regex\ndelimiter").has_two_lines);
}

TEST(ShivizScan, ConsumesTheEventLineWhateverItHolds) {
  // The event line ends in "}" and holds " {": it is the event, not a match.
  const ShivizView v = shiviz_view(file("a {\"a\":1}\nx {\"y\":1}\na {\"a\":2}\nsecond"));
  ASSERT_EQ(v.matches.size(), 2u);
  EXPECT_EQ(v.matches[0].event, "x {\"y\":1}");
  EXPECT_EQ(v.matches[1].line, 5u);
  EXPECT_EQ(v.matches[1].event, "second");
  EXPECT_TRUE(v.matches[1].whole_event_line);  // up to the end of the text
}

TEST(ShivizScan, MatchesAnywhereInALineNotOnlyAtItsStart) {
  const ShivizView v = shiviz_view(file("# verdict: FAIL got {\"a\": 1}\n# replayable: yes\n"));
  ASSERT_EQ(v.matches.size(), 1u);
  EXPECT_EQ(v.matches[0].line, 3u);
  EXPECT_FALSE(v.matches[0].at_line_start);
  EXPECT_EQ(v.matches[0].host, "got");
  EXPECT_EQ(v.matches[0].clock, "{\"a\": 1}");
  EXPECT_EQ(v.matches[0].event, "# replayable: yes");
}

TEST(ShivizScan, IgnoresLinesThatDoNotEndInABraceBeforeANewline) {
  EXPECT_TRUE(shiviz_view(file("# warning: state {R} \nx\n")).matches.empty());  // trailing space
  EXPECT_TRUE(shiviz_view(file("a {\"a\":1}\r\nx\n")).matches.empty());         // "\r" ends `.`
  EXPECT_TRUE(shiviz_view(file("a {\"a\":1}")).matches.empty());                // no "\n" after the clock
  EXPECT_TRUE(shiviz_view(file("a {}x}\ny\n")).matches.size() == 1u);
  EXPECT_TRUE(shiviz_view(file("a {\ny\n")).matches.empty());
  EXPECT_TRUE(shiviz_view(file("a }\ny\n")).matches.empty());
}

TEST(ShivizScan, EndsTheHostAtJavaScriptWhitespace) {
  const ShivizView v = shiviz_view(file("te\u00a0st {\"x\":1}\ne\n"));
  ASSERT_EQ(v.matches.size(), 1u);
  EXPECT_EQ(v.matches[0].host, "st");
  EXPECT_FALSE(v.matches[0].at_line_start);
}

TEST(ShivizScan, EndsTheEventAtAJavaScriptLineTerminator) {
  const ShivizView v = shiviz_view(file("a {\"a\":1}\nleft\u2028b {\"b\":1}\nright\n"));
  ASSERT_EQ(v.matches.size(), 2u);
  EXPECT_EQ(v.matches[0].event, "left");
  EXPECT_FALSE(v.matches[0].whole_event_line);
  // The rest of that line is scanned again and yields a second event.
  EXPECT_EQ(v.matches[1].host, "b");
  EXPECT_EQ(v.matches[1].line, 4u);
  EXPECT_EQ(v.matches[1].event, "right");
}

TEST(ShivizScan, TreatsMalformedUtf8AsOrdinaryCharacters) {
  const ShivizView v = shiviz_view(file("h\xff {\"h\":1}\n\xe2\x80 e\n"));
  ASSERT_EQ(v.matches.size(), 1u);
  EXPECT_EQ(v.matches[0].host, "h\xff");
  EXPECT_EQ(v.matches[0].event, "\xe2\x80 e");
}

}  // namespace
}  // namespace faultbox::traces
