// TraceReader and the text-level validator on crafted files: every
// malformed or rule-breaking file is rejected with the right line and
// message; unknown header lines are skipped.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/traces/SampleTrace.h"
#include "traces/ShivizWriter.h"
#include "traces/TraceReader.h"
#include "traces/TraceValidator.h"

namespace faultbox::traces {
namespace {

using sample::sample_event_line;
using sample::sample_trace;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// The sample's text with line `n` (1-based) replaced, removed or preceded.
std::string with_line(size_t n, const std::string& line) {
  std::vector<std::string> lines = lines_of(write_shiviz(sample_trace()));
  lines.at(n - 1) = line;
  return join(lines);
}
std::string without_line(size_t n) {
  std::vector<std::string> lines = lines_of(write_shiviz(sample_trace()));
  lines.erase(lines.begin() + static_cast<long>(n - 1));
  return join(lines);
}
std::string with_inserted(size_t n, const std::string& line) {
  std::vector<std::string> lines = lines_of(write_shiviz(sample_trace()));
  lines.insert(lines.begin() + static_cast<long>(n - 1), line);
  return join(lines);
}

void expect_format_error(const std::string& text, uint64_t line, const std::string& part) {
  try {
    parse_trace(text);
    ADD_FAILURE() << "accepted; expected line " << line << ": " << part;
  } catch (const TraceFormatError& e) {
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_NE(e.problem().find(part), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("trace.log:" + std::to_string(line) + ": ", 0), 0u) << e.what();
  }
  // The text-level validator reports the same single problem.
  const std::vector<TraceProblem> problems = validate_trace_text(text);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].line, line);
}

// Parses (the format is fine) but the validator finds `part` at `line`.
void expect_problem(const std::string& text, uint64_t line, const std::string& part) {
  ASSERT_NO_THROW(parse_trace(text));
  const std::vector<TraceProblem> problems = validate_trace_text(text);
  std::string all;
  for (const TraceProblem& p : problems) {
    all += p.text("trace.log") + "\n";
    if (p.line == line && p.message.find(part) != std::string::npos) return;
  }
  ADD_FAILURE() << "no problem at line " << line << " containing `" << part << "`; got:\n" << all;
}

const uint64_t kEv2 = sample_event_line(2);  // api {"api":2,"test":1}

TEST(TraceReader, AcceptsTheWritersFile) {
  const std::string text = write_shiviz(sample_trace());
  EXPECT_EQ(parse_trace(text).trace, sample_trace());
  EXPECT_TRUE(validate_trace_text(text).empty());
}

TEST(TraceReader, ReadsBackTheScheduleLine) {
  TraceFile t = sample_trace();
  t.header.schedule = "pct depth=3 k=40 change-points=7,19 seed=4712";
  const std::string text = write_shiviz(t);
  EXPECT_NE(text.find("\n# schedule: pct depth=3 k=40 change-points=7,19 seed=4712\n"), std::string::npos);
  EXPECT_EQ(parse_trace(text).trace, t);
  EXPECT_TRUE(validate_trace_text(text).empty());
}

TEST(TraceReader, ReadsBackThePlacementsLine) {
  TraceFile t = sample_trace();
  t.header.placed = std::vector<uint64_t>{1, 2};
  std::string text = write_shiviz(t);
  EXPECT_NE(text.find("\n# placements: placed at steps 1, 2\n"), std::string::npos);
  EXPECT_EQ(parse_trace(text).trace, t);
  EXPECT_TRUE(validate_trace_text(text).empty());
  t.header.placed = std::vector<uint64_t>{};  // explored, none placed: not the same as no line
  text = write_shiviz(t);
  EXPECT_NE(text.find("\n# placements: none placed\n"), std::string::npos);
  EXPECT_EQ(parse_trace(text).trace, t);
  EXPECT_EQ(parse_trace(write_shiviz(sample_trace())).trace.header.placed, std::nullopt);
}

