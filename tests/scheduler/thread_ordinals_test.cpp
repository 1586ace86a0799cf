// Stable thread ordinals (DESIGN.md §4).
#include "scheduler/ThreadOrdinals.h"

#include <gtest/gtest.h>

#include "scheduler/ThreadCensus.h"
#include "tests/scheduler/scheduler_test_support.h"

using namespace faultbox::scheduler;
using namespace faultbox::scheduler::testing;

namespace {
ThreadInfo thread(const std::string& service, pid_t tid, int depth, uint64_t start) {
  ThreadInfo t;
  t.service = service;
  t.tid = tid;
  t.tgid = tid;
  t.depth = depth;
  t.start_time = start;
  return t;
}
}  // namespace

TEST(ThreadOrdinals, NumbersByDepthThenStartTimeThenTidPerService) {
  ThreadOrdinals o;
  o.number({
      thread("api", 900, 1, 10),   // a child process: after every depth-0 thread
      thread("api", 500, 0, 20),   // started later than 700
      thread("api", 700, 0, 5),
      thread("api", 650, 0, 20),   // same tick as 500: the tid decides
      thread("redis", 300, 0, 1),  // numbered within its own service
  });
  EXPECT_EQ(o.find("api", 700).value_or(""), "1");
  EXPECT_EQ(o.find("api", 500).value_or(""), "2");
  EXPECT_EQ(o.find("api", 650).value_or(""), "3");
  EXPECT_EQ(o.find("api", 900).value_or(""), "4");
  EXPECT_EQ(o.find("redis", 300).value_or(""), "1");
}

TEST(ThreadOrdinals, LaterThreadsAreNamedByTheirCreator) {
  ThreadOrdinals o;
  o.number({thread("api", 100, 0, 1), thread("api", 101, 0, 2)});
  EXPECT_EQ(o.adopt("api", 200, "1"), "1.1");
  EXPECT_EQ(o.adopt("api", 201, "1"), "1.2");
  EXPECT_EQ(o.adopt("api", 202, "2"), "2.1");
  EXPECT_EQ(o.adopt("api", 203, "1.2"), "1.2.1");
  EXPECT_EQ(o.ordinal_of("api", 201), "1.2");
  // The same creator ordinal in another service counts separately.
  EXPECT_EQ(o.adopt("redis", 300, "1"), "1.1");

  // A tid reused after its thread exited is renamed by the new clone.
  o.forget("api", 200);
  EXPECT_FALSE(o.find("api", 200).has_value());
  EXPECT_EQ(o.adopt("api", 200, "2"), "2.2");
}

TEST(ThreadOrdinals, StrangersAreMarked) {
  ThreadOrdinals o;
  o.number({thread("api", 100, 0, 1)});
  EXPECT_FALSE(o.find("api", 555).has_value());
  EXPECT_FALSE(o.known("api", 555));
  EXPECT_EQ(o.ordinal_of("api", 555), "?1");
  EXPECT_TRUE(o.known("api", 555));
  EXPECT_EQ(o.ordinal_of("api", 556), "?2");
  EXPECT_EQ(o.ordinal_of("api", 555), "?1");  // asked again: the same name
  EXPECT_EQ(o.ordinal_of("redis", 557), "?1");
  EXPECT_EQ(o.ordinal_of("api", 100), "1");
}

TEST(ThreadOrdinals, NumbersARealCensus) {
  TestCgroup cg;
  FixtureProcess sh(cg.procs_fd(), {"/bin/sh", "-c", "exec 3<&0; " + fixture("timer_thread") + " <&3 & wait"});
  ThreadCensus census({{"redis", cg.path()}});
  ASSERT_TRUE(eventually([&] {
    const auto& t = census.refresh();
    return t.size() == 3 && std::any_of(t.begin(), t.end(), [](const ThreadInfo& i) { return i.comm == "cron"; });
  }));
  ThreadOrdinals o;
  o.number(census.threads());
  pid_t main = 0, cron = 0;
  for (const auto& t : census.threads()) {
    if (t.comm == "timer_thread") main = t.tid;
    if (t.comm == "cron") cron = t.tid;
  }
  EXPECT_EQ(o.ordinal_of("redis", sh.pid()), "1");  // the shell: depth 0
  EXPECT_EQ(o.ordinal_of("redis", main), "2");      // its child's main thread
  EXPECT_EQ(o.ordinal_of("redis", cron), "3");      // started after it
}
