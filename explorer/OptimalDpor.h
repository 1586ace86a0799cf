// `faultbox explore --strategy dpor`: optimal DPOR with source sets and
// wakeup trees (Abdulla, Aronis, Jonsson, Sagonas, "Optimal dynamic partial
// order reduction", POPL 2014, Algorithm 2), stateless — every run starts
// from the beginning and follows a prefix (ScheduleStrategy).
//
// The explorer keeps the current execution as a stack of nodes, node k
// being the state after k decisions: its sleep set, its wakeup tree (the
// branches still to explore from it) and the decision the current run took
// from it. After each run it analyses the run and inserts sequences into
// the wakeup trees of the nodes on its path, each unless a sleeping event is
// a weak initial of it (WakeupTree.h):
//   - races (HappensBefore): for e ⋖ e', v = notdep(e,E).e' at pre(E,e);
//   - lost messages: a blocking receive or accept enabled at node k and not
//     at k+1 lost its message or connection to decision k — a race the
//     happens-before order cannot show, the loser never having run — so the
//     loser alone is inserted at node k;
//   - placements (DESIGN.md §5, "branches of the same tree"): "the same
//     event, faulted" and "the same event, allowed" are two conflicting
//     events of one process at one point; at every decision the other
//     placement is inserted at its node — the faulted one only if fewer than
//     max_faults faults were placed before it.
// Then it backtracks to the deepest node with a branch left and hands out
// that node's path plus the branch's leftmost sequence as the next prefix,
// with the sleep set propagated along it.
//
// The paper's processes are deterministic; a placement is a choice inside a
// process. What that changes, each checked against brute force by the
// model check (tests/explorer/dpor_oracle_test.cpp): weak initials never
// credit an event with an alternative for commuting with a sequence; a
// wakeup-tree leaf never absorbs a sequence that places a fault; the run's
// continuation faults an awake placement when every allowed event sleeps
// (ScheduleStrategy); and a run that still ends up with everything asleep
// (SleepBlocked — without placements it never happens) is analysed up to
// the node where it blocked, because its races may be the only witness of
// classes elsewhere.
//
// Sharding (--shard i/n): the first run (the leftmost path) belongs to every
// shard; each branch the first run opens at one of its nodes belongs to
// shard fnv1a(path to the node + the branch's first decision) mod n, and the
// other shards never insert it. A branch a shard discovers later — from a
// run of its own — is that shard's, whatever its hash: it may overlap with
// another shard's work (allowed), and without it the union of the shards'
// classes would miss what only that run revealed. The split is sound, not
// balanced: most of optimal DPOR's branches are found by later runs, so a
// shard that owns one early branch tends to rediscover much of the tree.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "explorer/Explorer.h"
#include "explorer/WakeupTree.h"
#include "scheduler/Schedule.h"

namespace faultbox::explorer {

struct DporOptions {
  int max_faults = 0;  // --max-faults
  uint32_t shard = 0;  // --shard i/n: i …
  uint32_t shards = 1;  // … and n
};

class OptimalDpor final : public Explorer {
 public:
  explicit OptimalDpor(DporOptions options = {});
  std::string name() const override { return "dpor"; }
  std::unique_ptr<scheduler::Strategy> next_run() override;
  // NewClass / Redundant: a complete run in which every decision after the
  // prefix had something awake (Redundant: its class id was seen before —
  // optimal DPOR promises it never is). SleepBlocked: at some decision after
  // the prefix every enabled event slept, allowed and, within the budget,
  // faulted — the run's class is another branch's; class_id is filled, never
  // counted. Diverged: record.divergence is set (or the run ended inside its
  // prefix); the branch is dropped, class_id is "".
  RunVerdict finished_run(scheduler::RunRecord record) override;
  ExplorationStats stats() const override;

 private:
  struct Node {
    std::vector<scheduler::Decision> sleep;
    WakeupTree wakeup;                          // branches not yet handed out
    std::optional<scheduler::Decision> taken;   // the current execution's next decision
    int faults = 0;                             // placed on the path to this node
  };

  RunVerdict diverged(const scheduler::RunRecord& record);
  // Races, lost messages and placements of the record's first `end`
  // decisions, inserted into the wakeup trees of the path's nodes.
  void analyse(const scheduler::RunRecord& record, size_t end);
  // Inserts v at node `at` (POPL 2014 Algorithm 2, lines 7–8), unless a
  // sleeping decision is a weak initial of v or v is not this shard's.
  void insert(size_t at, const std::vector<scheduler::Decision>& v);
  bool owned_by_this_shard(size_t at, const scheduler::Decision& first) const;
  uint64_t pending() const;

  DporOptions options_;
  std::vector<Node> path_;
  bool started_ = false;
  bool outstanding_ = false;
  bool first_run_ = false;  // the run out is the leftmost one
  size_t branch_node_ = 0;  // the node whose branch the run out explores
  size_t prefix_size_ = 0;
  std::vector<scheduler::Decision> prefix_sleep_;  // sleep set at the end of the prefix
  std::set<std::string> classes_;
  uint64_t placements_ = 0;
  ExplorationStats counts_;
};

}  // namespace faultbox::explorer