TEST(TraceReader, ReadsBackTheWaitingAcceptsLine) {
  TraceFile t = sample_trace();
  t.header.waiting_accepts = std::vector<std::pair<std::string, uint64_t>>{{"store.main", 1}, {"api.http", 4}};
  std::string text = write_shiviz(t);
  EXPECT_NE(text.find("\n# waiting accepts: store.main 1, api.http 4\n"), std::string::npos);
  EXPECT_EQ(parse_trace(text).trace, t);
  EXPECT_TRUE(validate_trace_text(text).empty());
  t.header.waiting_accepts = std::vector<std::pair<std::string, uint64_t>>{};  // counted: none (not the same as unknown)
  text = write_shiviz(t);
  EXPECT_NE(text.find("\n# waiting accepts: none\n"), std::string::npos);
  EXPECT_EQ(parse_trace(text).trace, t);
  EXPECT_EQ(parse_trace(write_shiviz(sample_trace())).trace.header.waiting_accepts, std::nullopt);
}

TEST(TraceReader, RejectsMalformedWaitingAcceptsLines) {
  expect_format_error(with_inserted(9, "# waiting accepts: store.main"), 9, "waiting accepts line must read");
  expect_format_error(with_inserted(9, "# waiting accepts: store.main x"), 9, "waiting accepts of store.main `x` is not a positive number");
  expect_format_error(with_inserted(9, "# waiting accepts: store.main 0"), 9, "waiting accepts of store.main `0` is not a positive number");
  expect_format_error(with_inserted(9, "# waiting accepts: store.main 1, store.main 2"), 9, "store.main named twice");
  expect_format_error(with_inserted(9, "# waiting accepts: none\n# waiting accepts: none"), 10,
                      "second `# waiting accepts:` line");
}

TEST(TraceReader, RejectsMalformedPlacementsLines) {
  expect_format_error(with_inserted(9, "# placements: at 3"), 9, "placements line must read");
  expect_format_error(with_inserted(9, "# placements: placed at steps 2, x"), 9, "placed step `x` is not a positive number");
  expect_format_error(with_inserted(9, "# placements: placed at steps 0"), 9, "placed step `0` is not a positive number");
  expect_format_error(with_inserted(9, "# placements: placed at steps 3, 3"), 9, "placed steps must increase: 3 after 3");
  expect_format_error(with_inserted(9, "# placements: none placed\n# placements: none placed"), 10,
                      "second `# placements:` line");
}

TEST(TraceReader, SkipsUnknownHeaderLines) {
  const std::string text = with_inserted(8, "# coverage: 73% of api.c");
  EXPECT_EQ(parse_trace(text).trace, sample_trace());
  EXPECT_TRUE(validate_trace_text(text).empty()) << validate_trace_text(text).front().text();
}

TEST(TraceReader, AcceptsJsonWhitespaceInTheClock) {
  const std::string text = with_line(kEv2, R"(api { "api" : 2 ,	"test":1 })");
  EXPECT_EQ(parse_trace(text).trace, sample_trace());
}

// --- the crafted bad files of issue 4 -------------------------------------

TEST(TraceReader, RejectsASkippedTick) {
  expect_problem(with_line(kEv2, R"(api {"api":3,"test":1})"), kEv2, "host \"api\"'s own entry goes from 1 to 3");
}

TEST(TraceReader, RejectsAFirstEventThatDoesNotStartAtOne) {
  expect_problem(with_line(sample_event_line(0), R"(test {"test":2})"), sample_event_line(0),
                 "host \"test\"'s first event has own entry 2");
}

TEST(TraceReader, RejectsAReferencePastAHostsCount) {
  const uint64_t line = sample_event_line(9);
  expect_problem(with_line(line, R"(test {"api":4,"redis":9,"test":3,"test/2":1})"), line,
                 "clock names \"redis\":9 but host \"redis\" has only 2 events");
}

TEST(TraceReader, RejectsAHostReferencedButWithoutEvents) {
  expect_problem(with_line(kEv2, R"(api {"api":2,"db":1,"test":1})"), kEv2,
                 "clock names host \"db\", which has no events");
}

TEST(TraceReader, RejectsAClockWithoutItsOwnHost) {
  expect_problem(with_line(kEv2, R"(api {"test":1})"), kEv2, "clock lacks the event's own host \"api\"");
}

