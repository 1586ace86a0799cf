// The Z3 part of the explorer (explorer/ScheduleOptimizer, OrderConstraints,
// GreedySchedule) on hand-made runs with known answers, and on small random
// runs against brute force. Every returned order is checked by a checker
// written here from the run itself (not from OrderConstraints), and its
// preemptions are recounted here too.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "explorer/ClassId.h"
#include "explorer/GreedySchedule.h"
#include "explorer/OrderConstraints.h"
#include "explorer/ScheduleOptimizer.h"
#include "scheduler/Dependence.h"
#include "scheduler/Schedule.h"

namespace faultbox::explorer {
namespace {

using scheduler::Decision;
using scheduler::RunRecord;

// A run written decision by decision: process ("a", or "api@t1" for a
// thread of service api) and the resources it touches.
class RunBuilder {
 public:
  RunBuilder& add(const std::string& process, std::vector<std::string> resources, bool faulted = false) {
    Decision d;
    d.event.process = process;
    d.event.footprint.service = process.substr(0, process.find('@'));
    std::sort(resources.begin(), resources.end());
    d.event.footprint.resources = resources;
    std::string label = process + "#" + std::to_string(++count_[process]);
    for (const auto& r : resources) label += " " + r;
    d.event.label = label;
    d.faulted = faulted;
    run_.decisions.push_back(d);
    return *this;
  }
  // The last decision consumed decision `cause`'s message (0-based).
  RunBuilder& caused_by(size_t cause) {
    run_.caused_by.resize(run_.decisions.size());
    run_.caused_by.back() = cause;
    return *this;
  }
  RunRecord build() const { return run_; }

