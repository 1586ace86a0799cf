// TraceValidator on TraceFiles about to be written: problems name events by
// index, and every field the event line could not carry is caught before
// the writer writes it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/traces/SampleTrace.h"
#include "traces/TraceValidator.h"

namespace faultbox::traces {
namespace {

using sample::sample_trace;

std::string all(const std::vector<TraceProblem>& problems) {
  std::string out;
  for (const TraceProblem& p : problems) out += p.text() + "\n";
  return out;
}

void expect_problem(const TraceFile& t, const std::string& text) {
  const std::string got = all(validate_trace(t));
  EXPECT_NE(got.find(text), std::string::npos) << "expected `" << text << "` in:\n" << got;
}

TEST(TraceValidator, AcceptsTheSample) { EXPECT_EQ(all(validate_trace(sample_trace())), ""); }

TEST(TraceValidator, NamesEventsByIndexWithoutLines) {
  TraceFile t = sample_trace();
  t.events[3].clock["redis"] = 2;
  const std::vector<TraceProblem> p = validate_trace(t);
  ASSERT_FALSE(p.empty());
  EXPECT_EQ(p[0].line, 0u);
  EXPECT_EQ(p[0].event, 4u);
  EXPECT_EQ(p[0].text(), "event 4: host \"redis\"'s first event has own entry 2 (each host's own entry starts at 1)");
}

TEST(TraceValidator, ChecksTheHeader) {
  TraceFile t = sample_trace();
  t.header.version = 2;
  t.header.spec_path = "";
  t.header.spec_sha256 = "abc";
  t.header.binaries.push_back({"api", "sha256:x"});
  t.header.binaries.push_back({"my service", ""});
  t.header.test = "test checkout";
  t.header.run = 0;
  t.header.strategy = "";
  t.header.verdict = " \n ";
  t.header.warnings.push_back("");
  const std::string got = all(validate_trace(t));
  for (const char* text : {"header: version 2; this faultbox writes 1", "header: empty spec path",
                           "header: spec sha256 \"abc\" is not 64 hex digits", "two binaries for service \"api\"",
                           "binary service name \"my service\" is not one word", "empty binary id",
                           "test name \"test checkout\" is not one word", "run 0", "strategy \"\" is not one word",
                           "header: empty verdict", "header: empty warning"})
    EXPECT_NE(got.find(text), std::string::npos) << text << " not in:\n" << got;
}

TEST(TraceValidator, RejectsASpecPathThatWouldNotReadBack) {
  TraceFile t = sample_trace();
  t.header.spec_path = "a\nb.star";
  expect_problem(t, "spec path contains a line break");
  t.header.spec_path = " padded.star";
  expect_problem(t, "begins or ends with a space");
}

TEST(TraceValidator, RejectsFieldsTheEventLineCannotCarry) {
  TraceFile t = sample_trace();
  t.events[2].outcome = "deny [x]";  // " [" would start a label
  expect_problem(t, "event 3: outcome \"deny [x]\", label \"\" and detail would read back as \"deny\", \"x\"");
  t = sample_trace();
  t.events[4].label = "a] | b";  // "] | " would end the label early
  expect_problem(t, "event 5: outcome");
  t = sample_trace();
  t.events[2].outcome = "allow |";  // with a detail, " | " forms across the boundary
  t.events[2].detail = "d";
  expect_problem(t, "event 3: outcome");
  t = sample_trace();
  t.events[2].identity.host = "redis";
  expect_problem(t, "event 3: identity host \"redis\" differs from the event's host \"api\"");
  t = sample_trace();
  t.events[2].identity.occurrence = 0;
  expect_problem(t, "event 3: occurrence #0");
}

TEST(TraceValidator, AcceptsWhatTheWriterNormalizes) {
  // Whitespace in identity fields and line breaks in free text are the
  // writer's to fold (TraceFile.h), not errors.
  TraceFile t = sample_trace();
  t.events[2].identity.resource = "$RUN/my file";
  t.events[2].outcome = "";
  t.events[4].label = "slow\nredis";
  t.events[9].detail = "multi\nline";
  EXPECT_EQ(all(validate_trace(t)), "");
}

TEST(TraceValidator, ChecksHostNames) {
  for (const char* host : {"", "#api", "a b", "a\u3000b", "a\x01", "toString", "__proto__", "bad\xff"}) {
    TraceFile t = sample_trace();
    t.events.push_back(t.events.back());
    TraceEvent& e = t.events.back();
    e.host = e.identity.host = host;
    e.clock = {{host, 1}};
    e.step = 0;
    const std::string got = all(validate_trace(t));
    EXPECT_NE(got.find("event 11: "), std::string::npos) << "host `" << host << "`:\n" << got;
  }
}

TEST(TraceValidator, ReportsDuplicateAndMissingSteps) {
  TraceFile t = sample_trace();
  t.events[8].step = 7;
  expect_problem(t, "event 9: decision step 7 again (first at event 7)");
  t = sample_trace();
  t.events[8].step = 9;
  expect_problem(t, "decision step 8 is missing (steps run 1, 2, 3, … each once; next is 9 at event 9)");
}

TEST(TraceValidator, AcceptsTheSeedCorpusOfTheFuzzer) {
  // The fuzzer's seeds are writer output; they must stay valid traces.
  const std::filesystem::path dir = std::filesystem::path(__FILE__).parent_path() / ".." / "fuzz" / "trace_corpus";
  size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_EQ(all(validate_trace_text(text.str(), entry.path().string())), "") << entry.path();
    ++seen;
  }
  EXPECT_GE(seen, 2u);
}

}  // namespace
}  // namespace faultbox::traces