TEST(TraceReader, RejectsAClockGoingBackwards) {
  const uint64_t line = sample_event_line(5);  // api {"api":3,"redis":2,"test":1}
  expect_problem(with_line(line, R"(api {"api":3,"redis":2})"), line,
                 "clock entry \"test\" goes back from 1 to 0 since host \"api\"'s previous event");
}

TEST(TraceReader, RejectsMalformedJson) {
  const std::string prefix = "clock is not a JSON object of host → positive integer";
  expect_format_error(with_line(kEv2, R"(api {"api":2,"test":1,})"), kEv2, prefix + ": expected a host name");
  expect_format_error(with_line(kEv2, R"(api {"api":2 "test":1})"), kEv2, prefix + ": expected ',' or '}' at column 10");
  expect_format_error(with_line(kEv2, R"(api {"api":2,"test":"1"})"), kEv2, prefix + ": expected a positive integer");
  expect_format_error(with_line(kEv2, R"(api {"api":2,"test":1.0})"), kEv2, prefix + ": count is not an integer");
  expect_format_error(with_line(kEv2, R"(api {"api":2,"test":0})"), kEv2, prefix + ": count 0");
  expect_format_error(with_line(kEv2, R"(api {"api":2,"test":-1})"), kEv2, prefix + ": negative count");
  expect_format_error(with_line(kEv2, R"(api {"api":2,"api":2,"test":1})"), kEv2, prefix + ": host \"api\" appears twice");
  expect_format_error(with_line(kEv2, R"(api {"api":{"n":2}})"), kEv2, prefix);
  expect_format_error(with_line(kEv2, R"(api ["api",2])"), kEv2, prefix);
  expect_format_error(with_line(kEv2, R"(api {"api":9007199254740992,"test":1})"), kEv2, prefix + ": count beyond 2^53-1");
}

TEST(TraceReader, RejectsAMissingHeaderField) {
  // Without one header line the events start on line 11, where the header ends.
  expect_format_error(without_line(8), 11, "header has no `# verdict:` line");
  expect_format_error(without_line(4), 11, "header has no `# spec:` line");
  expect_format_error(without_line(7), 11, "header has no `# test:` line");
  expect_format_error(without_line(9), 11, "header has no `# replayable:` line");
}

// --- more of the format -----------------------------------------------------

TEST(TraceReader, RejectsAnythingButShivizsLayoutOnLines1To3) {
  expect_format_error("", 1, "empty file");
  expect_format_error(with_line(1, "(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})"), 1, "line 1 is not ShiViz's parser regex");
  expect_format_error(with_line(2, "=== run ==="), 2, "line 2 must be empty");
  expect_format_error(with_line(3, "# something else"), 3, "not a faultbox trace");
  expect_format_error(with_line(3, "# faultbox trace 2"), 3, "version 2 is newer than this faultbox reads (1)");
  expect_format_error(with_line(3, "# faultbox trace x"), 3, "is not a positive number");
}

TEST(TraceReader, RejectsMalformedHeaderLines) {
  expect_format_error(with_line(4, "# spec: examples/shop/faultbox.star"), 4, "spec line must read");
  expect_format_error(with_line(4, "# spec: f.star sha256:abc"), 4, "is not 64 hex digits");
  expect_format_error(with_line(4, "# spec:f.star"), 4, "expected a space after `spec:`");
  expect_format_error(with_line(6, "# binary: api sha256:x"), 6, "second `# binary:` line for service \"api\"");
  expect_format_error(with_line(6, "# binary: redis"), 6, "binary line must read");
  expect_format_error(with_line(7, "# test: test_checkout  run: 17  strategy: random"), 7, "test line must read");
  expect_format_error(with_line(7, "# test: t  run: 0  strategy: random  seed: 1"), 7, "run `0` is not a positive number");
  expect_format_error(with_line(7, "# test: t  run: 1  strategy: random  seed: 18446744073709551616"), 7,
                      "is not a number below 2^64");
  expect_format_error(with_line(8, "# verdict:"), 8, "empty `# verdict:` line");
  expect_format_error(with_line(9, "# replayable: maybe"), 9, "replayable must be `yes` or `no …`");
  expect_format_error(with_inserted(9, "# verdict: PASS"), 9, "second `# verdict:` line");
  expect_format_error(with_inserted(4, "# faultbox trace 1"), 4, "second `# faultbox trace` line");
}

