// ShivizWriter: the exact text, the writer → reader round trip, and
// save_trace's validate-then-write-atomically contract.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/traces/SampleTrace.h"
#include "traces/ShivizWriter.h"
#include "traces/TraceReader.h"
#include "traces/TraceValidator.h"

namespace faultbox::traces {
namespace {

using sample::sample_event;
using sample::sample_event_line;
using sample::sample_trace;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "faultbox-traces-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  size_t entries() const {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(path_), {}));
  }

 private:
  std::filesystem::path path_;
};

TEST(ShivizWriter, WritesTheLayoutOfTraceFileH) {
  const std::vector<std::string> lines = split_lines(write_shiviz(sample_trace()));
  ASSERT_EQ(lines.size(), 31u);
  EXPECT_EQ(lines[0], R"((?<host>\S*) (?<clock>{.*})\n(?<event>.*))");
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(lines[2], "# faultbox trace 1");
  EXPECT_EQ(lines[3], "# spec: examples/shop/faultbox.star sha256:" + std::string(64, 'a'));
  EXPECT_EQ(lines[4], "# binary: api sha256:" + std::string(64, 'b'));
  EXPECT_EQ(lines[5], "# binary: redis sha256:" + std::string(64, 'c'));
  EXPECT_EQ(lines[6], "# test: test_checkout  run: 17  strategy: random  seed: 4711");
  EXPECT_EQ(lines[7], "# verdict: FAIL faultbox.star:23 checkout should succeed (DB fallback) or fail gracefully, not 500");
  EXPECT_EQ(lines[8], "# replayable: yes");
  EXPECT_EQ(lines[9], "# warning: quiescence wait hit its cap (200ms) before step 5");
  // A header ending in "}" would be an event to ShiViz's unanchored regex.
  EXPECT_EQ(lines[10], "# warning: api thread 3 still running: state {R} ");
  EXPECT_EQ(lines[11], R"(test {"test":1})");
  EXPECT_EQ(lines[12], "step=1 test POST api #1 -> sent");
  EXPECT_EQ(lines[17], R"(redis {"api":2,"redis":1,"test":1})");
  EXPECT_EQ(lines[20], "step=5 redis sendto api #1 @t1 -> delay 10s [slow redis]");
  EXPECT_EQ(lines[26], "step=- test response api #1 -> status 500");
  EXPECT_EQ(lines[27], R"(test/2 {"api":4,"redis":2,"test":2,"test/2":1})");
  EXPECT_EQ(lines[28], "step=8 test/2 GET api #1 -> error connection refused [api down]");
  EXPECT_EQ(lines[30],
            "step=- test assert - #1 -> failed | checkout should succeed (DB fallback) or fail gracefully, not 500 "
            "faultbox.star:23");
}

TEST(ShivizWriter, FreeRunSaysItCannotBeReplayed) {
  TraceFile t = sample_trace();
  t.header.replayable = false;
  t.header.strategy = "free";
  const std::vector<std::string> lines = split_lines(write_shiviz(t));
  EXPECT_EQ(lines[8], "# replayable: no (--free)");
  EXPECT_FALSE(parse_trace(write_shiviz(t)).trace.header.replayable);
}

TEST(ShivizWriter, RoundTripsThroughTheReader) {
  const TraceFile t = sample_trace();
  const std::string text = write_shiviz(t);
  const ParsedTrace back = parse_trace(text);
  EXPECT_EQ(back.trace.header, t.header);
  ASSERT_EQ(back.trace.events.size(), t.events.size());
  for (size_t i = 0; i < t.events.size(); ++i) {
    EXPECT_EQ(back.trace.events[i], t.events[i]) << "event " << i;
    EXPECT_EQ(back.event_lines[i], sample_event_line(i));
  }
  EXPECT_EQ(back.trace, t);
  EXPECT_EQ(write_shiviz(back.trace), text);
}

TEST(ShivizWriter, RoundTripsAwkwardButLegalFields) {
  TraceFile t = sample_trace();
  t.header.spec_path = "my specs/shop {v2}.star";  // spaces and braces in a path
  t.header.binaries.push_back({"web", "image sha256:" + std::string(64, 'd')});
  t.header.warnings.clear();
  t.header.verdict = "PASS";
  t.header.seed = UINT64_MAX;
  TraceEvent& e = t.events[4];
  e.label = "x [nested] label";
  e.detail = "a | b [c] | {\"d\": 1}";
  t.events[9].detail = "got {\"status\": 500}";  // an event line may end in "}": ShiViz consumes it as the event
  t.events[2].outcome = "deny ECONNREFUSED";
  t.events[3].identity.thread = "2.1";
  ASSERT_TRUE(validate_trace(t).empty()) << validate_trace(t).front().text();
  const std::string text = write_shiviz(t);
  EXPECT_EQ(parse_trace(text).trace, t);
  EXPECT_TRUE(validate_trace_text(text).empty()) << validate_trace_text(text).front().text();
}

