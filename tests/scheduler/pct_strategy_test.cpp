// PCT on synthetic enabled sets: (seed, depth, k) is one schedule, the
// enabled event of the highest-priority process always goes, and the
// process that takes a change point's decision drops below every other.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "scheduler/Dependence.h"
#include "scheduler/PctStrategy.h"

namespace faultbox::scheduler {
namespace {

traces::EventIdentity id(const std::string& host, const std::string& thread = "", uint64_t occurrence = 1) {
  traces::EventIdentity e;
  e.host = host;
  e.action = "write";
  e.resource = "$RUN/" + host + ".log";
  e.occurrence = occurrence;
  e.thread = thread;
  return e;
}

// Four processes, two of them threads of one service, canonical order.
std::vector<traces::EventIdentity> four() { return {id("api", "1"), id("api", "2"), id("db"), id("test/1")}; }

std::vector<size_t> picks(PctStrategy& s, uint64_t decisions) {
  std::vector<size_t> out;
  for (uint64_t step = 1; step <= decisions; ++step) out.push_back(s.choose(four(), step));
  return out;
}

TEST(PctStrategy, SameSeedDepthAndKMeanTheSameSchedule) {
  PctStrategy a(99, 3, 20), b(99, 3, 20);
  EXPECT_EQ(a.change_points(), b.change_points());
  EXPECT_EQ(picks(a, 20), picks(b, 20));
  for (const auto& e : four()) EXPECT_EQ(a.priority(process_of(e)), b.priority(process_of(e)));
}

TEST(PctStrategy, DifferentSeedsGiveDifferentSchedules) {
  std::set<std::vector<size_t>> schedules;
  std::set<std::vector<uint64_t>> change_points;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    PctStrategy s(seed, 3, 20);
    change_points.insert(s.change_points());
    schedules.insert(picks(s, 20));
  }
  EXPECT_GT(schedules.size(), 5u);
  EXPECT_GT(change_points.size(), 5u);
}

TEST(PctStrategy, ChangePointsAreDepthMinusOneDistinctDecisionsWithinK) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    PctStrategy s(seed, 5, 12);
    const auto& c = s.change_points();
    ASSERT_EQ(c.size(), 4u);
    EXPECT_EQ(std::set<uint64_t>(c.begin(), c.end()).size(), 4u);
    for (uint64_t point : c) {
      EXPECT_GE(point, 1u);
      EXPECT_LE(point, 12u);
    }
  }
}

TEST(PctStrategy, AKSmallerThanTheChangePointsStillGivesDistinctOnes) {
  PctStrategy s(3, 4, 1);
  std::vector<uint64_t> c = s.change_points();
  std::sort(c.begin(), c.end());
  EXPECT_EQ(c, (std::vector<uint64_t>{1, 2, 3}));
}

TEST(PctStrategy, EveryDecisionGoesToTheHighestPriorityEnabledProcess) {
  PctStrategy s(7, 1, 10);  // depth 1: no change points, priorities never move
  ASSERT_TRUE(s.change_points().empty());
  // Enabled subsets of shifting shape, as a run's would be.
  const std::vector<std::vector<traces::EventIdentity>> sets = {
      four(), {id("api", "2"), id("db")}, {id("api", "1"), id("test/1")}, {id("db"), id("test/1")}, four()};
  uint64_t step = 1;
  for (const auto& enabled : sets) {
    const size_t chosen = s.choose(enabled, step++);
    for (size_t i = 0; i < enabled.size(); ++i) {
      ASSERT_TRUE(s.priority(process_of(enabled[i])).has_value());
      if (i != chosen) {
        EXPECT_GT(*s.priority(process_of(enabled[chosen])), *s.priority(process_of(enabled[i])));
      }
    }
  }
}

