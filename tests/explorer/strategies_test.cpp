// The sampling and baseline explorers (random, pct, permutations) on a tiny
// simulated run loop: processes with fixed lists of operations, every
// process's next operation always enabled, enabled identities sorted by
// text, the explorer's strategy wrapped in a RecordingStrategy as the
// engine does. What is checked: runs are reproducible, classes are counted
// from the records, permutations enumerates exactly n! orders, and sharded
// runs partition the unsharded ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "explorer/PctExplorer.h"
#include "explorer/PermutationsExplorer.h"
#include "explorer/RandomExplorer.h"
#include "scheduler/PermutationStrategy.h"
#include "scheduler/Schedule.h"

namespace faultbox::explorer {
namespace {

using scheduler::RunRecord;

struct Op {
  std::string action;
  std::string resource;
};
struct SimProcess {
  std::string host;
  std::string thread;  // "" for a driver fiber
  std::vector<Op> ops;
};
using Program = std::vector<SimProcess>;

// One run of `program` under `strategy`, as the engine's decision loop
// would do it.
RunRecord simulate(const Program& program, std::unique_ptr<scheduler::Strategy> strategy) {
  scheduler::RecordingStrategy recording(std::move(strategy));
  std::vector<size_t> done(program.size(), 0);
  std::map<std::string, uint64_t> occurrences;  // per process, action and resource
  std::optional<scheduler::Divergence> divergence;
  uint64_t step = 0;
  auto key = [](const SimProcess& p, const Op& op) { return p.host + "@" + p.thread + " " + op.action + " " + op.resource; };
  try {
    for (;;) {
      std::vector<std::pair<traces::EventIdentity, size_t>> parked;
      for (size_t p = 0; p < program.size(); ++p) {
        if (done[p] == program[p].ops.size()) continue;
        const Op& op = program[p].ops[done[p]];
        traces::EventIdentity id;
        id.host = program[p].host;
        id.action = op.action;
        id.resource = op.resource;
        id.occurrence = occurrences[key(program[p], op)] + 1;
        id.thread = program[p].thread;
        parked.emplace_back(id, p);
      }
      if (parked.empty()) break;
      std::sort(parked.begin(), parked.end(),
                [](const auto& a, const auto& b) { return a.first.text() < b.first.text(); });
      std::vector<traces::EventIdentity> enabled;
      for (const auto& [id, p] : parked) enabled.push_back(id);
      recording.offer_placements(std::vector<bool>(enabled.size(), false));
      const size_t pick = recording.choose(enabled, ++step);
      const size_t p = parked.at(pick).second;
      ++occurrences[key(program[p], program[p].ops[done[p]])];
      ++done[p];
    }
    recording.finished(step);
  } catch (const scheduler::Divergence& d) {
    divergence = d;
  }
  RunRecord record = recording.take_record();
  record.divergence = divergence;
  return record;
}

struct Run {
  std::string note;
  RunVerdict verdict;
  std::vector<std::string> processes;  // who took each decision
};

std::vector<Run> explore(Explorer& explorer, const Program& program, size_t budget) {
  std::vector<Run> runs;
  while (runs.size() < budget) {
    auto strategy = explorer.next_run();
    if (!strategy) break;
    Run run;
    run.note = explorer.run_note();
    RunRecord record = simulate(program, std::move(strategy));
    for (const auto& d : record.decisions) run.processes.push_back(d.event.process);
    run.verdict = explorer.finished_run(std::move(record));
    runs.push_back(std::move(run));
  }
  return runs;
}

std::set<std::string> class_ids(const std::vector<Run>& runs) {
  std::set<std::string> out;
  for (const auto& r : runs)
    if (!r.verdict.class_id.empty()) out.insert(r.verdict.class_id);
  return out;
}

// Three driver fibers writing one file: every order is its own class.
Program shared_file(size_t writers = 3, size_t writes = 1) {
  Program p;
  for (size_t i = 1; i <= writers; ++i)
    p.push_back({"test/" + std::to_string(i), "", std::vector<Op>(writes, Op{"write", "$RUN/shared.log"})});
  return p;
}

// Two services, each writing its own file: one class however interleaved.
Program independent() {
  return {{"api", "1", {{"write", "$RUN/api.log"}, {"write", "$RUN/api.log"}, {"fsync", "$RUN/api.log"}}},
          {"db", "1", {{"write", "$RUN/db.log"}, {"write", "$RUN/db.log"}, {"fsync", "$RUN/db.log"}}}};
}

// Two threads of one service and a driver, six decisions in every run.
Program mixed() {
  return {{"api", "1", {{"read", "$RUN/orders.log"}, {"write", "$RUN/orders.log"}}},
          {"api", "2", {{"read", "$RUN/orders.log"}, {"write", "$RUN/orders.log"}}},
          {"test/1", "", {{"write", "$RUN/orders.log"}, {"read", "$RUN/orders.log"}}}};
}

// --- random -------------------------------------------------------------

TEST(RandomExplorer, TheSameSeedGivesTheSameRunsUnderConsecutiveSeeds) {
  RandomExplorer a(42), b(42);
  const auto ra = explore(a, mixed(), 10), rb = explore(b, mixed(), 10);
  ASSERT_EQ(ra.size(), 10u);
  for (size_t i = 0; i < ra.size(); ++i) {
    EXPECT_EQ(ra[i].processes, rb[i].processes);
    EXPECT_EQ(ra[i].verdict.class_id, rb[i].verdict.class_id);
    EXPECT_EQ(ra[i].note, "random seed=" + std::to_string(42 + i));
  }
  EXPECT_EQ(a.name(), "random");
}

TEST(RandomExplorer, CountsClassesAndRedundantRunsAndIsNeverExhausted) {
  RandomExplorer e(7);
  const auto runs = explore(e, shared_file(3, 2), 40);
  ASSERT_EQ(runs.size(), 40u);
  const ExplorationStats s = e.stats();
  EXPECT_EQ(s.runs, 40u);
  EXPECT_EQ(s.classes, class_ids(runs).size());
  EXPECT_GT(s.classes, 1u);
  EXPECT_EQ(s.classes + s.redundant, 40u);
  EXPECT_EQ(s.divergences, 0u);
  EXPECT_EQ(s.pending, 0u);
  EXPECT_FALSE(s.exhausted);
  size_t new_classes = 0;
  for (const auto& r : runs) new_classes += r.verdict.kind == RunVerdict::Kind::NewClass;
  EXPECT_EQ(new_classes, s.classes);
  EXPECT_NE(e.next_run(), nullptr);
}

TEST(RandomExplorer, IndependentWorkIsOneClassHoweverInterleaved) {
  RandomExplorer e(1);
  const auto runs = explore(e, independent(), 15);
  std::set<std::vector<std::string>> orders;
  for (const auto& r : runs) orders.insert(r.processes);
  EXPECT_GT(orders.size(), 1u);  // the interleavings differ…
  EXPECT_EQ(e.stats().classes, 1u);  // …the class does not
  EXPECT_EQ(e.stats().redundant, 14u);
}

TEST(RandomExplorer, ShardsPartitionTheUnshardedRuns) {
  RandomExplorer whole(100);
  const auto all = explore(whole, mixed(), 12);
  std::map<std::string, std::vector<std::string>> unsharded;
  for (const auto& r : all) unsharded[r.note] = r.processes;

  std::map<std::string, std::vector<std::string>> merged;
  for (uint64_t i = 0; i < 3; ++i) {
    RandomExplorer shard(100, i, 3);
    for (const auto& r : explore(shard, mixed(), 4)) {
      EXPECT_EQ(shard.current_run() % 3, i);
      EXPECT_TRUE(merged.emplace(r.note, r.processes).second) << "run done twice: " << r.note;
    }
  }
  EXPECT_EQ(merged, unsharded);
}

// --- pct ----------------------------------------------------------------

TEST(PctExplorer, NotesNameSeedDepthKAndChangePoints) {
  PctExplorer e(9, 3, 50);
  const auto runs = explore(e, mixed(), 4);
  ASSERT_EQ(runs.size(), 4u);
  const std::regex note(R"(pct depth=3 k=(\d+) change-points=(\d+),(\d+) seed=(\d+))");
  for (size_t i = 0; i < runs.size(); ++i) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(runs[i].note, m, note)) << runs[i].note;
    // k: the guess, then the longest run seen (every run of mixed() has 6 decisions).
    EXPECT_EQ(m[1], i == 0 ? "50" : "6");
    EXPECT_EQ(m[4], std::to_string(9 + i));
    const uint64_t k = std::stoull(m[1]);
    for (int g : {2, 3}) {
      EXPECT_GE(std::stoull(m[g]), 1u);
      EXPECT_LE(std::stoull(m[g]), k);
    }
  }
  EXPECT_EQ(e.k(), 6u);
  EXPECT_EQ(e.name(), "pct");
}

