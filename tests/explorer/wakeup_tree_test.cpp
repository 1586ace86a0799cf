// Weak initials, the sleep-set test and wakeup-tree insertion (POPL 2014
// §6) on hand-made sequences, with fault placements as alternatives.
#include <gtest/gtest.h>

#include <vector>

#include "explorer/WakeupTree.h"

namespace faultbox::explorer {
namespace {

using scheduler::Decision;

Decision ev(const std::string& host, const std::string& file, bool faultable = false, bool faulted = false) {
  traces::EventIdentity id;
  id.host = host;
  id.action = "write";
  id.resource = file;
  id.occurrence = 1;
  id.thread = "1";
  return Decision{scheduler::event_ref(id, faultable), faulted};
}

TEST(WeakInitials, TheFirstEventOfItsProcessWithNothingConflictingBefore) {
  const Decision a = ev("a", "/x"), b = ev("b", "/y"), c = ev("c", "/x");
  std::vector<Decision> rest;
  EXPECT_TRUE(weak_initial(b, {a, b}, 0, &rest));  // a commutes with b
  EXPECT_EQ(rest, (std::vector<Decision>{a}));
  EXPECT_FALSE(weak_initial(c, {a, c}, 0, nullptr));  // a and c write /x
  EXPECT_TRUE(weak_initial(a, {a, c}, 0, nullptr));
}

TEST(WeakInitials, AnEventNotInTheSequenceThatCommutesWithAllOfIt) {
  const Decision a = ev("a", "/x"), b = ev("b", "/y"), c = ev("c", "/x");
  std::vector<Decision> rest;
  EXPECT_TRUE(weak_initial(b, {a, c}, 0, &rest));
  EXPECT_EQ(rest, (std::vector<Decision>{a, c}));
  EXPECT_FALSE(weak_initial(c, {a}, 0, nullptr));
}

TEST(WeakInitials, APlacementIsNotTheOtherPlacement) {
  const Decision allowed = ev("a", "/x", true, false), faulted = ev("a", "/x", true, true);
  EXPECT_FALSE(weak_initial(allowed, {faulted}, 0, nullptr));
  EXPECT_FALSE(weak_initial(faulted, {allowed}, 0, nullptr));
  EXPECT_TRUE(weak_initial(faulted, {faulted}, 0, nullptr));
}

TEST(WeakInitials, AnEventWithAnAlternativeIsNoInitialOfASequenceWithoutIt) {
  // b could still be faulted after w (budget left): a run extending w may
  // place b's fault, and then never runs b allowed.
  const Decision w = ev("a", "/x");
  EXPECT_FALSE(weak_initial(ev("b", "/y", true, false), {w}, 1, nullptr));
  EXPECT_TRUE(weak_initial(ev("b", "/y", true, false), {w}, 0, nullptr));
  // A faulted b always has its allowed twin.
  EXPECT_FALSE(weak_initial(ev("b", "/y", true, true), {w}, 1, nullptr));
  EXPECT_TRUE(weak_initial(ev("b", "/y", false, false), {w}, 1, nullptr));
}

TEST(SleepCovers, ASleepingWeakInitialCoversTheSequence) {
  const Decision a = ev("a", "/x"), b = ev("b", "/y"), c = ev("c", "/x");
  EXPECT_TRUE(sleep_covers({b}, {a, c}, 0));
  EXPECT_FALSE(sleep_covers({c}, {a}, 0));
  EXPECT_FALSE(sleep_covers({}, {a}, 0));
}

TEST(WakeupTree, ASequenceCoveredByALeafIsNotInsertedAgain) {
  const Decision a = ev("a", "/x"), b = ev("b", "/y"), c = ev("c", "/x");
  WakeupTree t;
  EXPECT_TRUE(t.insert({b}, 0));
  EXPECT_EQ(t.leaves(), 1u);
  // b commutes with a and c: "b" first, then any continuation, covers it.
  EXPECT_FALSE(t.insert({a, c}, 0));
  EXPECT_FALSE(t.insert({b, a}, 0));
  EXPECT_EQ(t.leaves(), 1u);
  // c conflicts with a: c, a is not a reordering of b-then-anything… but
  // b commutes with both, so it is a weak initial of (c, a) too.
  EXPECT_FALSE(t.insert({c, a}, 0));
}

TEST(WakeupTree, ANewSequenceBecomesTheRightmostBranch) {
  const Decision a = ev("a", "/x"), c = ev("c", "/x"), d = ev("d", "/x");
  WakeupTree t;
  EXPECT_TRUE(t.insert({a, c}, 0));
  EXPECT_TRUE(t.insert({c, a}, 0));  // c conflicts with a: not covered
  EXPECT_TRUE(t.insert({a, d}, 0));  // shares a, then d: below a, beside c
  EXPECT_EQ(t.leaves(), 3u);
  WakeupTree::Branch first = t.take_leftmost();
  EXPECT_EQ(first.event, a);
  EXPECT_EQ(first.subtree.leaves(), 2u);
  EXPECT_EQ(first.subtree.take_leftmost().event, c);
  EXPECT_EQ(t.take_leftmost().event, c);
  EXPECT_TRUE(t.empty());
}

TEST(WakeupTree, TheLeftmostSequenceIsWhatTheNextRunFollows) {
  const Decision a = ev("a", "/x"), c = ev("c", "/x"), d = ev("d", "/x");
  WakeupTree t;
  EXPECT_TRUE(t.leftmost_sequence().empty());
  t.insert({a, c}, 0);
  t.insert({c, a}, 0);
  t.insert({a, d}, 0);
  EXPECT_EQ(t.leftmost_sequence(), (std::vector<Decision>{a, c}));
  t.take_leftmost();
  EXPECT_EQ(t.leftmost_sequence(), (std::vector<Decision>{c, a}));
}

TEST(WakeupTree, ALeafDoesNotSwallowAFaultItsContinuationWouldNotPlace) {
  const Decision a = ev("a", "/x"), b = ev("b", "/y"), b_faulted = ev("b", "/y", true, true);
  WakeupTree t;
  EXPECT_TRUE(t.insert({a}, 0));
  // (a, b faulted): a is a leaf, but the run past it would allow b.
  EXPECT_TRUE(t.insert({a, b_faulted}, 0));
  EXPECT_EQ(t.leaves(), 1u);
  WakeupTree::Branch first = t.take_leftmost();
  EXPECT_EQ(first.subtree.take_leftmost().event, b_faulted);
  // An allowed rest is left to the continuation.
  WakeupTree u;
  u.insert({a}, 0);
  EXPECT_FALSE(u.insert({a, b}, 0));
}

TEST(WakeupTree, CoveringChildNamesWhereAnInsertionWouldGo) {
  const Decision a = ev("a", "/x"), c = ev("c", "/x"), d = ev("d", "/z");
  WakeupTree t;
  t.insert({a}, 0);
  t.insert({c}, 0);  // conflicts with a: a second child
  EXPECT_EQ(t.covering_child({c, a}, 0), 1u);
  EXPECT_EQ(t.covering_child({d}, 0), 0u);  // a commutes with d
  EXPECT_FALSE(t.covering_child({ev("a", "/x", true, true)}, 0).has_value());
}

}  // namespace
}  // namespace faultbox::explorer
