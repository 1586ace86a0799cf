// HostClocks: ShiViz's clock rules hold by construction (own entry 1, 2, 3…;
// merges are element-wise max) and a clock that names events nobody
// recorded is refused before it reaches a trace.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "recorder/HostClocks.h"

using faultbox::recorder::HostClocks;
using faultbox::traces::VectorClock;

TEST(HostClocks, OwnEntryStartsAtOneAndStepsByOne) {
  HostClocks clocks;
  EXPECT_EQ(clocks.tick("api"), (VectorClock{{"api", 1}}));
  EXPECT_EQ(clocks.tick("api"), (VectorClock{{"api", 2}}));
  EXPECT_EQ(clocks.tick("api"), (VectorClock{{"api", 3}}));
  EXPECT_EQ(clocks.events_of("api"), 3u);
  EXPECT_EQ(clocks.clock_of("api"), (VectorClock{{"api", 3}}));
}

TEST(HostClocks, MergeIsElementWiseMaxThenOwnTick) {
  HostClocks clocks;
  VectorClock t1 = clocks.tick("test");         // test:1
  VectorClock t2 = clocks.tick("test");         // test:2
  VectorClock a1 = clocks.tick("api", {t1});    // api:1 test:1
  EXPECT_EQ(a1, (VectorClock{{"api", 1}, {"test", 1}}));
  // The older test clock must not pull test back; the newer one wins.
  VectorClock r1 = clocks.tick("redis", {t2, a1});
  EXPECT_EQ(r1, (VectorClock{{"api", 1}, {"redis", 1}, {"test", 2}}));
  VectorClock r2 = clocks.tick("redis", {t1});
  EXPECT_EQ(r2, (VectorClock{{"api", 1}, {"redis", 2}, {"test", 2}}));
}

TEST(HostClocks, AReplyCarryingTheOwnEntryStillStepsByExactlyOne) {
  HostClocks clocks;
  VectorClock t1 = clocks.tick("test");
  VectorClock a1 = clocks.tick("api", {t1});  // carries test:1
  VectorClock t2 = clocks.tick("test", {a1});
  EXPECT_EQ(t2, (VectorClock{{"api", 1}, {"test", 2}}));
  // Merging the host's own current clock back in changes nothing but the tick.
  VectorClock t3 = clocks.tick("test", {t2});
  EXPECT_EQ(t3, (VectorClock{{"api", 1}, {"test", 3}}));
}

TEST(HostClocks, HostsAppearOnlyWithTheirFirstEvent) {
  HostClocks clocks;
  VectorClock t1 = clocks.tick("test");
  clocks.tick("api", {t1});
  EXPECT_TRUE(clocks.clock_of("redis").empty());
  EXPECT_EQ(clocks.events_of("redis"), 0u);
  EXPECT_EQ(clocks.hosts(), (std::vector<std::string>{"api", "test"}));
  // A parallel branch shows up mid-run, and only from then on.
  VectorClock b1 = clocks.tick("test/2", {clocks.clock_of("test")});
  EXPECT_EQ(b1, (VectorClock{{"test", 1}, {"test/2", 1}}));
  EXPECT_EQ(clocks.hosts(), (std::vector<std::string>{"api", "test", "test/2"}));
  for (const std::string& h : clocks.hosts()) EXPECT_EQ(clocks.clock_of(h).count("redis"), 0u) << h;
}

TEST(HostClocks, RefusesAClockNamingAHostWithNoEvents) {
  HostClocks clocks;
  clocks.tick("api");
  try {
    clocks.tick("api", {VectorClock{{"ghost", 1}}});
    FAIL() << "merged a clock naming a host with no events";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("ghost:1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("logged 0"), std::string::npos) << e.what();
  }
  // Nothing changed: not the ticking host, and the ghost was not created.
  EXPECT_EQ(clocks.clock_of("api"), (VectorClock{{"api", 1}}));
  EXPECT_EQ(clocks.hosts(), (std::vector<std::string>{"api"}));
}

TEST(HostClocks, RefusesAClockBeyondAHostsEventCount) {
  HostClocks clocks;
  clocks.tick("test");
  clocks.tick("test");
  EXPECT_THROW(clocks.tick("api", {VectorClock{{"test", 3}}}), std::logic_error);
  // Beyond the ticking host's own count too (a clock from its future).
  EXPECT_THROW(clocks.tick("test", {VectorClock{{"test", 5}}}), std::logic_error);
  EXPECT_EQ(clocks.events_of("test"), 2u);
  EXPECT_EQ(clocks.events_of("api"), 0u);
  // A zero entry would print as a reference ShiViz cannot place.
  EXPECT_THROW(clocks.tick("api", {VectorClock{{"test", 0}}}), std::logic_error);
  // At the count is fine.
  EXPECT_EQ(clocks.tick("api", {VectorClock{{"test", 2}}}), (VectorClock{{"api", 1}, {"test", 2}}));
}

TEST(HostClocks, RefusesAnEmptyHost) {
  HostClocks clocks;
  EXPECT_THROW(clocks.tick(""), std::logic_error);
  EXPECT_TRUE(clocks.hosts().empty());
}
