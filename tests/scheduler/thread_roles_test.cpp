// ThreadRoles: who plays whom is learnt one pair at a time and never
// re-paired; canonical() is a bijection (a thread whose name was taken over
// gets the name the taker left). And the strategies that follow a recorded
// schedule use it: a pool worker that wakes in another order plays the
// recorded one, and the explorer's record names it as recorded.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "scheduler/Schedule.h"
#include "scheduler/ThreadRoles.h"

namespace faultbox::scheduler {
namespace {

traces::EventIdentity id(const std::string& host, const std::string& action, const std::string& thread,
                         const std::string& resource = "test") {
  traces::EventIdentity e;
  e.host = host;
  e.action = action;
  e.resource = resource;
  e.occurrence = 1;
  e.thread = thread;
  return e;
}

std::string canon(const ThreadRoles& r, const std::string& thread) { return r.canonical(id("api", "read", thread)).thread; }

TEST(ThreadRoles, LearnsOnePairAtATime) {
  ThreadRoles r;
  EXPECT_EQ(r.player("api", "5"), std::nullopt);
  EXPECT_TRUE(r.learn("api", "5", "7"));
  EXPECT_EQ(r.player("api", "5"), "7");
  EXPECT_TRUE(r.claimed("api", "7"));
  EXPECT_FALSE(r.claimed("api", "5"));
  EXPECT_TRUE(r.learn("api", "5", "7"));    // the same pair again: fine
  EXPECT_FALSE(r.learn("api", "5", "6"));   // recorded 5 is played already
  EXPECT_FALSE(r.learn("api", "6", "7"));   // 7 plays 5 already
  EXPECT_EQ(r.player("api", "6"), std::nullopt);
  EXPECT_EQ(r.player("redis", "5"), std::nullopt);  // per host
}

TEST(ThreadRoles, CanonicalNamesAreABijection) {
  ThreadRoles r;
  ASSERT_TRUE(r.learn("api", "5", "7"));  // ours 7 plays recorded 5
  EXPECT_EQ(canon(r, "7"), "5");
  EXPECT_EQ(canon(r, "5"), "7");  // the name 7 left
  EXPECT_EQ(canon(r, "6"), "6");
  ASSERT_TRUE(r.learn("api", "7", "9"));  // and ours 9 plays recorded 7
  EXPECT_EQ(canon(r, "9"), "7");
  EXPECT_EQ(canon(r, "5"), "9");  // down the chain of takeovers
  std::set<std::string> names;
  for (const char* t : {"1", "5", "6", "7", "9"}) names.insert(canon(r, t));
  EXPECT_EQ(names.size(), 5u);
  // Another host and the driver's thread-less events are untouched.
  EXPECT_EQ(r.canonical(id("redis", "read", "7")).thread, "7");
  EXPECT_EQ(r.canonical(id("test/1", "SEND", "")).thread, "");
}

TEST(ScheduleStrategy, AWorkerThatWokeInAnotherOrderPlaysTheRecordedOneAndIsRecordedByItsName) {
  // Recorded: t6 served the first request, t5 the second. This run: t6 again
  // for the first, but t7 picked up the second while t6 waits on its EOF —
  // two identical reads enabled, only the learnt roles tell them apart.
  Schedule s;
  s.prefix = {{event_ref(id("api", "recvfrom", "6")), false}, {event_ref(id("api", "recvfrom", "5")), false}};
  RecordingStrategy rec(std::make_unique<ScheduleStrategy>(s, "dpor"));
  EXPECT_EQ(rec.choose({id("api", "recvfrom", "6")}, 1), 0u);
  EXPECT_EQ(rec.choose({id("api", "recvfrom", "6"), id("api", "recvfrom", "7")}, 2), 1u);
  // Past the prefix the real t5 turns up: it is called t7, the name t7 left.
  EXPECT_EQ(rec.choose({id("api", "write", "5", "$RUN/log")}, 3), 0u);
  const RunRecord& r = rec.record();
  ASSERT_EQ(r.decisions.size(), 3u);
  EXPECT_EQ(r.decisions[0].event.process, "api@t6");
  EXPECT_EQ(r.decisions[1].event.process, "api@t5");
  EXPECT_EQ(r.decisions[1].event.label, "api recvfrom test @t5");
  EXPECT_EQ(r.decisions[2].event.process, "api@t7");
  EXPECT_EQ(r.enabled[1][0].process, "api@t6");
  EXPECT_EQ(r.enabled[1][1].process, "api@t5");
}

TEST(ScheduleStrategy, TwoUnknownWorkersForOneRecordedEventIsADivergence) {
  Schedule s;
  s.prefix = {{event_ref(id("api", "recvfrom", "5")), false}};
  ScheduleStrategy st(s, "dpor");
  // Neither 6 nor 7 is known, and neither is the recorded 5: no way to tell.
  EXPECT_THROW(st.choose({id("api", "recvfrom", "6"), id("api", "recvfrom", "7")}, 1), Divergence);
}

}  // namespace
}  // namespace faultbox::scheduler
