// The strategies on synthetic enabled sets: a seed means one schedule, a
// prefix is followed exactly or the run diverges, and a replay must end
// exactly where its trace did.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "scheduler/Strategy.h"

namespace faultbox::scheduler {
namespace {

traces::EventIdentity id(const std::string& host, const std::string& action, uint64_t occurrence = 1) {
  traces::EventIdentity e;
  e.host = host;
  e.action = action;
  e.resource = "-";
  e.occurrence = occurrence;
  return e;
}

std::vector<traces::EventIdentity> three() { return {id("api", "read"), id("redis", "write"), id("test", "POST")}; }

std::vector<size_t> picks(Strategy& s, int n) {
  std::vector<size_t> out;
  for (int i = 1; i <= n; ++i) out.push_back(s.choose(three(), static_cast<uint64_t>(i)));
  return out;
}

TEST(RandomStrategy, SameSeedSameSchedule) {
  RandomStrategy a(42), b(42);
  EXPECT_EQ(picks(a, 50), picks(b, 50));
}

TEST(RandomStrategy, DifferentSeedsDiffer) {
  RandomStrategy a(1), b(2);
  EXPECT_NE(picks(a, 50), picks(b, 50));
}

TEST(RandomStrategy, EveryPickIsInRangeAndEachChoiceOccurs) {
  RandomStrategy s(7);
  std::vector<int> seen(3, 0);
  for (size_t p : picks(s, 300)) {
    ASSERT_LT(p, 3u);
    ++seen[p];
  }
  for (int count : seen) EXPECT_GT(count, 0);
}

TEST(PrefixStrategy, FollowsThePrefixWhateverTheOrderOfTheEnabledSet) {
  PrefixStrategy s({id("test", "POST"), id("api", "read")}, nullptr, "replay");
  EXPECT_EQ(s.choose(three(), 1), 2u);
  std::vector<traces::EventIdentity> reordered = {id("api", "read"), id("test", "POST")};
  EXPECT_EQ(s.choose(reordered, 2), 0u);
  EXPECT_EQ(s.followed(), 2u);
  EXPECT_NO_THROW(s.finished(2));
}

TEST(PrefixStrategy, AnExpectedEventThatIsNotEnabledIsADivergence) {
  PrefixStrategy s({id("api", "read", 2)}, nullptr, "replay");
  try {
    s.choose(three(), 1);
    FAIL() << "no divergence";
  } catch (const Divergence& d) {
    EXPECT_EQ(d.step, 1u);
    EXPECT_EQ(d.expected, "api read - #2");
    ASSERT_EQ(d.enabled.size(), 3u);
    EXPECT_EQ(d.enabled[0], "api read - #1");
  }
}

TEST(PrefixStrategy, HandsOverAfterThePrefix) {
  PrefixStrategy s({id("redis", "write")}, std::make_unique<RandomStrategy>(3), "prefix+random");
  EXPECT_EQ(s.choose(three(), 1), 1u);
  RandomStrategy reference(3);
  EXPECT_EQ(s.choose(three(), 2), reference.choose(three(), 2));
  EXPECT_NO_THROW(s.finished(5));
}

TEST(PrefixStrategy, AReplayCannotGoPastItsTrace) {
  PrefixStrategy s({id("api", "read")}, nullptr, "replay");
  s.choose(three(), 1);
  EXPECT_THROW(s.choose(three(), 2), Divergence);
}

TEST(PrefixStrategy, AReplayThatEndsEarlyDiverges) {
  PrefixStrategy s({id("api", "read"), id("redis", "write")}, nullptr, "replay");
  s.choose(three(), 1);
  try {
    s.finished(1);
    FAIL() << "no divergence";
  } catch (const Divergence& d) {
    EXPECT_EQ(d.step, 2u);
    EXPECT_EQ(d.expected, "redis write - #1");
  }
}

}  // namespace
}  // namespace faultbox::scheduler