TEST(TraceReader, RejectsMalformedEventLines) {
  const uint64_t ev = kEv2 + 1;
  expect_format_error(with_line(ev, "api sendto redis.main #1 @t2 -> allow"), ev, "must start with `step=N` or `step=-`");
  expect_format_error(with_line(ev, "step=0 api sendto redis.main #1 @t2 -> allow"), ev, "step `0` is not");
  expect_format_error(with_line(ev, "step=3 redis sendto redis.main #1 @t2 -> allow"), ev,
                      "event line names host \"redis\" but its clock line names \"api\"");
  expect_format_error(with_line(ev, "step=3 api sendto redis.main 1 @t2 -> allow"), ev, "occurrence `1` is not `#N`");
  expect_format_error(with_line(ev, "step=3 api sendto redis.main #0 -> allow"), ev, "occurrence `#0` is not `#N`");
  expect_format_error(with_line(ev, "step=3 api sendto redis.main #1 @t2 => allow"), ev, "expected `->`");
  expect_format_error(with_line(ev, "step=3 api sendto redis.main #1 @t2 ->"), ev, "no outcome after `->`");
  expect_format_error(with_line(ev, "step=3 api sendto  redis.main #1 -> allow"), ev, "double space");
  expect_format_error(with_line(ev, "step=3 api sendto redis.main #1 -> allow [Redis down"), ev, "label has no closing `]`");
  expect_format_error(with_line(ev, "step=3 api sendto redis.main #1 -> allow []"), ev, "empty label");
  expect_format_error(with_line(ev, "step=3 api sendto redis.main #1 -> allow | "), ev, "empty detail");
  expect_format_error(with_line(ev, "step=3 api sendto redis.main #1 @t -> allow"), ev, "empty thread after `@t`");
  // The writer folds tabs in identity fields; a tab here would not read back (found by the fuzzer).
  expect_format_error(with_line(ev, "step=3 api send\tto redis.main #1 @t2 -> allow"), ev, "tab in the event's action");
}

TEST(TraceReader, RejectsBrokenEventPairs) {
  expect_format_error(with_line(kEv2, "api"), kEv2, "expected `HOST {clock}`");
  expect_format_error(with_line(kEv2, R"( {"api":2,"test":1})"), kEv2, "empty host");
  expect_format_error(with_line(kEv2, R"(api {"api":2,"test":1} )"), kEv2, "it must run from `{`");
  expect_format_error(with_line(kEv2, ""), kEv2, "empty line where an event's");
  expect_format_error(with_line(kEv2, "# warning: late"), kEv2, "header line after the first event");
  // Drop the last event line: its clock line has no partner.
  std::vector<std::string> lines = lines_of(write_shiviz(sample_trace()));
  lines.pop_back();
  expect_format_error(join(lines), lines.size(), "event has no event line");
}

TEST(TraceReader, RejectsATruncatedFile) {
  std::string text = write_shiviz(sample_trace());
  text.pop_back();
  expect_format_error(text, 31, "the last line has no newline");
}

TEST(TraceReader, RejectsLineBreaksThatOnlyJavaScriptSees) {
  const uint64_t ev = kEv2 + 1;
  expect_format_error(with_line(ev, "step=3 api sendto redis.main #1 @t2 -> allow\r"), ev, "carriage return");
  expect_format_error(with_line(ev, "step=3 api sendto redis.main #1 @t2 -> allow | a\u2028b"), ev,
                      "line terminator U+2028");
}

// --- rules only the validator sees -------------------------------------------

TEST(TraceReader, RejectsAReferenceToAnEventNotYetLogged) {
  // api's first event names redis:1, which is logged further down.
  expect_problem(with_line(sample_event_line(1), R"(api {"api":1,"redis":1,"test":1})"), sample_event_line(1),
                 "clock names \"redis\":1 before host \"redis\" logged that event");
}

