#include "scheduler/Strategy.h"

#include <algorithm>

namespace faultbox::scheduler {

Divergence::Divergence(uint64_t s, std::string exp, std::vector<std::string> en, std::string why)
    : std::runtime_error(std::move(why)), step(s), expected(std::move(exp)), enabled(std::move(en)) {}

size_t RandomStrategy::choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) {
  (void)step;
  // uniform_int_distribution's algorithm is implementation-defined; a plain
  // modulo keeps a seed meaning the same schedule across standard libraries
  // (the bias over a handful of choices is irrelevant here).
  return static_cast<size_t>(rng_() % enabled.size());
}

PrefixStrategy::PrefixStrategy(std::vector<traces::EventIdentity> prefix, std::unique_ptr<Strategy> then,
                               std::string name)
    : prefix_(std::move(prefix)), then_(std::move(then)), name_(std::move(name)) {}

namespace {
std::vector<std::string> texts(const std::vector<traces::EventIdentity>& ids) {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const auto& id : ids) out.push_back(id.text());
  return out;
}
}  // namespace

std::optional<size_t> pick_player(const ThreadRoles& roles, const std::string& host, const std::string& recorded,
                                  const std::vector<traces::EventIdentity>& enabled, const std::vector<size_t>& same) {
  if (same.size() == 1) return same.front();
  if (std::optional<std::string> known = roles.player(host, recorded)) {
    for (size_t i : same)
      if (enabled[i].thread == *known) return i;
  } else {
    std::vector<size_t> unclaimed;
    for (size_t i : same)
      if (!roles.claimed(host, enabled[i].thread)) unclaimed.push_back(i);
    if (unclaimed.size() == 1) return unclaimed.front();
  }
  for (size_t i : same)
    if (enabled[i].thread == recorded) return i;
  return std::nullopt;
}

size_t PrefixStrategy::choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) {
  if (step <= prefix_.size()) {
    const traces::EventIdentity& want = prefix_[step - 1];
    // The thread ordinal is a tie-breaker (DESIGN.md §4): which pooled
    // worker takes a connection depends on wake-up order no syscall
    // controls. So an event matches on (host, action, resource,
    // occurrence); the thread decides only between several such events.
    std::vector<size_t> same;
    for (size_t i = 0; i < enabled.size(); ++i) {
      const traces::EventIdentity& e = enabled[i];
      if (e.host == want.host && e.action == want.action && e.resource == want.resource &&
          e.occurrence == want.occurrence)
        same.push_back(i);
    }
    // Between several such events, the thread decides: the one already
    // known to play the recorded thread; else the only one not known to play
    // another; else the same ordinal. A choice teaches the correspondence.
    auto take = [&](size_t i) {
      roles_.learn(want.host, want.thread, enabled[i].thread);
      ++followed_;
      return i;
    };
    if (std::optional<size_t> i = pick_player(roles_, want.host, want.thread, enabled, same)) return take(*i);
    throw Divergence(step, want.text(), texts(enabled),
                     "decision " + std::to_string(step) + " expected " + want.text() + ", which is not enabled");
  }
  if (!then_)
    throw Divergence(step, "", texts(enabled),
                     "the run needs decision " + std::to_string(step) + " but the trace has only " +
                         std::to_string(prefix_.size()));
  return then_->choose(enabled, step);
}

void PrefixStrategy::finished(uint64_t decisions) {
  if (decisions < prefix_.size())
    throw Divergence(decisions + 1, prefix_[decisions].text(), {},
                     "the test ended after " + std::to_string(decisions) + " decisions but the trace has " +
                         std::to_string(prefix_.size()));
  if (then_) then_->finished(decisions);
}

PlacementReplayStrategy::PlacementReplayStrategy(std::unique_ptr<Strategy> inner, std::vector<uint64_t> placed_steps)
    : inner_(std::move(inner)), placed_(std::move(placed_steps)) {}

size_t PlacementReplayStrategy::choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) {
  placing_ = false;
  const size_t pick = inner_->choose(enabled, step);  // may throw Divergence: then nothing is placed
  placing_ = std::binary_search(placed_.begin(), placed_.end(), step);
  return pick;
}

}  // namespace faultbox::scheduler
