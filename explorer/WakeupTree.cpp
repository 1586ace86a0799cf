#include "explorer/WakeupTree.h"

#include <algorithm>

namespace faultbox::explorer {

bool same_decision(const scheduler::Decision& a, const scheduler::Decision& b) {
  return a.event.process == b.event.process && a.event.label == b.event.label && a.faulted == b.faulted;
}

bool conflicts(const scheduler::Decision& p, const scheduler::Decision& q) {
  return p.event.process == q.event.process || scheduler::dependent(p.event.footprint, q.event.footprint);
}

bool weak_initial(const scheduler::Decision& p, const std::vector<scheduler::Decision>& w, int budget_after_w,
                  std::vector<scheduler::Decision>* rest) {
  for (size_t k = 0; k < w.size(); ++k) {
    if (w[k].event.process != p.event.process) continue;
    // The process's first event in w: p itself, with p's placement, or p is
    // no initial of w (the other placement, or another event, conflicts).
    if (!same_decision(w[k], p)) return false;
    for (size_t m = 0; m < k; ++m)
      if (conflicts(w[m], w[k])) return false;
    if (rest) {
      *rest = w;
      rest->erase(rest->begin() + static_cast<std::ptrdiff_t>(k));
    }
    return true;
  }
  // p's process is not in w: commuting with all of w is enough only if p is
  // the one thing its process can do (no other placement within the budget).
  if (p.faulted || (p.event.faultable && budget_after_w >= 1)) return false;
  for (const auto& e : w)
    if (conflicts(p, e)) return false;
  if (rest) *rest = w;
  return true;
}

bool WakeupTree::empty() const { return children_.empty(); }

bool sleep_covers(const std::vector<scheduler::Decision>& sleep, const std::vector<scheduler::Decision>& w,
                  int budget_after_w) {
  return std::any_of(sleep.begin(), sleep.end(),
                     [&](const scheduler::Decision& s) { return weak_initial(s, w, budget_after_w, nullptr); });
}

size_t WakeupTree::leaves() const {
  size_t n = 0;
  for (const Branch& b : children_) n += b.subtree.empty() ? 1 : b.subtree.leaves();
  return n;
}

std::optional<size_t> WakeupTree::covering_child(const std::vector<scheduler::Decision>& w,
                                                 int budget_after_w) const {
  for (size_t c = 0; c < children_.size(); ++c)
    if (weak_initial(children_[c].event, w, budget_after_w, nullptr)) return c;
  return std::nullopt;
}

bool WakeupTree::insert(const std::vector<scheduler::Decision>& w, int budget_after_w) {
  if (w.empty()) return false;
  for (Branch& child : children_) {
    std::vector<scheduler::Decision> rest;
    if (!weak_initial(child.event, w, budget_after_w, &rest)) continue;
    // w ends here: the first leaf below extends it.
    if (rest.empty()) return false;
    if (child.subtree.empty()) {
      // A leaf: a run through it goes on by the continuation policy, which
      // reaches w's events in some order — but never places w's faults, so
      // a rest with a fault in it stays in the tree below the leaf.
      if (std::none_of(rest.begin(), rest.end(), [](const scheduler::Decision& d) { return d.faulted; }))
        return false;
      child.subtree.insert(rest, budget_after_w);
      return true;
    }
    // A child taken from w moves its fault, if any, from w to the path; a
    // child not in w is allowed: the budget after w stays what it was.
    return child.subtree.insert(rest, budget_after_w);
  }
  // A new chain w[0] → w[1] → … as the rightmost child.
  WakeupTree chain;
  for (size_t k = w.size(); k-- > 1;) {
    WakeupTree parent;
    parent.children_.push_back(Branch{w[k], std::move(chain)});
    chain = std::move(parent);
  }
  children_.push_back(Branch{w.front(), std::move(chain)});
  return true;
}

WakeupTree::Branch WakeupTree::take_leftmost() {
  Branch b = std::move(children_.front());
  children_.erase(children_.begin());
  return b;
}

std::vector<scheduler::Decision> WakeupTree::leftmost_sequence() const {
  std::vector<scheduler::Decision> out;
  for (const WakeupTree* t = this; !t->children_.empty(); t = &t->children_.front().subtree)
    out.push_back(t->children_.front().event);
  return out;
}

}  // namespace faultbox::explorer