TEST(ShivizWriter, FlattensFreeTextToOneLineAsJavaScriptCountsLines) {
  TraceFile t = sample_trace();
  t.header.verdict = "FAIL faultbox.star:9 first\nsecond\u2028third";
  t.header.warnings = {"  padded\r\n"};
  t.events[9].detail = "line one\u2029line two";
  const std::string text = write_shiviz(t);
  EXPECT_TRUE(validate_trace_text(text).empty()) << validate_trace_text(text).front().text();
  const TraceFile back = parse_trace(text).trace;
  EXPECT_EQ(back.header.verdict, "FAIL faultbox.star:9 first second third");
  EXPECT_EQ(back.header.warnings, std::vector<std::string>{"padded"});
  EXPECT_EQ(back.events[9].detail, "line one line two");
}

TEST(ShivizWriter, EscapesHostNamesInTheClockJson) {
  TraceFile t = sample_trace();
  for (TraceEvent& e : t.events) {
    if (e.host != "redis") {
      if (e.clock.count("redis")) {
        const uint64_t v = e.clock["redis"];
        e.clock.erase("redis");
        e.clock["re\"d\\is"] = v;
      }
      continue;
    }
    e.host = e.identity.host = "re\"d\\is";
    const uint64_t v = e.clock["redis"];
    e.clock.erase("redis");
    e.clock["re\"d\\is"] = v;
  }
  ASSERT_TRUE(validate_trace(t).empty()) << validate_trace(t).front().text();
  const std::string text = write_shiviz(t);
  EXPECT_NE(text.find(R"(re"d\is {"api":2,"re\"d\\is":1,"test":1})"), std::string::npos);
  EXPECT_EQ(parse_trace(text).trace, t);
}

TEST(SaveTrace, WritesTheFileAtomicallyAndReadably) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "run-17.log";
  save_trace(path.string(), sample_trace());
  EXPECT_EQ(slurp(path), write_shiviz(sample_trace()));
  EXPECT_EQ(dir.entries(), 1u);  // no temporary file left
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(load_trace(path.string()), sample_trace());
}

TEST(SaveTrace, ReplacesAnOlderTrace) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "t.log";
  std::ofstream(path) << "old\n";
  save_trace(path.string(), sample_trace());
  EXPECT_EQ(slurp(path), write_shiviz(sample_trace()));
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(SaveTrace, RefusesAnInvalidTraceAndWritesNothing) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "bad.log";
  TraceFile t = sample_trace();
  t.events[2].clock["api"] = 3;  // a skipped tick
  t.events[7].clock.erase("test");  // own host missing
  try {
    save_trace(path.string(), t);
    FAIL() << "save_trace accepted an invalid trace";
  } catch (const InvalidTraceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("faultbox bug"), std::string::npos) << what;
    EXPECT_NE(what.find(path.string()), std::string::npos) << what;
    EXPECT_NE(what.find("event 3: host \"api\"'s own entry goes from 1 to 3"), std::string::npos) << what;
    EXPECT_NE(what.find("event 8: clock lacks the event's own host \"test\""), std::string::npos) << what;
    EXPECT_GE(e.problems().size(), 2u);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(SaveTrace, KeepsTheOldFileWhenTheNewTraceIsInvalid) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "t.log";
  std::ofstream(path) << "old\n";
  TraceFile t = sample_trace();
  t.events.clear();
  EXPECT_THROW(save_trace(path.string(), t), InvalidTraceError);
  EXPECT_EQ(slurp(path), "old\n");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(SaveTrace, ReportsAnUnwritablePathWithItsCause) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "missing-dir" / "t.log";
  try {
    save_trace(path.string(), sample_trace());
    FAIL() << "save_trace wrote into a missing folder";
  } catch (const InvalidTraceError&) {
    FAIL() << "an I/O failure is not an invalid trace";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path.string()), std::string::npos) << what;
    EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
  }
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(SaveTrace, RefusesATraceShivizWouldSplitDifferently) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "t.log";
  TraceFile t = sample_trace();
  // A no-break space is whitespace to JavaScript: ShiViz's host would be "api".
  for (TraceEvent& e : t.events)
    if (e.host == "test/2") e.host = e.identity.host = "test\u00a0two";
  for (TraceEvent& e : t.events)
    if (e.clock.count("test/2")) {
      const uint64_t v = e.clock["test/2"];
      e.clock.erase("test/2");
      e.clock["test\u00a0two"] = v;
    }
  try {
    save_trace(path.string(), t);
    FAIL() << "accepted a host with a no-break space";
  } catch (const InvalidTraceError& e) {
    EXPECT_NE(std::string(e.what()).find("contains whitespace"), std::string::npos) << e.what();
  }
  EXPECT_EQ(dir.entries(), 0u);
}

}  // namespace
}  // namespace faultbox::traces
