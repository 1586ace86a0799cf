// The problem the schedule optimizer solves (DESIGN.md §5, "Z3"), stated
// without a solver: which decisions of a run a new schedule contains, which
// must precede which, and what a preemption is. Feasibility is decided here,
// by graph search — an impossible order is a cycle, named decision by
// decision — so the solver only ever sees problems that have a solution.
//
// Two kinds of order between decisions i < j of a run:
//   hard      program order (consecutive decisions of one process) and
//             caused_by (j consumed i's message or connection): no
//             execution can put j first.
//   class     dependent footprints (scheduler::dependent): the run's
//             Mazurkiewicz class orders them; another class could swap them.
// A schedule in the same class keeps both.
//
// Reversals. Reversal{earlier, later} asks that the later decision run
// before the earlier one. Constraints kept:
//   - the class edge earlier→later itself is dropped (it is what is
//     reversed) — only when it is a direct dependence, a race; a hard edge
//     there stays, and the request is a 2-cycle. Only that pair: a decision
//     of earlier's footprint before it still precedes later;
//   - every other edge of the run's happens-before is kept, so a request
//     whose decisions are also ordered through a chain of other edges
//     ("earlier" → x → "later") is a cycle too: the chain would have to be
//     reversed first, and the caller can ask for that link instead;
//   - "later" before "earlier" is added (reason Required).
// Decisions kept (the schedule is a prefix; the run continues freely after
// it, scheduler::ScheduleStrategy's policy): for each reversal, every
// decision the run made before "later" that does not happen after
// "earlier", and "later" itself (DPOR's notdep(earlier)·later), closed under
// the kept edges. "earlier" and what happens after it are left out: their
// past changes with the reversal, so what they do is no longer known from
// this run. The new schedule therefore runs "later" while "earlier" has not
// run, whatever the continuation does. The prefix need not end with
// "later": kept decisions unrelated to it may follow it when that saves a
// preemption. With several reversals, one's "earlier" may be kept (it ran
// before another's "later"); then it carries the Required edge.
//
// Preemption. A process is a chain of decisions. In an order of the kept
// decisions, position t → t+1 switches from process p (decision k) to
// another; that switch is a preemption when p's next decision s was
// enabled there: every hard predecessor of s other than k already placed.
// Class edges and Required edges do not enable anything: a write that must
// wait for another process's write to the same file is parked and ready,
// so making it wait forces its process off — exactly the cost a
// class-preserving schedule has to pay. A process with no next decision is
// never preempted. When s is not kept (a reversal truncated it) it still
// counts: s is enabled once its hard predecessors are placed, and leaving
// p then is a preemption — unless k ends the prefix (the run continues
// freely from there) or a hard predecessor of s is not kept (s cannot be
// enabled within the prefix).
// This is a model of enabledness, not the run's enabled sets: the caller
// verifies every schedule by replay.
//
// Indices: Reversal and CycleStep carry 0-based indices into
// RunRecord::decisions; text says "decision N" with N = index + 1, the
// trace's 1-based step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "scheduler/Schedule.h"

namespace faultbox::explorer {

// Decision `later` is to run before decision `earlier` (0-based, earlier < later).
struct Reversal {
  size_t earlier = 0;
  size_t later = 0;
};

enum class OrderReason {
  ProgramOrder,  // hard: consecutive decisions of one process
  CausedBy,      // hard: a receive/accept after the decision it consumed
  Dependent,     // class: dependent footprints, in the run's order
  Required,      // a reversal asks for it
};
const char* to_string(OrderReason reason);

// One step of a cycle: this decision must precede the next step's (the
// last step's successor is the first).
struct CycleStep {
  size_t decision = 0;  // 0-based index in the run
  std::string process;
  std::string label;
  OrderReason reason = OrderReason::Dependent;
  std::string detail;  // for Dependent: "same service api" or "share file:/x"
};

// The requested order cannot be realized: these constraints form a cycle.
struct InfeasibleOrder {
  std::vector<CycleStep> cycle;
  // "decision 4 (api write … @t1) -[program order]-> decision 5 (…)
  //  -[required]-> decision 4": one line, for a report.
  std::string describe() const;
};

// The kept decisions ("nodes", numbered in the run's order) and their
// constraints. Immutable once built.
class OrderConstraints {
 public:
  // Throws std::invalid_argument (naming the index) for a reversal out of
  // range or not earlier < later, and for a caused_by that does not point
  // to an earlier decision.
  static std::variant<OrderConstraints, InfeasibleOrder> of_run(const scheduler::RunRecord& run,
                                                                const std::vector<Reversal>& reversals = {});

  size_t size() const { return decision_.size(); }
  // The run index (0-based) of `node`; nodes are in the run's order.
  size_t decision(size_t node) const { return decision_[node]; }
  const std::string& process(size_t node) const { return decisions_[node].event.process; }
  // The nodes `node` must follow: its immediate predecessors in the
  // transitive reduction of the kept edges (Required ones included); the
  // rest of its predecessors follow by transitivity.
  const std::vector<size_t>& must_follow(size_t node) const { return must_follow_[node]; }
  // What makes leaving `node`'s process right after `node` a preemption:
  // its process's next decision and the other nodes that decision waits for.
  struct Continuation {
    std::optional<size_t> next;    // the process's next decision, when kept (else: not kept)
    std::vector<size_t> waits_for;  // its hard predecessors other than `node` (all kept)
  };
  // nullopt: leaving is always free (no next decision, or one that cannot
  // be enabled within the kept decisions).
  const std::optional<Continuation>& continuation(size_t node) const { return continuation_[node]; }
  // The next decision of the node's process, when it is kept.
  std::optional<size_t> next_in_process(size_t node) const {
    return continuation_[node] ? continuation_[node]->next : std::nullopt;
  }
  // `a` must come before `b` in every order (transitively).
  bool precedes(size_t a, size_t b) const;
  // Edges after the transitive reduction, for the encoding's size.
  size_t edge_count() const;

  // Why `order` (nodes) is not a linearization of the constraints, or
  // nullopt when it is one (a permutation of all nodes respecting every
  // edge).
  std::optional<std::string> violation(const std::vector<size_t>& order) const;
  // Preemptions of a linearization, as defined above.
  int preemptions(const std::vector<size_t>& order) const;
  // The run's own order of the kept nodes — a linearization only when no
  // reversal was asked (nullopt otherwise).
  std::optional<std::vector<size_t>> run_order() const;

  // The schedule whose prefix is `order`'s decisions (faulted flags as the
  // run had them); max_faults is the prefix's fault count (the caller may
  // allow more after the prefix).
  scheduler::Schedule schedule_of(const std::vector<size_t>& order) const;

 private:
  OrderConstraints() = default;
  std::vector<size_t> decision_;
  std::vector<scheduler::Decision> decisions_;  // the kept ones, by node
  std::vector<std::vector<size_t>> must_follow_;
  std::vector<std::optional<Continuation>> continuation_;
  std::vector<std::vector<uint64_t>> ancestors_;  // bitset per node, over nodes
  bool reversed_ = false;
};

}  // namespace faultbox::explorer
