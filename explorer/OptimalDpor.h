// `faultbox explore --strategy dpor`: optimal DPOR with source sets and
// wakeup trees (Abdulla, Aronis, Jonsson, Sagonas, "Optimal dynamic partial
// order reduction", POPL 2014, Algorithm 2), stateless — every run starts
// from the beginning and follows a prefix (ScheduleStrategy).
//
// The explorer keeps the exploration tree in memory: a node is the state
// after a prefix of decisions, with its sleep set, its wakeup tree (the
// branches not started from it) and its started children, in start order.
// Each run follows the path to some node plus that node's leftmost wakeup
// sequence (with the sleep set propagated along it), then the
// continuation. After each run the explorer analyses it and inserts
// sequences at the nodes on its path (WakeupTree.h):
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
//
// Which node's branch runs next is the order (DporOptions::order). None is
// pruned: every order runs the same classes, each once, and says
// "complete" at the same point — only sooner or later.
//   - PreemptionsFirst (`faultbox explore`): the branch whose prefix has the
//     fewest preemptions — decision k preempts when its process differs from
//     decision k-1's while that one still had an event enabled at node k
//     (the enabled sets the runs recorded; inside a wakeup sequence, past the
//     recorded nodes, every process switch counts: an upper bound). Ties:
//     the deeper node (closest to depth-first), then the node created first.
//     Bounded POR's order (Coons, Musuvathi, McKinley, OOPSLA 2013) without
//     its bound: with conservative dependence the subtrees near the leaves
//     are huge, and a bug behind one early preemption comes before them.
//   - DepthFirst: the deepest node with a branch left — Algorithm 2 as the
//     paper runs it (only the current path is live).
//   - Random: a seeded draw among the nodes with a branch left — for the
//     model check, which shows the classes do not depend on the order.
// Within a node only the leftmost branch is a candidate: a wakeup tree
// never makes an earlier sibling a weak initial of a later leaf, which is
// what keeps the later one awake once the earlier one sleeps.
//
// Any order does exactly the insertions depth-first would, because depth-
// first's state is recoverable from start order (which is also ≺): when
// the run through child p of node A inserts v at A, depth-first would have
// finished every sibling started before p and not yet started those after.
//   (1) So v is skipped when A's sleep set or a sibling started before p —
//       freed or not — is a weak initial of v (that sibling's subtree runs
//       the class); else, if a sibling started after p is the first weak
//       initial, v is delivered into that live subtree — down through the
//       first started child that is a weak initial of what is left, into the
//       wakeup tree of the deepest such node, or covered when used up — as
//       depth-first's insert would descend into that wakeup branch; else it
//       joins A's wakeup tree. A's child p itself is never a weak initial of
//       its run's insertions at A (a race reversal there lacks p's process and
//       ends with an event that conflicts with p, a lost message's loser
//       conflicts with p, a placement is p's own other outcome); it is left
//       out of the test regardless (a pooled worker standing in for p's
//       thread makes the recorded decision differ from the node's).
//   (2) A subtree's completeness rests on its own runs and on what the
//       siblings started before it (and before its ancestors) deliver: so a
//       node with no branch and no started child is freed — its decision
//       sleeping at its parent — only once every sibling started before it
//       is freed (settle(): children in start order). A delivery thus never
//       meets a freed node, and a new child sleeps on its parent's sleep set
//       plus every sibling started before it: depth-first's sleep set.
//   (3) One difference: a sequence delivered to a started node that was a
//       wakeup leaf goes into the wakeup tree there, where depth-first would
//       have let the leaf absorb it — at worst an extra run, never a lost
//       class (the model check sees no redundant run, a few more sleep-
//       blocked ones). The price of an order is memory: finished subtrees
//       wait for their elder siblings (live_nodes()).
//   (4) A diverged run's branch is dropped, never put to sleep.
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
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "explorer/Explorer.h"
#include "explorer/WakeupTree.h"
#include "scheduler/Schedule.h"