 private:
  RunRecord run_;
  std::map<std::string, int> count_;
};

// ---- an independent reading of the constraints, from the run alone --------

std::optional<size_t> cause_of(const RunRecord& run, size_t j) {
  return j < run.caused_by.size() ? run.caused_by[j] : std::nullopt;
}

// Hard: program order (any earlier decision of the process), caused_by.
bool hard_before(const RunRecord& run, size_t i, size_t j) {
  return i < j && (run.decisions[i].event.process == run.decisions[j].event.process || cause_of(run, j) == i);
}

bool directly_before(const RunRecord& run, size_t i, size_t j) {
  return i < j && (hard_before(run, i, j) ||
                   scheduler::dependent(run.decisions[i].event.footprint, run.decisions[j].event.footprint));
}

bool reversed(const std::vector<Reversal>& revs, size_t i, size_t j) {
  return std::any_of(revs.begin(), revs.end(), [&](const Reversal& r) { return r.earlier == i && r.later == j; });
}

// "" when `order` (run indices) keeps every constraint: each kept decision's
// direct predecessors in the run are kept and placed before it (a reversed
// race excepted), and each reversal's later decision is kept and runs before
// its earlier one. Without reversals, every decision is kept.
std::string check_order(const RunRecord& run, const std::vector<Reversal>& revs, const std::vector<size_t>& order) {
  const size_t n = run.decisions.size();
  std::map<size_t, size_t> pos;
  for (size_t t = 0; t < order.size(); ++t) {
    if (order[t] >= n) return "index out of range";
    if (!pos.emplace(order[t], t).second) return "decision " + std::to_string(order[t]) + " twice";
  }
  if (revs.empty() && order.size() != n) return "not every decision kept";
  for (const Reversal& r : revs) {
    if (!pos.count(r.later)) return "reversed decision " + std::to_string(r.later) + " missing";
    if (pos.count(r.earlier) && pos[r.earlier] < pos[r.later]) return "reversal not realized";
  }
  for (auto [j, pj] : pos)
    for (size_t i = 0; i < j; ++i) {
      if (!directly_before(run, i, j)) continue;
      if (reversed(revs, i, j) && !hard_before(run, i, j)) continue;
      if (!pos.count(i)) return "decision " + std::to_string(j) + " kept without its predecessor " + std::to_string(i);
      if (pos[i] > pj) return "decision " + std::to_string(i) + " must precede " + std::to_string(j);
    }
  return "";
}

// Preemptions of `order` (run indices), recounted from the definition: a
// switch away from process p right after its decision k while p's next
// decision s in the run was enabled (its caused_by, if not k, already run).
int count_preemptions(const RunRecord& run, const std::vector<size_t>& order) {
  const size_t n = run.decisions.size();
  std::set<size_t> done;
  int count = 0;
  for (size_t t = 0; t + 1 < order.size(); ++t) {
    const size_t k = order[t];
    done.insert(k);
    const auto& p = run.decisions[k].event.process;
    if (run.decisions[order[t + 1]].event.process == p) continue;
    std::optional<size_t> s;
    for (size_t x = k + 1; x < n && !s; ++x)
      if (run.decisions[x].event.process == p) s = x;
    if (!s) continue;
    const auto c = cause_of(run, *s);
    if (!c || *c == k || done.count(*c)) ++count;
  }
  return count;
}

// The fewest preemptions over every order of `keep` (run indices) that
// check_order accepts; nullopt when there is none. Brute force: small runs only.
std::optional<int> brute_force_minimum(const RunRecord& run, const std::vector<Reversal>& revs,
                                       const std::vector<size_t>& keep) {
  std::optional<int> best;
  std::vector<size_t> order;
  std::vector<bool> used(keep.size(), false);
  std::function<void()> dfs = [&] {
    if (order.size() == keep.size()) {
      if (check_order(run, revs, order).empty()) {
        const int c = count_preemptions(run, order);
        if (!best || c < *best) best = c;
      }
      return;
    }
    for (size_t i = 0; i < keep.size(); ++i) {
      if (used[i]) continue;
      // Prune: a kept predecessor of keep[i] not placed yet.
      bool ok = true;
      for (size_t j = 0; j < keep.size() && ok; ++j)
        if (!used[j] && j != i) {
          const size_t a = keep[j], b = keep[i];
          if (directly_before(run, a, b) && !(reversed(revs, a, b) && !hard_before(run, a, b))) ok = false;
          if (reversed(revs, b, a)) ok = false;  // a = later must run before b = earlier
        }
      if (!ok) continue;
      used[i] = true;
      order.push_back(keep[i]);
      dfs();
      order.pop_back();
      used[i] = false;
    }
  };
  dfs();
  return best;
}

std::vector<size_t> all_indices(const RunRecord& run) {
  std::vector<size_t> v(run.decisions.size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = i;
  return v;
}

std::vector<Decision> decisions_in(const RunRecord& run, const std::vector<size_t>& order) {
  std::vector<Decision> out;
  for (size_t i : order) out.push_back(run.decisions[i]);
  return out;
}

// What every result must satisfy, whatever the run.
void expect_sound(const RunRecord& run, const std::vector<Reversal>& revs, const OptimizedSchedule& s) {
  EXPECT_EQ(check_order(run, revs, s.order), "");
  EXPECT_EQ(s.schedule.prefix, decisions_in(run, s.order));
  EXPECT_EQ(count_preemptions(run, s.order), s.preemptions);
  EXPECT_LE(s.preemptions, s.greedy_preemptions);
  if (s.run_preemptions) {
    EXPECT_LE(s.preemptions, *s.run_preemptions);
  }
  if (revs.empty()) {
    ASSERT_TRUE(s.run_preemptions.has_value());
    EXPECT_EQ(*s.run_preemptions, count_preemptions(run, all_indices(run)));
    // Same Mazurkiewicz class, by the explorer's own class id.
    EXPECT_EQ(class_id(s.schedule.prefix), class_id(run.decisions));
  }
}

void report(const char* name, const OptimizedSchedule& s) {
  std::printf("[ optimizer ] %s: run %s, greedy %d, solver %d (%s; %zu decisions, %zu orders, %zu soft)\n", name,
              s.run_preemptions ? std::to_string(*s.run_preemptions).c_str() : "-", s.greedy_preemptions,
              s.preemptions, s.proven_minimal ? "minimal" : s.solver_note.c_str(), s.decisions, s.orders, s.soft);
}

const ScheduleOptimizer optimizer;

// ---- minimizing a run within its class --------------------------------------

TEST(ScheduleOptimizer, InterleavedIndependentProcessesNeedNoPreemption) {
  RunBuilder b;
  for (int i = 0; i < 3; ++i) b.add("a", {"file:/a"}).add("b", {"file:/b"});
  const RunRecord run = b.build();  // a1 b1 a2 b2 a3 b3
  const OptimizedSchedule s = optimizer.minimize(run);
  report("interleaved", s);
  expect_sound(run, {}, s);
  EXPECT_EQ(*s.run_preemptions, 4);  // every switch but the last (a3 → b3: a is done)
  EXPECT_EQ(s.preemptions, 0);
  EXPECT_TRUE(s.proven_minimal);
  EXPECT_EQ(s.schedule.prefix.size(), 6U);
}

TEST(ScheduleOptimizer, DependentPairForcesOneSwitch) {
  // a1, b1, a2 all write one file: b1 is pinned between a1 and a2, so a is
  // forced off after a1 while a2 is ready. b2 is independent: run it with
  // b1 instead of after a2 (the run's second preemption).
  const RunRecord run =
      RunBuilder().add("a", {"file:/x"}).add("b", {"file:/x"}).add("a", {"file:/x"}).add("b", {"file:/y"}).build();
  const OptimizedSchedule s = optimizer.minimize(run);
  report("dependent pair", s);
  expect_sound(run, {}, s);
  EXPECT_EQ(*s.run_preemptions, 2);
  EXPECT_EQ(s.preemptions, 1);
  EXPECT_TRUE(s.proven_minimal);
  EXPECT_EQ(s.order, (std::vector<size_t>{0, 1, 3, 2}));
}

TEST(ScheduleOptimizer, SolverBeatsGreedyWhereTheFirstChoiceMatters) {
  // b1 is independent of c1, c1 must precede b2. The greedy order starts
  // with the first ready decision, b1, and then has to leave b for c1
  // while b2 waits; running c1 first costs nothing.
  const RunRecord run = RunBuilder().add("b", {"file:/g"}).add("c", {"file:/f"}).add("b", {"file:/f"}).build();
  const OptimizedSchedule s = optimizer.minimize(run);
  report("first choice", s);
  expect_sound(run, {}, s);
  EXPECT_EQ(*s.run_preemptions, 1);
  EXPECT_EQ(s.greedy_preemptions, 1);
  EXPECT_EQ(s.preemptions, 0);
  EXPECT_TRUE(s.proven_minimal);
  EXPECT_EQ(s.order, (std::vector<size_t>{1, 0, 2}));
}

TEST(ScheduleOptimizer, CausedByEnablesTheReceiverOnlyAfterTheSend) {
  // b waits for a's message: b1 (the receive) is not enabled before a1,
  // so switching from b (after b0) to a is free; the switch back is not
  // needed either when a has nothing left.
  RunBuilder b;
  b.add("b", {"file:/b"});                               // 0: b0
  b.add("a", {"link:a~b"});                              // 1: a1, the send
  b.add("b", {"link:a~b"}).caused_by(1);                 // 2: b1, the receive
  b.add("a", {"file:/a"});                               // 3: a2
  const RunRecord run = b.build();
  const OptimizedSchedule s = optimizer.minimize(run);
  report("caused by", s);
  expect_sound(run, {}, s);
  // b0 → a1 is free (b1 waits for a1); a1 → b1 leaves a with a2 ready.
  EXPECT_EQ(*s.run_preemptions, 1);
  EXPECT_EQ(s.preemptions, 0);  // b0 a1 a2 b1
  EXPECT_EQ(s.order, (std::vector<size_t>{0, 1, 3, 2}));
}

TEST(ScheduleOptimizer, FaultedFlagsTravelWithTheirDecisions) {
  const RunRecord run = RunBuilder()
                            .add("a", {"file:/a"})
                            .add("b", {"file:/b"}, /*faulted=*/true)
                            .add("a", {"file:/a"})
                            .add("b", {"file:/b"})
                            .build();
  const OptimizedSchedule s = optimizer.minimize(run);
  expect_sound(run, {}, s);
  EXPECT_EQ(s.schedule.max_faults, 1);
  for (size_t t = 0; t < s.order.size(); ++t) EXPECT_EQ(s.schedule.prefix[t].faulted, s.order[t] == 1);
}

// ---- targeted reversals ---------------------------------------------------------

TEST(ScheduleOptimizer, FeasibleReversalIsAPrefixEndingAfterTheLaterDecision) {
  // a1 (own file), a2 and b1 race on /x. "Let b1 run before a2": a2 and what
  // follows it leave the prefix; b1 then a1 lets a go on with a2 right
  // after the prefix, where running a1 first would preempt a while a2 is
  // ready.
  const RunRecord run = RunBuilder().add("a", {"file:/a"}).add("a", {"file:/x"}).add("b", {"file:/x"}).build();
  const std::vector<Reversal> revs{{1, 2}};
  const OptimizeOutcome out = optimizer.reverse(run, revs);
  ASSERT_TRUE(std::holds_alternative<OptimizedSchedule>(out)) << std::get<InfeasibleOrder>(out).describe();
  const auto& s = std::get<OptimizedSchedule>(out);
  report("reversal", s);
  expect_sound(run, revs, s);
  EXPECT_FALSE(s.run_preemptions.has_value());
  EXPECT_EQ(s.greedy_preemptions, 1);
  EXPECT_EQ(s.preemptions, 0);
  EXPECT_EQ(s.order, (std::vector<size_t>{2, 0}));
}

TEST(ScheduleOptimizer, ReversalKeepsWhatDoesNotHappenAfterTheEarlierDecision) {
  // a1 b1 a2 c1 b2: reverse (a1, b2) — both write /x. Kept: b1, c1 (before
  // b2, not after a1) and b2; a1 and a2 (after a1 in program order) leave.
  const RunRecord run = RunBuilder()
                            .add("a", {"file:/x"})   // 0
                            .add("b", {"file:/b"})   // 1
                            .add("a", {"file:/a"})   // 2
                            .add("c", {"file:/c"})   // 3
                            .add("b", {"file:/x"})   // 4
                            .build();
  const std::vector<Reversal> revs{{0, 4}};
  const OptimizeOutcome out = optimizer.reverse(run, revs);
  ASSERT_TRUE(std::holds_alternative<OptimizedSchedule>(out)) << std::get<InfeasibleOrder>(out).describe();
  const auto& s = std::get<OptimizedSchedule>(out);
  expect_sound(run, revs, s);
  EXPECT_EQ(std::set<size_t>(s.order.begin(), s.order.end()), (std::set<size_t>{1, 3, 4}));
  EXPECT_EQ(s.preemptions, 0);
}

TEST(ScheduleOptimizer, SeveralReversalsAtOnce) {
  // Two independent races, (a1, b1) on /x and (c1, d1) on /y: both
  // reversed. a1 ran before d1 and does not depend on c1, so the second
  // reversal keeps it — after b1, by the first one's Required edge.
  const RunRecord run = RunBuilder()
                            .add("a", {"file:/x"})
                            .add("c", {"file:/y"})
                            .add("b", {"file:/x"})
                            .add("d", {"file:/y"})
                            .build();
  const std::vector<Reversal> revs{{0, 2}, {1, 3}};
  const OptimizeOutcome out = optimizer.reverse(run, revs);
  ASSERT_TRUE(std::holds_alternative<OptimizedSchedule>(out)) << std::get<InfeasibleOrder>(out).describe();
  const auto& s = std::get<OptimizedSchedule>(out);
  expect_sound(run, revs, s);
  EXPECT_EQ(std::set<size_t>(s.order.begin(), s.order.end()), (std::set<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(s.preemptions, 0);
}

TEST(ScheduleOptimizer, ReversalAgainstProgramOrderIsATwoCycle) {
  const RunRecord run = RunBuilder().add("a", {"file:/a"}).add("a", {"file:/a"}).add("b", {"file:/b"}).build();
  const OptimizeOutcome out = optimizer.reverse(run, {{0, 1}});
  ASSERT_TRUE(std::holds_alternative<InfeasibleOrder>(out));
  const auto& cycle = std::get<InfeasibleOrder>(out).cycle;
  ASSERT_EQ(cycle.size(), 2U);
  EXPECT_EQ(cycle[0].decision, 0U);
  EXPECT_EQ(cycle[0].reason, OrderReason::ProgramOrder);
  EXPECT_EQ(cycle[0].label, "a#1 file:/a");
  EXPECT_EQ(cycle[1].decision, 1U);
  EXPECT_EQ(cycle[1].reason, OrderReason::Required);
  EXPECT_EQ(std::get<InfeasibleOrder>(out).describe(),
            "decision 1 (a#1 file:/a) -[program order]-> decision 2 (a#2 file:/a) -[required]-> decision 1 (a#1 "
            "file:/a)");
}

TEST(ScheduleOptimizer, ReversalOfASendAndItsReceiveIsACycle) {
  const RunRecord run = RunBuilder().add("a", {"link:a~b"}).add("b", {"link:a~b"}).caused_by(0).build();
  const OptimizeOutcome out = optimizer.reverse(run, {{0, 1}});
  ASSERT_TRUE(std::holds_alternative<InfeasibleOrder>(out));
  const auto& cycle = std::get<InfeasibleOrder>(out).cycle;
  ASSERT_EQ(cycle.size(), 2U);
  EXPECT_EQ(cycle[0].reason, OrderReason::CausedBy);
  EXPECT_EQ(cycle[1].reason, OrderReason::Required);
}

TEST(ScheduleOptimizer, LongerCycleThroughDependence) {
  // a1 and c1 are independent, but a1 → b1 (share /x) → b2 (program order)
  // → c1 (share /y): c1 cannot go first without reversing a link.
  const RunRecord run = RunBuilder()
                            .add("a", {"file:/x"})
                            .add("b", {"file:/x"})
                            .add("b", {"file:/y"})
                            .add("c", {"file:/y"})
                            .build();
  const OptimizeOutcome out = optimizer.reverse(run, {{0, 3}});
  ASSERT_TRUE(std::holds_alternative<InfeasibleOrder>(out));
  const InfeasibleOrder& inf = std::get<InfeasibleOrder>(out);
  ASSERT_EQ(inf.cycle.size(), 4U);
  std::vector<size_t> ds;
  std::vector<OrderReason> rs;
  for (const auto& step : inf.cycle) {
    ds.push_back(step.decision);
    rs.push_back(step.reason);
  }
  EXPECT_EQ(ds, (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(rs, (std::vector<OrderReason>{OrderReason::Dependent, OrderReason::ProgramOrder, OrderReason::Dependent,
                                          OrderReason::Required}));
  EXPECT_EQ(inf.cycle[0].detail, "share file:/x");
  EXPECT_EQ(inf.cycle[2].detail, "share file:/y");
  EXPECT_NE(inf.describe().find("decision 4 (c#1 file:/y) -[required]-> decision 1"), std::string::npos)
      << inf.describe();
}

TEST(ScheduleOptimizer, SameServiceThreadsAreARaceNotProgramOrder) {
  // Two threads of api: dependent (one service), so their order is a race
  // that can be reversed; the detail names the service.
  const RunRecord run = RunBuilder().add("api@t1", {"file:/a"}).add("api@t2", {"file:/b"}).build();
  const OptimizeOutcome out = optimizer.reverse(run, {{0, 1}});
  ASSERT_TRUE(std::holds_alternative<OptimizedSchedule>(out));
  EXPECT_EQ(std::get<OptimizedSchedule>(out).order, (std::vector<size_t>{1}));
  // With a third thread in between, the race is no longer direct.
  const RunRecord longer =
      RunBuilder().add("api@t1", {"file:/a"}).add("api@t3", {"file:/c"}).add("api@t2", {"file:/b"}).build();
  const OptimizeOutcome blocked = optimizer.reverse(longer, {{0, 2}});
  ASSERT_TRUE(std::holds_alternative<InfeasibleOrder>(blocked));
  EXPECT_EQ(std::get<InfeasibleOrder>(blocked).cycle.front().detail, "same service api");
}

TEST(ScheduleOptimizer, MalformedRequestsAreRejected) {
  const RunRecord run = RunBuilder().add("a", {"file:/a"}).add("b", {"file:/b"}).build();
  EXPECT_THROW(optimizer.reverse(run, {{1, 0}}), std::invalid_argument);
  EXPECT_THROW(optimizer.reverse(run, {{0, 2}}), std::invalid_argument);
  EXPECT_THROW(optimizer.reverse(run, {{1, 1}}), std::invalid_argument);
  RunRecord bad = run;
  bad.caused_by = {std::nullopt, size_t{1}};  // decision 2 caused by itself
  EXPECT_THROW(optimizer.minimize(bad), std::invalid_argument);
}

TEST(ScheduleOptimizer, EmptyAndSingleDecisionRuns) {
  const OptimizedSchedule empty = optimizer.minimize(RunRecord{});
  EXPECT_TRUE(empty.order.empty());
  EXPECT_EQ(empty.preemptions, 0);
  const RunRecord one = RunBuilder().add("a", {}).build();
  EXPECT_EQ(optimizer.minimize(one).order, (std::vector<size_t>{0}));
}

// ---- the problem statement alone ----------------------------------------------

TEST(OrderConstraints, TransitiveReductionDropsImpliedEdges) {
  // a1 b1 a2 all on /x: a1→b1→a2 (dependent) implies a1→a2 (program order).
  const RunRecord run = RunBuilder().add("a", {"file:/x"}).add("b", {"file:/x"}).add("a", {"file:/x"}).build();
  const auto built = OrderConstraints::of_run(run);
  const auto& c = std::get<OrderConstraints>(built);
  EXPECT_EQ(c.edge_count(), 2U);
  EXPECT_EQ(c.must_follow(2), (std::vector<size_t>{1}));
  EXPECT_TRUE(c.precedes(0, 2));
  EXPECT_FALSE(c.precedes(2, 0));
  // Program order still enables a2 (it is a hard edge): after a1, a2 is ready.
  ASSERT_TRUE(c.continuation(0).has_value());
  EXPECT_EQ(c.continuation(0)->next, std::optional<size_t>{2});
  EXPECT_EQ(c.preemptions({0, 1, 2}), 1);
  EXPECT_EQ(c.violation({0, 2, 1}).value_or(""),
            "decision 3 (a#2 file:/x) runs before decision 2 (b#1 file:/x), which must precede it");
  EXPECT_EQ(c.violation({0, 1}).value_or(""), "the order has 2 decisions, the constraints 3");
  EXPECT_FALSE(c.violation({0, 1, 2}).has_value());
}

// ---- random small runs against brute force ---------------------------------

RunRecord random_run(std::mt19937_64& rng, size_t n) {
  static const std::vector<std::string> processes{"a", "b", "c"};
  static const std::vector<std::string> files{"file:/x", "file:/y", "file:/z", "file:/w"};
  RunBuilder b;
  std::vector<size_t> senders;
  for (size_t i = 0; i < n; ++i) {
    const std::string& p = processes[rng() % processes.size()];
    std::vector<std::string> res;
    res.push_back(files[rng() % files.size()]);
    if (rng() % 3 == 0) res.push_back(files[rng() % files.size()]);
    std::sort(res.begin(), res.end());
    res.erase(std::unique(res.begin(), res.end()), res.end());
    b.add(p, res);
    if (i > 0 && rng() % 5 == 0) b.caused_by(rng() % i);
  }
  return b.build();
}

TEST(ScheduleOptimizer, MatchesBruteForceOnRandomSmallRuns) {
  std::mt19937_64 rng(20240611);
  int greedy_worse = 0, run_worse = 0, total = 0;
  for (int round = 0; round < 60; ++round) {
    const RunRecord run = random_run(rng, 5 + rng() % 4);
    const OptimizedSchedule s = optimizer.minimize(run);
    expect_sound(run, {}, s);
    const auto brute = brute_force_minimum(run, {}, all_indices(run));
    ASSERT_TRUE(brute.has_value());
    EXPECT_EQ(s.preemptions, *brute) << "round " << round;
    EXPECT_TRUE(s.proven_minimal);
    ++total;
    greedy_worse += s.greedy_preemptions > s.preemptions;
    run_worse += *s.run_preemptions > s.preemptions;
  }
  std::printf("[ optimizer ] %d random runs: solver better than greedy in %d, than the run in %d\n", total,
              greedy_worse, run_worse);
  EXPECT_GT(greedy_worse, 0);  // the solver's value shows on these runs
  EXPECT_GT(run_worse, 0);
}

// A cycle is real when each step's edge holds in the run and the last one
// is a requested reversal.
void expect_real_cycle(const RunRecord& run, const std::vector<Reversal>& revs, const InfeasibleOrder& inf) {
  ASSERT_GE(inf.cycle.size(), 2U);
  for (size_t s = 0; s < inf.cycle.size(); ++s) {
    const size_t i = inf.cycle[s].decision, j = inf.cycle[(s + 1) % inf.cycle.size()].decision;
    switch (inf.cycle[s].reason) {
      case OrderReason::ProgramOrder:
        EXPECT_TRUE(i < j && run.decisions[i].event.process == run.decisions[j].event.process);
        break;
      case OrderReason::CausedBy:
        EXPECT_EQ(cause_of(run, j), i);
        break;
      case OrderReason::Dependent:
        EXPECT_TRUE(i < j && scheduler::dependent(run.decisions[i].event.footprint, run.decisions[j].event.footprint));
        EXPECT_FALSE(reversed(revs, i, j)) << "a reversed race cannot be part of the cycle";
        break;
      case OrderReason::Required:
        EXPECT_TRUE(reversed(revs, j, i));
        break;
    }
  }
}

TEST(ScheduleOptimizer, RandomReversalsAreRealizedOrProvedImpossible) {
  std::mt19937_64 rng(7);
  int feasible = 0, infeasible = 0;
  for (int round = 0; round < 120; ++round) {
    const RunRecord run = random_run(rng, 5 + rng() % 4);
    const size_t n = run.decisions.size();
    std::vector<Reversal> revs;
    for (int k = 0; k < 1 + round % 2; ++k) {  // odd rounds ask for two reversals at once
      const size_t later = 1 + rng() % (n - 1);
      revs.push_back({rng() % later, later});
    }
    const OptimizeOutcome out = optimizer.reverse(run, revs);
    if (const auto* inf = std::get_if<InfeasibleOrder>(&out)) {
      ++infeasible;
      expect_real_cycle(run, revs, *inf);
      continue;
    }
    ++feasible;
    const auto& s = std::get<OptimizedSchedule>(out);
    expect_sound(run, revs, s);
    // Over the same kept decisions, nothing beats the solver.
    const auto brute = brute_force_minimum(run, revs, s.order);
    ASSERT_TRUE(brute.has_value());
    EXPECT_EQ(s.preemptions, *brute) << "round " << round;
  }
  std::printf("[ optimizer ] random reversals: %d feasible, %d infeasible\n", feasible, infeasible);
  EXPECT_GT(feasible, 0);
  EXPECT_GT(infeasible, 0);
}

// ---- size: a run of a few hundred decisions -------------------------------------

RunRecord busy_run(size_t n) {
  // Six processes of a few services over shared files in a random
  // interleaving: far more switches than a real run has.
  std::mt19937_64 rng(99);
  static const std::vector<std::string> processes{"api@t1", "api@t2", "db", "cache", "test/1", "test/2"};
  RunBuilder b;
  for (size_t i = 0; i < n; ++i) {
    const std::string& p = processes[rng() % processes.size()];
    b.add(p, {"file:/f" + std::to_string(rng() % 12)});
    if (i > 0 && rng() % 10 == 0) b.caused_by(rng() % i);
  }
  return b.build();
}

TEST(ScheduleOptimizer, FewHundredDecisionsAreSolvedWithinTheDefaultBudget) {
  // The budget is Z3's resource limit, not time: the outcome is the same
  // on every machine.
  const RunRecord run = busy_run(300);
  const OptimizedSchedule s = optimizer.minimize(run);
  report("300 decisions", s);
  expect_sound(run, {}, s);
  EXPECT_TRUE(s.proven_minimal) << s.solver_note;
  EXPECT_LT(s.preemptions, s.greedy_preemptions);
  // The encoding stays linear in the run.
  EXPECT_EQ(s.decisions, 300U);
  EXPECT_LE(s.orders, 300U * 3);
  EXPECT_LE(s.soft, 300U);
}

TEST(ScheduleOptimizer, OutOfBudgetFallsBackToTheBestCheapOrder) {
  const RunRecord run = busy_run(300);
  const ScheduleOptimizer starved(OptimizerOptions{/*rlimit=*/1000, /*timeout_ms=*/60'000});
  const OptimizedSchedule s = starved.minimize(run);
  report("300 decisions, starved", s);
  expect_sound(run, {}, s);
  EXPECT_FALSE(s.proven_minimal);
  EXPECT_NE(s.solver_note.find("Z3 stopped"), std::string::npos) << s.solver_note;
  EXPECT_EQ(s.preemptions, std::min(s.greedy_preemptions, *s.run_preemptions));
}

}  // namespace
}  // namespace faultbox::explorer
