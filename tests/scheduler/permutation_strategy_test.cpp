// The permutations baseline on synthetic enabled sets: index m releases the
// first batch in the m-th lexicographic order, holds the rest of the batch
// while other events can run, and says so when it had to break the order.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "scheduler/PermutationStrategy.h"
#include "scheduler/Schedule.h"

namespace faultbox::scheduler {
namespace {

traces::EventIdentity id(const std::string& host, const std::string& action = "write", uint64_t occurrence = 1) {
  traces::EventIdentity e;
  e.host = host;
  e.action = action;
  e.resource = "$RUN/shared.log";
  e.occurrence = occurrence;
  return e;
}

std::vector<traces::EventIdentity> sorted(std::vector<traces::EventIdentity> ids) {
  std::sort(ids.begin(), ids.end(), [](const auto& a, const auto& b) { return a.text() < b.text(); });
  return ids;
}

// Runs the strategy while `enabled` stays what the batch left: each
// decision removes the event it chose. Returns the hosts in release order.
std::vector<std::string> drain(Strategy& s, std::vector<traces::EventIdentity> enabled) {
  std::vector<std::string> out;
  for (uint64_t step = 1; !enabled.empty(); ++step) {
    const size_t i = s.choose(enabled, step);
    out.push_back(enabled.at(i).host);
    enabled.erase(enabled.begin() + static_cast<std::ptrdiff_t>(i));
  }
  return out;
}

TEST(Permutations, CountsAndLexicographicRanks) {
  EXPECT_EQ(permutation_count(0), 1u);
  EXPECT_EQ(permutation_count(3), 6u);
  EXPECT_EQ(permutation_count(20), 2432902008176640000u);
  EXPECT_THROW(permutation_count(21), std::out_of_range);
  EXPECT_EQ(nth_permutation(0, 4), (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(nth_permutation(23, 4), (std::vector<size_t>{3, 2, 1, 0}));
  EXPECT_EQ(nth_permutation(3, 3), (std::vector<size_t>{1, 2, 0}));
  EXPECT_THROW(nth_permutation(6, 3), std::out_of_range);
  std::vector<std::vector<size_t>> all;
  for (uint64_t m = 0; m < 24; ++m) all.push_back(nth_permutation(m, 4));
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(std::set<std::vector<size_t>>(all.begin(), all.end()).size(), 24u);
  EXPECT_EQ(nth_permutation(0, 0), std::vector<size_t>{});
}

TEST(PermutationStrategy, EachIndexReleasesTheBatchInItsOrder) {
  const std::vector<traces::EventIdentity> batch = sorted({id("a"), id("b"), id("c")});
  std::set<std::vector<std::string>> orders;
  for (uint64_t m = 0; m < 6; ++m) {
    PermutationStrategy s(m);
    const std::vector<std::string> got = drain(s, batch);
    std::vector<std::string> want;
    for (size_t b : nth_permutation(m, 3)) want.push_back(batch[b].host);
    EXPECT_EQ(got, want) << "index " << m;
    EXPECT_EQ(s.order(), nth_permutation(m, 3));
    EXPECT_EQ(s.batch(), batch);
    EXPECT_EQ(s.out_of_turn(), 0u);
    orders.insert(got);
  }
  EXPECT_EQ(orders.size(), 6u);
}

TEST(PermutationStrategy, AfterTheBatchTheFirstEnabledEventGoes) {
  PermutationStrategy s(5);  // order c, b, a
  const auto a = id("a"), b = id("b"), c = id("c");
  EXPECT_EQ(s.choose({a, b, c}, 1), 2u);
  EXPECT_EQ(s.choose({a, b, id("c", "read")}, 2), 1u);
  EXPECT_EQ(s.choose({a, id("b", "read"), id("c", "read")}, 3), 0u);
  // Batch done: canonical order from now on.
  EXPECT_EQ(s.choose({id("a", "read"), id("b", "read"), id("c", "read")}, 4), 0u);
  EXPECT_EQ(s.choose({id("b", "read"), id("c", "read")}, 5), 0u);
}

TEST(PermutationStrategy, ANextEventThatIsNotEnabledLetsOthersRunButKeepsTheBatchHeld) {
  // Order: b, a, c (index 2). b is released; a's turn, but a is no longer
  // enabled (say, a blocking read now waiting for data): the first
  // enabled event that is not held goes — d, although held c sorts first.
  PermutationStrategy s(2);
  const auto a = id("a"), b = id("b"), c = id("c"), d = id("d");
  ASSERT_EQ(s.choose({a, b, c}, 1), 1u);
  EXPECT_EQ(s.choose({c, d}, 2), 1u);
  // a is back: its turn.
  EXPECT_EQ(s.choose({a, c, d}, 3), 0u);
  EXPECT_EQ(s.choose({c, d}, 4), 0u);
  EXPECT_EQ(s.out_of_turn(), 0u);
}

TEST(PermutationStrategy, WhenOnlyLaterBatchEventsCanRunTheEarliestOfThemGoesOutOfTurn) {
  // Order: a, b, c, d → index 0; a is not enabled and only held c, d are:
  // c (earlier in the order) goes, and the run says its order was broken.
  PermutationStrategy s(0);
  const auto a = id("a"), b = id("b"), c = id("c"), d = id("d");
  ASSERT_EQ(s.choose({a, b, c, d}, 1), 0u);  // a
  ASSERT_EQ(s.choose({b, c, d}, 2), 0u);     // b
  // c's turn, but it is gone for now, and only held d is enabled.
  EXPECT_EQ(s.choose({d}, 3), 0u);
  EXPECT_EQ(s.out_of_turn(), 1u);
  EXPECT_EQ(s.choose({c}, 4), 0u);
  EXPECT_EQ(s.out_of_turn(), 1u);
}

TEST(PermutationStrategy, AnIndexBeyondTheBatchIsADivergence) {
  PermutationStrategy s(6);
  EXPECT_THROW(s.choose({id("a"), id("b"), id("c")}, 1), Divergence);
}

TEST(PermutationStrategy, ADifferentFirstBatchThanExpectedIsADivergence) {
  const std::vector<traces::EventIdentity> first = {id("a"), id("b"), id("c")};
  std::vector<EventRef> expected;
  for (const auto& e : first) expected.push_back(event_ref(e));

  PermutationStrategy same(4, expected);
  EXPECT_EQ(drain(same, first), (std::vector<std::string>{"c", "a", "b"}));

  PermutationStrategy smaller(1, expected);
  try {
    smaller.choose({id("a"), id("b")}, 1);
    FAIL() << "a smaller batch was accepted";
  } catch (const Divergence& d) {
    EXPECT_EQ(d.step, 1u);
    EXPECT_EQ(d.enabled.size(), 2u);
    EXPECT_NE(std::string(d.what()).find("first batch of 3"), std::string::npos) << d.what();
  }

  PermutationStrategy other(1, expected);
  EXPECT_THROW(other.choose({id("a"), id("b"), id("z")}, 1), Divergence);
}

TEST(PermutationStrategy, ABatchAboveTheCapPermutesItsFirstTwentyEvents) {
  std::vector<traces::EventIdentity> first;
  for (int i = 0; i < 22; ++i) first.push_back(id("s" + std::string(i < 10 ? "0" : "") + std::to_string(i)));
  PermutationStrategy s(permutation_count(20) - 1);  // the reverse of the first 20
  const std::vector<std::string> got = drain(s, first);
  EXPECT_EQ(s.batch().size(), 20u);
  EXPECT_EQ(s.first_enabled_size(), 22u);
  EXPECT_EQ(got.front(), "s19");
  // s20 and s21 are not held, but every batch event is enabled on its
  // turn, so the batch goes first, in its order, then s20 and s21.
  EXPECT_EQ(got[19], "s00");
  EXPECT_EQ(got[20], "s20");
  EXPECT_EQ(got[21], "s21");
}

}  // namespace
}  // namespace faultbox::scheduler
