// OptimalDpor on fixed programs of the in-memory model whose class counts
// are known, and the exact meaning of its verdicts and stats: one run per
// class, fault placements as branches (k writes under times=1 make k+1 runs
// with --max-faults 1), divergences dropped and counted, sleep-blocked runs
// counted apart, exhaustion, sharding.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

#include "explorer/OptimalDpor.h"
#include "tests/explorer/ModelExploration.h"
#include "tests/explorer/ProgramModel.h"

namespace faultbox::explorer::model {
namespace {

Service service(const std::string& name, std::vector<std::vector<Instr>> threads) {
  Service s;
  s.name = name;
  for (auto& code : threads) s.threads.push_back(ThreadProgram{std::move(code)});
  return s;
}

ModelExploration dpor(const Program& p, int max_faults = 0, uint32_t shard = 0, uint32_t shards = 1) {
  OptimalDpor explorer(DporOptions{max_faults, shard, shards});
  return explore(explorer, ProgramModel(p), 10000);
}

void expect_one_run_per_class(const Program& p, int max_faults, uint64_t classes) {
  const ModelExploration got = dpor(p, max_faults);
  EXPECT_EQ(got.stats.classes, classes) << p.describe();
  EXPECT_EQ(got.stats.runs, classes) << p.describe();
  EXPECT_EQ(got.classes, ProgramModel(p).all_class_ids(max_faults)) << p.describe();
  EXPECT_TRUE(got.stats.exhausted);
  EXPECT_EQ(got.stats.pending, 0u);
  EXPECT_EQ(got.stats.redundant + got.stats.sleep_blocked + got.stats.divergences, 0u);
}

TEST(OptimalDpor, TwoServicesOnDisjointResourcesAreOneClass) {
  // Six operations each: the naive interleaving count is C(12, 6) = 924.
  Program p;
  p.services = {service("api", {{write("/api/a", 1), read("/api/a"), write("/api/b", 2), read("/api/b"),
                                 write("/api/c", 3), read("/api/c")}}),
                service("db", {{write("/db/a", 1), read("/db/a"), write("/db/b", 2), read("/db/b"),
                                write("/db/c", 3), read("/db/c")}})};
  EXPECT_EQ(ProgramModel(p).count_runs(0), 924u);
  expect_one_run_per_class(p, 0, 1);
}

TEST(OptimalDpor, TwoWritersOfOneFileAreTwoClasses) {
  Program p;
  p.services = {service("a", {{write("/f/log", 1)}}), service("b", {{write("/f/log", 2)}})};
  expect_one_run_per_class(p, 0, 2);
}

TEST(OptimalDpor, TheLostUpdateIsSixClasses) {
  // Two read-then-write increments of one file: C(4, 2) orders of four
  // mutually dependent events, two of them ending with the value 1.
  Program p;
  p.services = {service("a", {{read("/f/count"), increment("/f/count")}}),
                service("b", {{read("/f/count"), increment("/f/count")}})};
  expect_one_run_per_class(p, 0, 6);
  // Two threads of one service: the same six (threads of one service are
  // always dependent).
  Program threads;
  threads.services = {service("shop", {{read("/f/count"), increment("/f/count")},
                                       {read("/f/count"), increment("/f/count")}})};
  expect_one_run_per_class(threads, 0, 6);
}

TEST(OptimalDpor, TwoClientsOfOneServiceAreMoreThanOneClass) {
  // Two driver-like clients connect to one server that accepts twice:
  // which connection it accepts first is the race.
  Program p;
  p.services = {service("c1", {{connect("srv"), send("srv", 1)}}), service("c2", {{connect("srv"), send("srv", 2)}}),
                service("srv", {{accept(), accept()}})};
  const ModelExploration got = dpor(p);
  EXPECT_GT(got.stats.classes, 1u);
  EXPECT_EQ(got.classes, ProgramModel(p).all_class_ids(0));
  EXPECT_EQ(got.stats.runs, got.stats.classes);
}

TEST(OptimalDpor, DataDependentBranchesAreFollowed) {
  // b writes 1 only if it read 0 before a's write: the orders give
  // different later events, and every one is a class.
  Program p;
  p.services = {service("a", {{write("/f/x", 1)}}),
                service("b", {{read("/f/x"), jump_if_eq(1, 3), write("/f/y", 1), read("/f/y")}})};
  expect_one_run_per_class(p, 0, static_cast<uint64_t>(ProgramModel(p).all_class_ids(0).size()));
  EXPECT_EQ(ProgramModel(p).all_class_ids(0).size(), 2u);
}

Program deterministic_writes(int k) {
  std::vector<Instr> code;
  for (int i = 0; i < k; ++i) code.push_back(write("/data/orders.log", i, true));
  Program p;
  p.services = {service("api", {code})};
  return p;
}

TEST(OptimalDpor, KWritesUnderAPlacementRuleMakeKPlusOneRunsWithOneFault) {
  for (int k = 1; k <= 5; ++k) {
    expect_one_run_per_class(deterministic_writes(k), 1, static_cast<uint64_t>(k + 1));
    const ModelExploration got = dpor(deterministic_writes(k), 1);
    EXPECT_EQ(got.stats.placements, static_cast<uint64_t>(k));
  }
}

TEST(OptimalDpor, KWritesWithTwoFaultsMakeOnePlusKPlusKChooseTwoRuns) {
  for (int k = 1; k <= 5; ++k)
    expect_one_run_per_class(deterministic_writes(k), 2, static_cast<uint64_t>(1 + k + k * (k - 1) / 2));
}

TEST(OptimalDpor, NoPlacementWithoutABudget) {
  expect_one_run_per_class(deterministic_writes(4), 0, 1);
}

TEST(OptimalDpor, AFaultedOperationTakesItsOtherPath) {
  // A faulted send is never received: the receiver blocks, another class.
  Program p;
  p.services = {service("a", {{send("b", 1, true), write("/f/x", 1)}}), service("b", {{recv("a"), write("/f/x", 2)}})};
  const std::set<std::string> all = ProgramModel(p).all_class_ids(1);
  expect_one_run_per_class(p, 1, all.size());
}

TEST(OptimalDpor, ADivergedRunIsDroppedCountedAndNeverAClass) {
  // The second run is sent down "b writes /f/log" but the program it meets
  // writes elsewhere: the prefix cannot be followed.
  Program p;
  p.services = {service("a", {{write("/f/log", 1)}}), service("b", {{write("/f/log", 2)}})};
  Program other;
  other.services = {service("a", {{write("/f/log", 1)}}), service("b", {{write("/f/other", 2)}})};
  OptimalDpor explorer;
  const RunVerdict first = explorer.finished_run(ProgramModel(p).run(explorer.next_run()));
  EXPECT_EQ(first.kind, RunVerdict::Kind::NewClass);
  EXPECT_EQ(explorer.stats().pending, 1u);
  EXPECT_FALSE(explorer.stats().exhausted);
  scheduler::RunRecord diverged = ProgramModel(other).run(explorer.next_run());
  ASSERT_TRUE(diverged.divergence.has_value());
  const RunVerdict second = explorer.finished_run(std::move(diverged));
  EXPECT_EQ(second.kind, RunVerdict::Kind::Diverged);
  EXPECT_EQ(second.class_id, "");
  EXPECT_EQ(explorer.next_run(), nullptr);
  const ExplorationStats s = explorer.stats();
  EXPECT_EQ(s.runs, 2u);
  EXPECT_EQ(s.classes, 1u);
  EXPECT_EQ(s.divergences, 1u);
  EXPECT_TRUE(s.exhausted);
}

TEST(OptimalDpor, NextRunAndFinishedRunAlternate) {
  OptimalDpor explorer;
  EXPECT_THROW(explorer.finished_run({}), std::logic_error);
  auto strategy = explorer.next_run();
  ASSERT_NE(strategy, nullptr);
  EXPECT_EQ(strategy->name(), "dpor");
  EXPECT_THROW(explorer.next_run(), std::logic_error);
  EXPECT_FALSE(explorer.stats().exhausted);  // a run is out
}

TEST(OptimalDpor, RejectsAShardOutOfRange) {
  EXPECT_THROW(OptimalDpor(DporOptions{0, 2, 2}), std::invalid_argument);
  EXPECT_THROW(OptimalDpor(DporOptions{0, 0, 0}), std::invalid_argument);
  EXPECT_THROW(OptimalDpor(DporOptions{-1, 0, 1}), std::invalid_argument);
}

TEST(OptimalDpor, PendingCountsTheKnownAlternatives) {
  // Three writers of one file: after the first run, the reversals wait.
  Program p;
  p.services = {service("a", {{write("/f/log", 1)}}), service("b", {{write("/f/log", 2)}}),
                service("c", {{write("/f/log", 3)}})};
  OptimalDpor explorer;
  explorer.finished_run(ProgramModel(p).run(explorer.next_run()));
  EXPECT_GT(explorer.stats().pending, 0u);
  const ModelExploration rest = explore(explorer, ProgramModel(p), 100);
  EXPECT_EQ(rest.stats.classes, 6u);
  EXPECT_EQ(rest.stats.runs, 6u);
  EXPECT_EQ(rest.stats.pending, 0u);
  EXPECT_TRUE(rest.stats.exhausted);
}

TEST(OptimalDpor, ShardsTogetherCoverExactlyTheUnshardedClasses) {
  Program p;
  p.services = {service("a", {{read("/f/count"), increment("/f/count"), write("/f/log", 1, true)}}),
                service("b", {{read("/f/count"), increment("/f/count")}}),
                service("c", {{write("/f/log", 2, true)}})};
  const ModelExploration whole = dpor(p, 1);
  ASSERT_EQ(whole.classes, ProgramModel(p).all_class_ids(1));
  for (uint32_t n : {2u, 3u, 5u}) {
    std::set<std::string> merged;
    for (uint32_t i = 0; i < n; ++i) {
      const ModelExploration shard = dpor(p, 1, i, n);
      EXPECT_TRUE(shard.stats.exhausted);
      // The leftmost run belongs to every shard.
      ASSERT_FALSE(shard.verdicts.empty());
      EXPECT_EQ(shard.verdicts.front().class_id, whole.verdicts.front().class_id);
      merged.insert(shard.classes.begin(), shard.classes.end());
    }
    EXPECT_EQ(merged, whole.classes) << n << " shards";
  }
}

TEST(OptimalDpor, AShardOwnsOnlyTheFirstRunsBranchesThatHashToIt) {
  // Three writers of one file: the first run opens branches at its nodes;
  // with enough shards some shard owns none of them and does the leftmost
  // run alone.
  Program p;
  p.services = {service("a", {{write("/f/log", 1)}}), service("b", {{write("/f/log", 2)}}),
                service("c", {{write("/f/log", 3)}})};
  bool some_shard_only_leftmost = false;
  std::set<std::string> merged;
  for (uint32_t i = 0; i < 7; ++i) {
    const ModelExploration shard = dpor(p, 0, i, 7);
    merged.insert(shard.classes.begin(), shard.classes.end());
    if (shard.stats.runs == 1) some_shard_only_leftmost = true;
  }
  EXPECT_TRUE(some_shard_only_leftmost);
  EXPECT_EQ(merged.size(), 6u);
}

}  // namespace
}  // namespace faultbox::explorer::model
