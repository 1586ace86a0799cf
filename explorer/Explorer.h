// The outer loop of `faultbox explore` (DESIGN.md §5): which run to do next,
// what each finished run taught, and when the space is exhausted. One
// Explorer per test; the caller (cli/ExploreCommand) does the runs:
//
//   while (budget left && (strategy = explorer.next_run())) {
//     run the test under *strategy;            // engine/
//     explorer.finished_run(record of the run);
//   }
//
// Every explorer sees runs only through scheduler::Strategy (what it hands
// out) and scheduler::RunRecord (what comes back), so it is tested alone on
// in-memory programs (tests/explorer/) before it meets real processes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "scheduler/Schedule.h"
#include "scheduler/Strategy.h"

namespace faultbox::explorer {

// What one finished run was, for the progress line and the summary.
struct RunVerdict {
  enum class Kind {
    NewClass,      // a complete run of a class not seen before
    Redundant,     // a complete run of a class already seen (random, pct: expected; dpor: a bug)
    SleepBlocked,  // dpor: the run's class was already covered (counted apart)
    Diverged,      // the run left the prefix it was asked to follow
  };
  Kind kind = Kind::NewClass;
  std::string class_id;  // "" unless the run was complete
};

struct ExplorationStats {
  uint64_t runs = 0;
  uint64_t classes = 0;     // distinct class ids among complete runs
  uint64_t placements = 0;  // of those, classes with at least one fault placed
  uint64_t redundant = 0;
  uint64_t sleep_blocked = 0;
  uint64_t divergences = 0;
  // Alternatives the explorer knows of and has not run yet; with
  // exhausted(), "complete" is a fact, not a guess.
  uint64_t pending = 0;
  bool exhausted = false;
  // The most exploration-tree nodes held in memory so far — the memory
  // price of dpor's order (--dpor-order); none for the strategies that keep
  // no tree (all but dpor).
  std::optional<uint64_t> peak_live_nodes;
};

class Explorer {
 public:
  virtual ~Explorer() = default;
  // "dpor", "pct", "random", "permutations": the trace header's strategy.
  virtual std::string name() const = 0;
  // The strategy for the next run, or null when nothing is left to explore.
  // The explorer keeps what it needs to read the run back in finished_run().
  virtual std::unique_ptr<scheduler::Strategy> next_run() = 0;
  // The run of the strategy next_run() last returned is over; `record` is
  // what it did (RunRecord::caused_by filled by the caller from the
  // recorder's pairing). Exactly one finished_run() per next_run().
  virtual RunVerdict finished_run(scheduler::RunRecord record) = 0;
  virtual ExplorationStats stats() const = 0;
  // What the trace header of the current run records beyond the strategy
  // (pct's change points, the permutation's index); "" if nothing.
  virtual std::string run_note() const { return ""; }
  // The seed of the current run, for strategies that draw (random, pct);
  // the trace header records it. nullopt: the schedule draws nothing.
  virtual std::optional<uint64_t> run_seed() const { return std::nullopt; }
};

}  // namespace faultbox::explorer