TEST(PctExplorer, TheSameSeedGivesTheSameRuns) {
  PctExplorer a(3, 2, 10), b(3, 2, 10);
  const auto ra = explore(a, mixed(), 8), rb = explore(b, mixed(), 8);
  for (size_t i = 0; i < ra.size(); ++i) {
    EXPECT_EQ(ra[i].note, rb[i].note);
    EXPECT_EQ(ra[i].processes, rb[i].processes);
  }
}

TEST(PctExplorer, DepthOneRunsEachProcessToCompletionInPriorityOrder) {
  // With no change point nothing preempts: a process keeps the CPU until
  // its list is done, and only the order of the processes varies by seed.
  PctExplorer e(20, 1, 10);
  std::set<std::vector<std::string>> orders;
  for (const auto& r : explore(e, mixed(), 12)) {
    std::vector<std::string> blocks = r.processes;
    blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
    EXPECT_EQ(blocks.size(), 3u) << "a process was preempted: " << r.note;
    orders.insert(r.processes);
  }
  EXPECT_GT(orders.size(), 1u);
}

TEST(PctExplorer, FindsMoreClassesWithDepth) {
  PctExplorer shallow(1, 1, 6), deep(1, 3, 6);
  explore(shallow, shared_file(3, 2), 30);
  explore(deep, shared_file(3, 2), 30);
  EXPECT_LE(shallow.stats().classes, 6u);  // depth 1: one order of three blocks
  EXPECT_GT(deep.stats().classes, shallow.stats().classes);
  EXPECT_FALSE(deep.stats().exhausted);
  EXPECT_EQ(deep.stats().pending, 0u);
}