TEST(PctStrategy, InitialPrioritiesAreDistinctAndAtLeastTheDepth) {
  PctStrategy s(11, 6, 100);
  // Before decision 1 no change point has fired, so every priority is initial.
  s.choose(four(), 1);
  std::set<uint64_t> seen;
  for (const auto& e : four()) {
    auto p = s.priority(process_of(e));
    ASSERT_TRUE(p.has_value());
    EXPECT_GE(*p, 6u);
    seen.insert(*p);
  }
  EXPECT_EQ(seen.size(), 4u);
  EXPECT_FALSE(s.priority("nobody").has_value());
}

TEST(PctStrategy, TheProcessThatTakesAChangePointDropsToItsPriority) {
  // Depth 2: one change point c. Before it the same process runs every
  // time (all four stay enabled); it takes decision c and drops to
  // priority 1, so from c+1 on the second-highest process runs.
  for (uint64_t seed = 0; seed < 10; ++seed) {
    PctStrategy s(seed, 2, 8);
    ASSERT_EQ(s.change_points().size(), 1u);
    const uint64_t c = s.change_points()[0];
    const std::vector<size_t> chosen = picks(s, 10);
    for (uint64_t step = 2; step <= c; ++step) EXPECT_EQ(chosen[step - 1], chosen[0]) << "seed " << seed;
    ASSERT_LT(c, 10u);
    EXPECT_NE(chosen[c], chosen[c - 1]) << "seed " << seed;
    for (uint64_t step = c + 2; step <= 10; ++step) EXPECT_EQ(chosen[step - 1], chosen[c]) << "seed " << seed;
    EXPECT_EQ(s.priority(process_of(four()[chosen[c - 1]])), 1u);
  }
}

TEST(PctStrategy, TheJthChangePointGivesPriorityJAndNothingElseMoves) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    PctStrategy s(seed, 4, 6);
    const auto c = s.change_points();
    ASSERT_EQ(c.size(), 3u);
    std::map<std::string, uint64_t> before;
    for (uint64_t step = 1; step <= 8; ++step) {
      const std::string took = process_of(four()[s.choose(four(), step)]);
      std::map<std::string, uint64_t> after;
      for (const auto& e : four()) after[process_of(e)] = *s.priority(process_of(e));
      if (step > 1) {
        // The process that went was the highest before the decision.
        for (const auto& [process, p] : before)
          if (process != took) {
            EXPECT_GT(before[took], p) << "seed " << seed << " step " << step;
          }
      }
      const auto j = std::find(c.begin(), c.end(), step);
      for (const auto& [process, p] : after) {
        if (j != c.end() && process == took) {
          EXPECT_EQ(p, static_cast<uint64_t>(j - c.begin()) + 1) << "seed " << seed << " step " << step;
        } else if (step > 1) {
          EXPECT_EQ(p, before[process]) << "seed " << seed << " step " << step;
        } else {
          EXPECT_GE(p, 4u);
        }
      }
      before = after;
    }
  }
}

TEST(PctStrategy, ProcessesSeenLaterAreRankedRandomly) {
  // A late process must sometimes outrank the ones already running, or
  // PCT would favour whatever started first.
  int late_wins = 0;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    PctStrategy s(seed, 1, 10);
    s.choose({id("api", "1"), id("db")}, 1);
    if (s.choose({id("api", "1"), id("db"), id("worker")}, 2) == 2) ++late_wins;
  }
  EXPECT_GT(late_wins, 0);
  EXPECT_LT(late_wins, 40);
}

TEST(PctStrategy, NoteNamesDepthKAndChangePoints) {
  PctStrategy s(1, 3, 40);
  const auto& c = s.change_points();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(s.note(),
            "pct depth=3 k=40 change-points=" + std::to_string(c[0]) + "," + std::to_string(c[1]));
  EXPECT_EQ(PctStrategy(1, 1, 40).note(), "pct depth=1 k=40 change-points=none");
  EXPECT_EQ(s.name(), "pct");
}

TEST(PctStrategy, DepthZeroIsRefused) { EXPECT_THROW(PctStrategy(1, 0, 10), std::invalid_argument); }

}  // namespace
}  // namespace faultbox::scheduler