namespace faultbox::explorer {

// The order of the pending branches (the header above).
enum class DporOrder { PreemptionsFirst, DepthFirst, Random };

struct DporOptions {
  int max_faults = 0;  // --max-faults
  uint32_t shard = 0;  // --shard i/n: i …
  uint32_t shards = 1;  // … and n
  DporOrder order = DporOrder::PreemptionsFirst;
  uint64_t order_seed = 1;  // Random only
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
  // Exploration-tree nodes in memory now, and at most so far (finished
  // subtrees are freed once their elder siblings are; an order other than
  // depth-first keeps more of the tree live).
  uint64_t live_nodes() const { return live_nodes_; }
  uint64_t peak_live_nodes() const { return peak_live_nodes_; }

 private:
  struct Node {
    Node* parent = nullptr;
    scheduler::Decision via;  // the decision from the parent (root: none)
    size_t depth = 0;
    uint64_t serial = 0;      // creation order, the last tie-break
    std::vector<scheduler::Decision> sleep;
    WakeupTree wakeup;                            // branches not started
    std::vector<std::unique_ptr<Node>> children;  // started, not freed; in start order
    int faults = 0;       // placed on the path to this node
    int preemptions = 0;  // on the path to this node
    // The processes with an event enabled here, once a run has been here.
    std::optional<std::vector<std::string>> enabled;
    std::optional<int> priority;  // branch_preemptions(), cached
  };

  RunVerdict diverged(const scheduler::RunRecord& record);
  // Races, lost messages and placements of the record's first `end`
  // decisions, inserted into the wakeup trees of the run's nodes.
  void analyse(const scheduler::RunRecord& record, size_t end);
  // Inserts v at node `at` of the run (POPL 2014 Algorithm 2, lines 7–8)
  // as depth-first would (the header's (1)): skipped when a sleeping
  // decision or a child started before the run's own is a weak initial of
  // v, or v is not this shard's; delivered into a child started after it.
  void insert(size_t at, const std::vector<scheduler::Decision>& v);
  bool owned_by_this_shard(const Node& at, const scheduler::Decision& first) const;
  // A new started child of `parent`; it sleeps on what its parent sleeps on
  // and on the siblings started before it.
  Node& start_child(Node& parent, const scheduler::Decision& d);
  // Decision `next` at `at` preempts the process of the decision into `at`.
  static bool preempts(const Node& at, const scheduler::Decision& next);
  // The enabled sets of the run's nodes begin..end-1, and the preemption
  // counts they make exact.
  void learn_enabled(const scheduler::RunRecord& record, size_t begin, size_t end);
  // Frees the finished nodes of `node`'s subtree, and `node` itself when it
  // is finished, each one's decision sleeping at its parent; children in
  // start order, stopping at the first that is not finished. Whether
  // `node` was freed.
  bool settle(Node& node);
  // Sequence w arrives at started node `node` from an insertion above it:
  // down through the first started child that is a weak initial of it,
  // else into the wakeup tree there.
  void deliver(Node& node, const std::vector<scheduler::Decision>& w, int budget_after_w);
  // Removes a started child and its subtree without putting it to sleep.
  void drop(Node* child);
  // The node whose leftmost branch runs next (the order), or null.
  Node* choose_branch_node();
  int branch_preemptions(const Node& node) const;
  // After `node`'s wakeup tree changed: its cached priority and whether it
  // waits.
  void wakeup_changed(Node& node);
  uint64_t pending() const;

  DporOptions options_;
  std::unique_ptr<Node> root_;
  std::vector<Node*> run_;  // the run out: its nodes, root first (then the nodes past its prefix)
  bool outstanding_ = false;
  bool first_run_ = false;  // the run out is the leftmost one
  size_t branch_depth_ = 0;  // the node whose branch the run out explores
  size_t prefix_size_ = 0;
  std::vector<scheduler::Decision> prefix_sleep_;  // sleep set at the end of the prefix
  uint64_t serials_ = 0;
  std::map<uint64_t, Node*> waiting_;  // the nodes with a branch left, by serial (ties: created first)
  uint64_t live_nodes_ = 0;
  uint64_t peak_live_nodes_ = 0;
  uint64_t draws_ = 0;  // Random order's state
  std::set<std::string> classes_;
  uint64_t placements_ = 0;
  ExplorationStats counts_;
};

}  // namespace faultbox::explorer