TEST(PctExplorer, ADivergedRunIsNoClassAndDoesNotSetK) {
  PctExplorer e(1, 2, 30);
  ASSERT_NE(e.next_run(), nullptr);
  RunRecord diverged;
  diverged.divergence = scheduler::Divergence(1, "x", {}, "test");
  EXPECT_EQ(e.finished_run(diverged).kind, RunVerdict::Kind::Diverged);
  EXPECT_EQ(e.stats().divergences, 1u);
  EXPECT_EQ(e.stats().classes, 0u);
  EXPECT_EQ(e.k(), 30u);
}

TEST(PctExplorer, ShardsPartitionTheUnshardedRunsApartFromRunZero) {
  PctExplorer whole(5, 3, 40);
  const auto all = explore(whole, mixed(), 9);
  std::map<std::string, std::vector<std::string>> unsharded;
  for (const auto& r : all) unsharded[r.note] = r.processes;
  ASSERT_EQ(unsharded.size(), 9u);

  std::map<std::string, std::vector<std::string>> merged;
  std::map<std::string, int> times;
  for (uint64_t i = 0; i < 3; ++i) {
    PctExplorer shard(5, 3, 40, i, 3);
    // Shards 1 and 2 first do run 0 (k comes from earlier runs), then theirs.
    for (const auto& r : explore(shard, mixed(), i == 0 ? 3 : 4)) {
      merged[r.note] = r.processes;
      ++times[r.note];
    }
  }
  EXPECT_EQ(merged, unsharded);
  for (const auto& [note, n] : times) EXPECT_EQ(n, note.ends_with(" seed=5") ? 3 : 1) << note;
}

