// The baseline the public Go Faultbox tool offers: hold the first batch of
// events and release it in each of its n! orders (issue 5, DESIGN.md §5).
//
// Here the batch is the enabled set at decision 1 (n events, canonical
// order), and permutation index m (0 ≤ m < n!, lexicographic: 0 is the
// canonical order, n!−1 its reverse) is the order in which the batch is
// released. At each decision:
//   1. the next not-yet-released batch event in the permutation's order, if
//      it is enabled;
//   2. else the first enabled event, in canonical order, that is not a held
//      batch event — the rest of the batch stays held while the run makes
//      progress elsewhere (the next one may be a blocking read waiting for
//      data that only other events produce);
//   3. else (only later batch events are enabled) the earliest of them in
//      the permutation's order, released out of turn — counted in
//      out_of_turn(), since that run did not realize its order.
// After the batch, every decision is the first enabled event in canonical
// order.
//
// The Go tool holds the first batch of one service's syscalls and lets the
// rest run free; here everything is serialized, so the batch is whatever
// all processes (every service's threads, the driver's fibers) have
// waiting at decision 1 — the same idea over the serialized run.
//
// What it covers: every release order of the events that were ready
// together at the start of the test body, with everything after them
// serialized one fixed way. What it does not: any interleaving of later
// events (a race between the second syscalls of two requests is never
// tried unless it is decided by the batch's order), events that show up
// after decision 1, fault placements (rules apply as written), and any
// reduction — orders of independent events are run again (DPOR's classes
// count them once). Batches above kMaxPermuted events are capped: only the
// first kMaxPermuted events (canonical order) are held and permuted,
// because 21! does not fit in 64 bits; the rest run as after the batch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/Schedule.h"
#include "scheduler/Strategy.h"

namespace faultbox::scheduler {

// n!, for n ≤ PermutationStrategy::kMaxPermuted (throws std::out_of_range above).
uint64_t permutation_count(size_t n);
// The permutation of 0 … n−1 of lexicographic rank `index` (< n!; throws
// std::out_of_range otherwise): 0 → 0,1,…,n−1; n!−1 → n−1,…,1,0.
std::vector<size_t> nth_permutation(uint64_t index, size_t n);

class PermutationStrategy final : public Strategy {
 public:
  static constexpr size_t kMaxPermuted = 20;  // 20! < 2^64 < 21!

  // `expected_batch`: decision 1's enabled set as an earlier run saw it
  // (RunRecord::enabled[0]); when given, a decision 1 that offers other
  // events (by process and label) throws Divergence, because the index
  // would name another order. Without it (the first run) any batch is
  // taken, and an index ≥ n! throws Divergence.
  explicit PermutationStrategy(uint64_t index, std::optional<std::vector<EventRef>> expected_batch = std::nullopt);

  std::string name() const override { return "permutations"; }
  size_t choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) override;

  uint64_t index() const { return index_; }
  // Known after decision 1: the held events (canonical order, at most
  // kMaxPermuted), the release order (positions in batch()), and how many
  // events decision 1 offered in all.
  const std::vector<traces::EventIdentity>& batch() const { return batch_; }
  const std::vector<size_t>& order() const { return order_; }
  size_t first_enabled_size() const { return first_enabled_size_; }
  // Batch events released ahead of their turn because nothing else could run.
  uint64_t out_of_turn() const { return out_of_turn_; }

 private:
  void take_batch(const std::vector<traces::EventIdentity>& enabled, uint64_t step);
  bool held(const traces::EventIdentity& id) const;

  uint64_t index_;
  std::optional<std::vector<EventRef>> expected_batch_;
  bool started_ = false;
  std::vector<traces::EventIdentity> batch_;
  std::vector<size_t> order_;
  std::vector<bool> released_;  // by position in batch_
  size_t next_ = 0;             // into order_: the first not yet released
  size_t first_enabled_size_ = 0;
  uint64_t out_of_turn_ = 0;
};

}  // namespace faultbox::scheduler