namespace faultbox::scheduler {
namespace {

traces::EventIdentity threaded(const std::string& thread, uint64_t occurrence = 1) {
  traces::EventIdentity e;
  e.host = "api";
  e.action = "recvfrom";
  e.resource = "test";
  e.occurrence = occurrence;
  e.thread = thread;
  return e;
}

TEST(PrefixStrategy, TheThreadOrdinalOnlyBreaksTies) {
  // A pooled worker other than the recorded one took the connection: the
  // same event.
  PrefixStrategy alone({threaded("4")}, nullptr, "replay");
  EXPECT_EQ(alone.choose({threaded("5")}, 1), 0u);
  // Two such events: the recorded thread decides.
  PrefixStrategy tie({threaded("4")}, nullptr, "replay");
  EXPECT_EQ(tie.choose({threaded("3"), threaded("4")}, 1), 1u);
  // Two, and neither is the recorded thread: ambiguous, never guessed.
  PrefixStrategy ambiguous({threaded("4")}, nullptr, "replay");
  EXPECT_THROW(ambiguous.choose({threaded("3"), threaded("5")}, 1), Divergence);
  // The occurrence is never relaxed.
  PrefixStrategy occurrence({threaded("4", 2)}, nullptr, "replay");
  EXPECT_THROW(occurrence.choose({threaded("4", 1)}, 1), Divergence);
}

// A pool whose workers wake in another order numbers them differently in the
// replay: the recorded t5 is our t4 (learned when it was the only candidate),
// so when two workers offer the same event, recorded t6 is the one not
// already playing another recorded thread — never the exact ordinal t4.
TEST(PrefixStrategy, LearnsWhichThreadPlaysWhichRecordedOne) {
  auto on = [](traces::EventIdentity e, const std::string& thread) {
    e.thread = thread;
    return e;
  };
  traces::EventIdentity recv1 = id("api", "recvfrom");
  recv1.resource = "test";
  traces::EventIdentity recv2 = recv1;
  recv2.occurrence = 2;
  PrefixStrategy replay({on(recv1, "t5"), on(recv2, "t6"), on(recv2, "t5")}, nullptr, "replay");
  EXPECT_EQ(replay.choose({on(recv1, "t4")}, 1), 0u);
  // Both t4 (recorded t5) and t5 (unclaimed) offer occurrence 2: recorded t6 is t5.
  EXPECT_EQ(replay.choose({on(recv2, "t4"), on(recv2, "t5")}, 2), 1u);
  // And recorded t5 stays our t4, although an exact "t5" is offered first.
  EXPECT_EQ(replay.choose({on(recv2, "t5"), on(recv2, "t4")}, 3), 1u);
  EXPECT_EQ(replay.followed(), 3u);
}

TEST(PrefixStrategy, SeveralUnclaimedThreadsWithoutTheRecordedOrdinalDiverge) {
  traces::EventIdentity e = id("api", "recvfrom");
  auto on = [&e](const std::string& thread) {
    traces::EventIdentity x = e;
    x.thread = thread;
    return x;
  };
  PrefixStrategy replay({on("t9")}, nullptr, "replay");
  EXPECT_THROW(replay.choose({on("t4"), on("t5")}, 1), Divergence);
}

TEST(PlacementReplayStrategy, PlacesAFaultAtExactlyTheRecordedSteps) {
  auto prefix = std::make_unique<PrefixStrategy>(
      std::vector<traces::EventIdentity>{id("api", "read"), id("redis", "write"), id("test", "POST")}, nullptr,
      "replay");
  PlacementReplayStrategy s(std::move(prefix), {2});
  EXPECT_EQ(s.name(), "replay");
  std::vector<bool> placed;
  for (uint64_t step = 1; step <= 3; ++step) {
    s.offer_placements({true, true, true});
    EXPECT_EQ(s.choose(three(), step), step - 1);  // the prefix decides the event
    placed.push_back(s.fault_chosen());
  }
  EXPECT_EQ(placed, (std::vector<bool>{false, true, false}));
  EXPECT_NO_THROW(s.finished(3));
}

TEST(PlacementReplayStrategy, ADivergingChoicePlacesNothing) {
  auto prefix = std::make_unique<PrefixStrategy>(std::vector<traces::EventIdentity>{id("search", "read")}, nullptr,
                                                 "replay");
  PlacementReplayStrategy s(std::move(prefix), {1});
  EXPECT_THROW(s.choose(three(), 1), Divergence);
  EXPECT_FALSE(s.fault_chosen());
}

}  // namespace
}  // namespace faultbox::scheduler