// --- permutations ---------------------------------------------------------

TEST(PermutationsExplorer, ABatchOfThreeGivesExactlySixRunsThenIsExhausted) {
  PermutationsExplorer e;
  EXPECT_FALSE(e.stats().exhausted);
  const auto runs = explore(e, shared_file(3), 100);
  ASSERT_EQ(runs.size(), 6u);
  EXPECT_EQ(e.next_run(), nullptr);
  const ExplorationStats s = e.stats();
  EXPECT_EQ(s.runs, 6u);
  EXPECT_EQ(s.classes, 6u);  // one file: every order differs
  EXPECT_EQ(s.redundant, 0u);
  EXPECT_EQ(s.pending, 0u);
  EXPECT_TRUE(s.exhausted);
  std::set<std::vector<std::string>> orders;
  for (const auto& r : runs) orders.insert(r.processes);
  EXPECT_EQ(orders.size(), 6u);
  EXPECT_EQ(runs[0].note, "permutations index=0 of ? order=canonical");
  EXPECT_EQ(runs[3].note, "permutations index=3 of 6 order=1,2,0 processes=test/2,test/3,test/1");
  EXPECT_EQ(runs[3].processes, (std::vector<std::string>{"test/2", "test/3", "test/1"}));
  EXPECT_EQ(e.batch_size(), 3u);
  EXPECT_EQ(e.order_count(), 6u);
}

TEST(PermutationsExplorer, OrdersOfIndependentEventsAreRedundant) {
  // Three processes on three files: six orders, one class.
  Program p = {{"a", "", {{"write", "$RUN/a"}}}, {"b", "", {{"write", "$RUN/b"}}}, {"c", "", {{"write", "$RUN/c"}}}};
  PermutationsExplorer e;
  const auto runs = explore(e, p, 100);
  EXPECT_EQ(runs.size(), 6u);
  EXPECT_EQ(e.stats().classes, 1u);
  EXPECT_EQ(e.stats().redundant, 5u);
  EXPECT_TRUE(e.stats().exhausted);
}

TEST(PermutationsExplorer, OnlyTheFirstBatchIsPermutedTheRestRunsInCanonicalOrder) {
  PermutationsExplorer e;
  const auto runs = explore(e, shared_file(3, 2), 100);
  ASSERT_EQ(runs.size(), 6u);
  for (size_t m = 0; m < runs.size(); ++m) {
    const auto order = scheduler::nth_permutation(m, 3);
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(runs[m].processes[i], "test/" + std::to_string(order[i] + 1));
    EXPECT_EQ(std::vector<std::string>(runs[m].processes.begin() + 3, runs[m].processes.end()),
              (std::vector<std::string>{"test/1", "test/2", "test/3"}));
  }
}

TEST(PermutationsExplorer, PendingCountsTheOrdersLeft) {
  PermutationsExplorer e;
  explore(e, shared_file(4), 5);
  EXPECT_EQ(e.stats().pending, 24u - 5u);
  EXPECT_FALSE(e.stats().exhausted);
  explore(e, shared_file(4), 100);
  EXPECT_EQ(e.stats().runs, 24u);
  EXPECT_TRUE(e.stats().exhausted);
}

