// Stable thread ordinals (DESIGN.md §4).
#include "scheduler/ThreadOrdinals.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

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

namespace {
ThreadInfo member(const std::string& service, pid_t tid, pid_t tgid, uint64_t start, const std::string& comm,
                  const std::string& wchan) {
  ThreadInfo t = thread(service, tid, 0, start);
  t.tgid = tgid;
  t.comm = comm;
  t.wchan = wchan;
  return t;
}
}  // namespace

// The shop's api: a main thread in accept, a signal thread, and idle pool
// workers on one condition variable; the kernel picks which worker wakes.
TEST(ThreadOrdinals, APoolsWorkersAreNamedInOrderOfFirstUse) {
  ThreadOrdinals o;
  o.number({
      member("api", 100, 100, 1, "shop-api", "inet_csk_accept"),
      member("api", 101, 100, 1, "shop-api", "do_sigtimedwait"),
      member("api", 102, 100, 1, "shop-api", "futex_do_wait"),
      member("api", 103, 100, 1, "shop-api", "futex_do_wait"),
      member("api", 104, 100, 1, "shop-api", "futex_do_wait"),
  });
  EXPECT_EQ(o.find("api", 100).value_or(""), "1");
  EXPECT_EQ(o.find("api", 101).value_or(""), "2");  // alone in its wait: numbered as before
  // Pool members are known (no clone made them) but unnamed until used.
  EXPECT_TRUE(o.known("api", 103));
  EXPECT_FALSE(o.find("api", 103).has_value());
  // Whichever worker the kernel woke first plays the first worker.
  EXPECT_EQ(o.ordinal_of("api", 104), "3");
  EXPECT_EQ(o.ordinal_of("api", 102), "4");
  EXPECT_EQ(o.ordinal_of("api", 104), "3");  // asked again: the same name
  EXPECT_EQ(o.ordinal_of("api", 103), "5");
  EXPECT_EQ(o.ordinal_of("api", 999), "?1");  // the pool is used up; strangers are still strangers
}

TEST(ThreadOrdinals, OnlyThreadsAlikeInEveryVisibleWayArePooled) {
  ThreadOrdinals o;
  o.number({
      member("api", 100, 100, 1, "shop-api", "futex_do_wait"),   // the main thread: never pooled
      member("api", 101, 100, 1, "shop-api", "futex_do_wait"),   // alike with the main thread only
      member("api", 102, 100, 2, "other", "futex_do_wait"),      // another name
      member("api", 103, 100, 2, "other", "pipe_read"),          // another wait
      member("api", 200, 200, 3, "shop-api", "futex_do_wait"),   // another process (its main thread)
      member("api", 201, 200, 3, "shop-api", "futex_do_wait"),   // alike with 101 but in process 200
      member("api", 202, 100, 4, "hidden", "0"),                 // wchan hidden: no grounds
      member("api", 203, 100, 4, "hidden", "0"),
      member("api", 204, 100, 5, "unsampled", ""),               // never sampled
      member("api", 205, 100, 5, "unsampled", ""),
      member("redis", 300, 300, 1, "redis-server", "ep_poll"),
      member("redis", 301, 300, 1, "bio", "futex_do_wait"),
  });
  const std::pair<pid_t, const char*> expected[] = {{100, "1"}, {101, "2"}, {102, "3"}, {103, "4"},
                                                     {200, "5"}, {201, "6"}, {202, "7"}, {203, "8"},
                                                     {204, "9"}, {205, "10"}};
  for (const auto& [tid, name] : expected) EXPECT_EQ(o.find("api", tid).value_or(""), name) << tid;
  EXPECT_EQ(o.find("redis", 301).value_or(""), "2");
}

TEST(ThreadOrdinals, APoolKeepsItsOrdinalsInNumericOrderAndSeparateFromOthers) {
  ThreadOrdinals o;
  std::vector<ThreadInfo> threads{member("api", 100, 100, 1, "main", "inet_csk_accept")};
  // Ten workers: ordinals 2..11 — "10" and "11" must come after "9".
  for (pid_t tid = 101; tid <= 110; ++tid) threads.push_back(member("api", tid, 100, 2, "worker", "futex_do_wait"));
  threads.push_back(member("api", 111, 100, 3, "logger", "futex_do_wait"));
  threads.push_back(member("api", 112, 100, 3, "logger", "futex_do_wait"));
  o.number(threads);
  EXPECT_EQ(o.ordinal_of("api", 112), "12");  // the loggers' pool: 12, 13
  std::vector<std::string> got;
  for (pid_t tid = 110; tid >= 101; --tid) got.push_back(o.ordinal_of("api", tid));
  EXPECT_EQ(got, (std::vector<std::string>{"2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}));
  EXPECT_EQ(o.ordinal_of("api", 111), "13");
}

TEST(ThreadOrdinals, AnUnusedMemberThatExitsLeavesTheOthersInOrder) {
  ThreadOrdinals o;
  o.number({member("api", 100, 100, 1, "main", "inet_csk_accept"), member("api", 101, 100, 1, "w", "futex_do_wait"),
            member("api", 102, 100, 1, "w", "futex_do_wait"), member("api", 103, 100, 1, "w", "futex_do_wait")});
  o.forget("api", 101);
  EXPECT_FALSE(o.known("api", 101));
  EXPECT_EQ(o.ordinal_of("api", 103), "2");
  EXPECT_EQ(o.ordinal_of("api", 102), "3");
  // Its tid reused by a thread a clone made: named by the clone.
  EXPECT_EQ(o.adopt("api", 101, "1"), "1.1");
  // number() starts afresh.
  o.number({member("api", 100, 100, 1, "main", "inet_csk_accept")});
  EXPECT_FALSE(o.known("api", 102));
}

// Threads that block alike in a real process, with the wchans a census
// sample reads: the "extra" threads of timer_thread all wait in one pipe.
TEST(ThreadOrdinals, PoolsARealCensusByItsSampledWaits) {
  TestCgroup cg;
  FixtureProcess p(cg.procs_fd(), {fixture("timer_thread"), "1000"});
  ThreadCensus census({{"redis", cg.path()}});
  p.send("ttt");
  ASSERT_TRUE(eventually([&] { return p.tids().size() == 5; }));
  std::vector<pid_t> extras;
  ASSERT_TRUE(eventually([&] {
    ThreadCensus::Sample s = census.sample();
    extras.clear();
    std::set<std::string> waits;
    for (const auto& t : census.threads())
      if (t.comm == "extra") {
        extras.push_back(t.tid);
        waits.insert(t.wchan);
      }
    // All three asleep in the same place (a kernel hiding wchan never gets here).
    return s.complete && extras.size() == 3 && waits.size() == 1 && !waits.begin()->empty() &&
           *waits.begin() != "0";
  })) << "no three extras asleep alike";
  ThreadOrdinals o;
  o.number(census.threads());
  EXPECT_EQ(o.find("redis", p.pid()).value_or(""), "1");
  for (pid_t tid : extras) {
    EXPECT_TRUE(o.known("redis", tid));
    EXPECT_FALSE(o.find("redis", tid).has_value()) << tid;
  }
  // The last started is used first: it takes the pool's smallest ordinal.
  std::sort(extras.begin(), extras.end());
  EXPECT_EQ(o.ordinal_of("redis", extras[2]), "3");
  EXPECT_EQ(o.ordinal_of("redis", extras[0]), "4");
  EXPECT_EQ(o.ordinal_of("redis", extras[1]), "5");
}