TEST(TraceReader, RejectsAClockThatForgetsWhatItsSenderKnew) {
  // test/2 names test:2, whose clock had api:4; this one says api:1.
  const uint64_t line = sample_event_line(8);
  expect_problem(with_line(line, R"(test/2 {"api":1,"test":2,"test/2":1})"), line,
                 "the event it names, \"test\":2, already had \"api\":4");
}

TEST(TraceReader, RejectsDecisionStepsThatAreNotOneToN) {
  const uint64_t ev = kEv2 + 1;
  expect_problem(with_line(ev, "step=2 api sendto redis.main #1 @t2 -> allow"), kEv2, "decision step 2 again (first at line 14)");
  const std::vector<TraceProblem> p = validate_trace_text(with_line(ev, "step=-  api sendto redis.main #1 @t2 -> allow"));
  ASSERT_FALSE(p.empty());  // (a format error: double space)
  const std::vector<TraceProblem> gap = validate_trace_text(with_line(ev, "step=- api sendto redis.main #1 @t2 -> allow"));
  ASSERT_EQ(gap.size(), 1u);
  EXPECT_NE(gap[0].message.find("decision step 3 is missing"), std::string::npos) << gap[0].message;
}

TEST(TraceReader, RejectsAHostNamedLikeAnObjectPrototypeMember) {
  std::string text = write_shiviz(sample_trace());
  for (size_t at; (at = text.find("redis")) != std::string::npos;) text.replace(at, 5, "constructor");
  expect_problem(text, sample_event_line(3), "Object.prototype member");
}

TEST(TraceReader, RejectsAHeaderLineThatShivizWouldReadAsAnEvent) {
  // Our reader skips unknown header lines; ShiViz's unanchored regex reads
  // this one as an event of host "got".
  const std::string text = with_inserted(10, R"(# note: got {"got":1})");
  EXPECT_EQ(parse_trace(text).trace, sample_trace());
  expect_problem(text, 10, "ShiViz reads an event here that faultbox does not: host \"got\"");
}

TEST(TraceReader, RejectsAHostThatShivizWouldCutAtJavaScriptWhitespace) {
  std::string text = write_shiviz(sample_trace());
  for (size_t at; (at = text.find("test/2")) != std::string::npos;) text.replace(at, 6, "test\u00a02");
  expect_problem(text, sample_event_line(8), "ShiViz reads host \"2\" here, faultbox \"test\u00a02\"");
  expect_problem(text, sample_event_line(8), "contains whitespace");
}

TEST(TraceReader, RejectsATraceWithoutEvents) {
  std::vector<std::string> lines = lines_of(write_shiviz(sample_trace()));
  lines.resize(11);
  const std::vector<TraceProblem> p = validate_trace_text(join(lines));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].message.find("no events"), std::string::npos);
}

TEST(LoadTrace, ThrowsTheFirstProblemWithItsLineAndListsTheRest) {
  const std::string path = ::testing::TempDir() + "/faultbox-load-trace.log";
  {
    std::ofstream out(path);
    out << with_line(kEv2, R"(api {"api":3,"db":1,"test":1})");
  }
  try {
    load_trace(path);
    FAIL() << "loaded a bad trace";
  } catch (const TraceFormatError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), kEv2);
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(path + ":" + std::to_string(kEv2) + ": ", 0), 0u) << what;
    EXPECT_NE(what.find("own entry goes from 1 to 3"), std::string::npos) << what;
    EXPECT_NE(what.find("\"db\", which has no events"), std::string::npos) << what;
  }
  std::remove(path.c_str());
  try {
    load_trace(path);
    FAIL() << "loaded a missing file";
  } catch (const TraceFormatError& e) {
    EXPECT_EQ(e.line(), 0u);
    EXPECT_EQ(std::string(e.what()), path + ": cannot read the file: No such file or directory");
  }
  try {
    load_trace(::testing::TempDir());
    FAIL() << "loaded a directory";
  } catch (const TraceFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
  }
}

TEST(LoadTrace, ReturnsAValidTrace) {
  const std::string path = ::testing::TempDir() + "/faultbox-load-valid.log";
  save_trace(path, sample_trace());
  EXPECT_EQ(load_trace(path), sample_trace());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace faultbox::traces