TEST(PermutationsExplorer, ShardsPartitionTheIndicesApartFromIndexZero) {
  PermutationsExplorer whole;
  const auto all = explore(whole, shared_file(4), 100);
  ASSERT_EQ(all.size(), 24u);

  std::map<uint64_t, int> times;
  std::set<std::string> merged;
  for (uint64_t i = 0; i < 2; ++i) {
    PermutationsExplorer shard(i, 2);
    for (uint64_t run = 0;; ++run) {
      auto strategy = shard.next_run();
      if (!strategy) break;
      const uint64_t index = shard.current_index();
      EXPECT_TRUE(index == 0 || index % 2 == i) << "shard " << i << " index " << index;
      ++times[index];
      const RunVerdict v = shard.finished_run(simulate(shared_file(4), std::move(strategy)));
      merged.insert(v.class_id);
    }
    EXPECT_TRUE(shard.stats().exhausted);
  }
  EXPECT_EQ(merged, class_ids(all));
  EXPECT_EQ(times.size(), 24u);
  for (const auto& [index, n] : times) EXPECT_EQ(n, index == 0 ? 2 : 1) << "index " << index;
}

TEST(PermutationsExplorer, AFirstBatchThatChangesIsADivergence) {
  PermutationsExplorer e;
  explore(e, shared_file(3), 1);
  auto strategy = e.next_run();
  ASSERT_NE(strategy, nullptr);
  const RunVerdict v = e.finished_run(simulate(shared_file(4), std::move(strategy)));
  EXPECT_EQ(v.kind, RunVerdict::Kind::Diverged);
  EXPECT_TRUE(v.class_id.empty());
  EXPECT_EQ(e.stats().divergences, 1u);
  EXPECT_EQ(e.stats().classes, 1u);
}

TEST(PermutationsExplorer, ABatchAboveTheCapIsPermutedInItsFirstTwenty) {
  PermutationsExplorer e;
  Program wide;
  for (int i = 0; i < 22; ++i) wide.push_back({"s" + std::string(i < 10 ? "0" : "") + std::to_string(i), "", {{"write", "$RUN/x"}}});
  const auto runs = explore(e, wide, 2);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(e.batch_size(), 20u);
  EXPECT_EQ(e.order_count(), scheduler::permutation_count(20));
  EXPECT_EQ(e.stats().pending, scheduler::permutation_count(20) - 2);
  EXPECT_NE(runs[1].note.find("(first 20 of 22 events permuted"), std::string::npos) << runs[1].note;
  // Index 1 swaps the last two of the twenty.
  EXPECT_EQ(runs[1].processes[18], "s19");
  EXPECT_EQ(runs[1].processes[19], "s18");
  EXPECT_EQ(runs[1].processes[20], "s20");
}

TEST(PermutationsExplorer, ARunWithNoDecisionIsTheOnlyOrder) {
  PermutationsExplorer e;
  const auto runs = explore(e, Program{}, 10);
  EXPECT_EQ(runs.size(), 1u);
  EXPECT_EQ(e.order_count(), 1u);
  EXPECT_TRUE(e.stats().exhausted);
}

// --- the contract -------------------------------------------------------

TEST(Explorers, FinishedRunWithoutARunIsRefused) {
  RandomExplorer r(1);
  PctExplorer p(1, 2, 10);
  PermutationsExplorer m;
  EXPECT_THROW(r.finished_run({}), std::logic_error);
  EXPECT_THROW(p.finished_run({}), std::logic_error);
  EXPECT_THROW(m.finished_run({}), std::logic_error);
  auto s = r.next_run();
  EXPECT_THROW(r.next_run(), std::logic_error);
}

TEST(Explorers, AShardOutOfRangeIsRefused) {
  EXPECT_THROW(RandomExplorer(1, 2, 2), std::invalid_argument);
  EXPECT_THROW(PctExplorer(1, 3, 10, 0, 0), std::invalid_argument);
  EXPECT_THROW(PermutationsExplorer(3, 1), std::invalid_argument);
  EXPECT_THROW(PctExplorer(1, 0, 10), std::invalid_argument);
}

}  // namespace
}  // namespace faultbox::explorer
