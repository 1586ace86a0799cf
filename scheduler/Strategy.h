// Which enabled event goes next (DESIGN.md §4, step 3). The decision loop
// (engine/DecisionLoop) waits for quiescence, computes the enabled set and
// asks the strategy; the strategy never sees processes, only identities.
//
// Every strategy is deterministic given its inputs: the enabled set is
// passed in a canonical order (sorted by identity text), so a seed or a
// recorded decision list reproduces the same run.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "scheduler/ThreadRoles.h"
#include "traces/TraceFile.h"

namespace faultbox::scheduler {

class Strategy {
 public:
  virtual ~Strategy() = default;
  // "random", "replay", …: written into the trace header.
  virtual std::string name() const = 0;
  // Picks one of `enabled` (never empty, canonical order) for decision
  // `step` (1-based). Returns its index. May throw Divergence.
  virtual size_t choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) = 0;
  // The test body ended after `decisions` decisions. A replay that still
  // expected decisions throws Divergence here.
  virtual void finished(uint64_t decisions) { (void)decisions; }

  // Fault placements (DESIGN.md §5), for exploring strategies: before
  // choose(), the engine says which enabled events a placement rule
  // (times=/probability=) could fault; right after, it asks whether the
  // chosen one is to be faulted. Strategies that do not place faults keep
  // the defaults, and the rules apply as written.
  virtual void offer_placements(const std::vector<bool>& faultable) { (void)faultable; }
  virtual bool fault_chosen() const { return false; }
  // `id` in the names of the run this strategy follows (ThreadRoles.h): a
  // strategy that follows a recorded schedule renames this run's threads
  // into the recorded ones; the others return `id` unchanged. Valid for the
  // identities of the last choose() after it returned.
  virtual traces::EventIdentity canonical(const traces::EventIdentity& id) const { return id; }
};

// A run left the decisions it was asked to follow: replay's mismatch, or an
// exploration prefix that can no longer be followed. Never repaired.
class Divergence : public std::runtime_error {
 public:
  Divergence(uint64_t step, std::string expected, std::vector<std::string> enabled, std::string why);
  uint64_t step;
  std::string expected;              // identity text, "" when the run went past the end
  std::vector<std::string> enabled;  // identity texts at that step
};

// Seeded uniform choice: `faultbox test`'s default (the seed is printed).
class RandomStrategy final : public Strategy {
 public:
  explicit RandomStrategy(uint64_t seed) : rng_(seed) {}
  std::string name() const override { return "random"; }
  size_t choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) override;

 private:
  std::mt19937_64 rng_;
};

// Among `same` (indices into `enabled` of events equal to a recorded one
// but for the thread), the one whose thread plays `recorded` of `host`: the
// only one; else the known player; else the only thread not playing another
// recorded one; else the one with the recorded ordinal. nullopt: none.
std::optional<size_t> pick_player(const ThreadRoles& roles, const std::string& host, const std::string& recorded,
                                  const std::vector<traces::EventIdentity>& enabled, const std::vector<size_t>& same);

// Follows `prefix` (identity at decision 1, 2, …) exactly — the thread
// ordinal only breaks ties between otherwise equal events — then hands over
// to `then`; with no `then` (replay) the run must end exactly when the
// prefix does. A decision whose expected identity is not enabled throws
// Divergence with the expected and the enabled identities.
class PrefixStrategy final : public Strategy {
 public:
  PrefixStrategy(std::vector<traces::EventIdentity> prefix, std::unique_ptr<Strategy> then, std::string name);
  std::string name() const override { return name_; }
  size_t choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) override;
  void finished(uint64_t decisions) override;
  // Decisions taken from the prefix so far.
  uint64_t followed() const { return followed_; }
  uint64_t prefix_size() const { return prefix_.size(); }

 private:
  std::vector<traces::EventIdentity> prefix_;
  std::unique_ptr<Strategy> then_;
  std::string name_;
  // Which thread of this run plays which recorded thread, learnt from every
  // followed decision.
  ThreadRoles roles_;
  uint64_t followed_ = 0;
};

// Replays the fault placements of an explored run (the trace's
// `# placements:` line; DecisionLoop::placed_steps): wraps the replay's
// strategy and places a fault at exactly the recorded decisions, so the
// rules with times=/probability= fire where exploration placed them, not as
// written. A placement the run cannot make again (no placement rule hits the
// chosen event) shows as that decision's outcome differing from the
// recorded one: a divergence, never a silently different run.
class PlacementReplayStrategy final : public Strategy {
 public:
  PlacementReplayStrategy(std::unique_ptr<Strategy> inner, std::vector<uint64_t> placed_steps);
  std::string name() const override { return inner_->name(); }
  size_t choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) override;
  void finished(uint64_t decisions) override { inner_->finished(decisions); }
  void offer_placements(const std::vector<bool>& faultable) override { inner_->offer_placements(faultable); }
  bool fault_chosen() const override { return placing_; }

 private:
  std::unique_ptr<Strategy> inner_;
  std::vector<uint64_t> placed_;  // increasing
  bool placing_ = false;
};

}  // namespace faultbox::scheduler
