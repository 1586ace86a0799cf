// The wakeup tree of one node of optimal DPOR (Abdulla, Aronis, Jonsson,
// Sagonas, POPL 2014, §6): ordered sequences of decisions still to explore
// from that node, as a tree of shared prefixes. A sequence is inserted only
// if no sequence already in the tree begins, up to reordering independent
// decisions, like it (insert_[E]); the leftmost leaf is explored first.
//
// "Decision" here is an event with its placement: "api write @t1, allowed"
// and "api write @t1, faulted" are two different, conflicting branches of
// one process (DESIGN.md §5).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "scheduler/Schedule.h"

namespace faultbox::explorer {

// Same event and same placement (the label is the process's next event, so
// the process decides; a different label would be another event).
bool same_decision(const scheduler::Decision& a, const scheduler::Decision& b);

// p's event does not commute with q's (same process or dependent footprints).
bool conflicts(const scheduler::Decision& p, const scheduler::Decision& q);

// Weak initials (WI_[E](w), POPL 2014 §6) with placements: p, enabled at
// E, is a weak initial of w when p is w's first event of its process, with
// the same placement, and nothing before it in w conflicts with it; or when
// p's process is not in w, p commutes with all of w, and p is the only thing
// its process can do there — not faulted (its allowed twin is an
// alternative) and not faultable with budget left after w (`budget_after_w`:
// the faults still allowed once E.w has run). The paper's second case rests
// on every maximal extension of w running p; with an alternative, one that
// places the other outcome never does. On success `rest` is w without p
// (when p was in w).
bool weak_initial(const scheduler::Decision& p, const std::vector<scheduler::Decision>& w, int budget_after_w,
                  std::vector<scheduler::Decision>* rest);

// sleep ∩ WI_[E](w) ≠ ∅: Algorithm 2's test before an insertion.
bool sleep_covers(const std::vector<scheduler::Decision>& sleep, const std::vector<scheduler::Decision>& w,
                  int budget_after_w);

class WakeupTree {
 public:
  struct Branch;

  bool empty() const;
  // Sequences waiting (each leaf is at least one run).
  size_t leaves() const;
  // The first child that is a weak initial of w: where insert(w) would go
  // (nullopt: w would start a new child).
  std::optional<size_t> covering_child(const std::vector<scheduler::Decision>& w, int budget_after_w) const;
  // insert_[E](w): descends through the first child that is a weak initial
  // of what is left of w; stops where w is used up, or at a leaf when the
  // rest places no fault (a run past the leaf reaches the rest's events,
  // but never places a fault); else adds the rest as the new rightmost
  // sequence there. Returns whether the tree changed.
  bool insert(const std::vector<scheduler::Decision>& w, int budget_after_w);
  // The leftmost child with its subtree, removed from the tree.
  Branch take_leftmost();
  // The sequence take_leftmost() and its subtree's leftmost children would
  // hand out (empty for an empty tree): what a run from here explores next.
  std::vector<scheduler::Decision> leftmost_sequence() const;

 private:
  std::vector<Branch> children_;  // in the order ≺ (insertion order)
};

struct WakeupTree::Branch {
  scheduler::Decision event;
  WakeupTree subtree;
};

}  // namespace faultbox::explorer
