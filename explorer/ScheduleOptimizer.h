// Z3 in the explorer (DESIGN.md §5): the schedule with the fewest
// preemptions that
//   - stays in a run's Mazurkiewicz class — minimize(): a failing run is
//     reported in its simplest form before its trace is written; or
//   - realizes a target order — reverse(): "let decision 7 run before
//     decision 4", every other constraint kept as OrderConstraints.h says,
//     as a prefix after which the run continues freely.
// An impossible order never reaches the solver: OrderConstraints finds the
// cycle by graph search and reverse() returns it.
//
// Every schedule returned here is a hypothesis about the program: the
// constraints model enabledness from program order and caused_by alone, and
// a reversal changes what the reversed decisions' successors do. The caller
// verifies each one by running it (replay of Schedule::prefix through
// scheduler::ScheduleStrategy) before reporting it; a run that leaves the
// prefix is a scheduler::Divergence, reported, never repaired.
//
// The solver's answer is never worse than the cheap ones: the result is the
// best of the solver's order, greedy_order() and (minimize only) the run's
// own order, each checked to be a linearization of the constraints, and
// all three counts are returned so the solver's value is visible.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "explorer/OrderConstraints.h"
#include "scheduler/Schedule.h"

namespace faultbox::explorer {

// Z3's budget per problem. Out of budget, the better of the greedy order
// and the run's own is returned with proven_minimal = false (maxres climbs
// from below and has nothing better to offer half-way). The resource limit
// is the budget that matters: it counts Z3's own steps, so the same run
// gives the same schedule on every machine. Measured on random
// interleavings of 6 processes (harder than real runs, which are mostly
// one process at a time): 300 decisions need ~100 M (about 1 s here),
// 1000 decisions ~1 G (about 13 s). The timeout only guards a slow machine.
struct OptimizerOptions {
  unsigned rlimit = 2'000'000'000;  // 0: none
  unsigned timeout_ms = 60'000;
};

struct OptimizedSchedule {
  scheduler::Schedule schedule;  // prefix: the decisions in the new order, faulted flags kept
  std::vector<size_t> order;     // the same, as 0-based indices into the run's decisions
  int preemptions = 0;           // of `order` (OrderConstraints' definition)
  int greedy_preemptions = 0;    // of greedy_order()
  std::optional<int> run_preemptions;  // of the run's own order (minimize() only)
  bool proven_minimal = false;   // the solver finished: no order has fewer
  std::string solver_note;       // why not proven minimal ("timeout", a Z3 error), else ""
  // The encoding's size, for the record.
  size_t decisions = 0;  // kept decisions: one integer variable each
  size_t orders = 0;     // difference constraints (reduced edges)
  size_t soft = 0;       // preemption clauses after simplification (0: the solver was not needed)
};

using OptimizeOutcome = std::variant<OptimizedSchedule, InfeasibleOrder>;

class ScheduleOptimizer {
 public:
  explicit ScheduleOptimizer(OptimizerOptions options = {}) : options_(options) {}

  // The fewest-preemption linearization of the run's class. Throws
  // std::invalid_argument for a malformed caused_by.
  OptimizedSchedule minimize(const scheduler::RunRecord& run) const;

  // The fewest-preemption prefix with every reversal realized, or the cycle
  // that makes them impossible. Throws std::invalid_argument for an index
  // out of range or a pair not in the run's order (earlier < later).
  OptimizeOutcome reverse(const scheduler::RunRecord& run, const std::vector<Reversal>& reversals) const;

  // Both of the above end here.
  OptimizedSchedule optimize(const OrderConstraints& constraints) const;

 private:
  OptimizerOptions options_;
};

}  // namespace faultbox::explorer
