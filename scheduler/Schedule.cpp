#include "scheduler/Schedule.h"

#include <algorithm>

namespace faultbox::scheduler {

namespace {

// The identity text without its "#N" token: the occurrence index is not
// stable when two threads of one service swap places, the rest is.
std::string label_of(const traces::EventIdentity& id) {
  // text() is "host action resource #N [@tT]" with every field one token.
  const std::string text = id.text();
  size_t third = 0;
  for (int spaces = 0; spaces < 3; ++spaces) third = text.find(' ', third) + 1;
  const size_t after = text.find(' ', third);
  return text.substr(0, third - 1) + (after == std::string::npos ? "" : text.substr(after));
}

std::vector<std::string> texts(const std::vector<traces::EventIdentity>& ids) {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const auto& id : ids) out.push_back(id.text());
  return out;
}

// The label without its " @tN" suffix (tokens never contain spaces).
std::string without_thread(const std::string& label) {
  const size_t at = label.rfind(" @t");
  return at == std::string::npos ? label : label.substr(0, at);
}

bool asleep(const std::vector<Decision>& sleep, const EventRef& e, bool faulted) {
  return std::any_of(sleep.begin(), sleep.end(), [&](const Decision& s) {
    return s.faulted == faulted && s.event.process == e.process && s.event.label == e.label;
  });
}

}  // namespace

EventRef event_ref(const traces::EventIdentity& id, bool faultable) {
  EventRef e;
  e.process = process_of(id);
  e.label = label_of(id);
  e.footprint = footprint_of(id);
  e.faultable = faultable;
  return e;
}

ScheduleStrategy::ScheduleStrategy(Schedule schedule, std::string name)
    : schedule_(std::move(schedule)), name_(std::move(name)), sleep_(schedule_.sleep) {}

size_t ScheduleStrategy::choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) {
  // Placements are offered for this choose() only.
  const std::vector<bool> faultable = std::move(faultable_);
  faultable_.clear();
  fault_chosen_ = false;
  auto offered = [&](size_t i) { return i < faultable.size() && faultable[i]; };

  std::vector<EventRef> refs;
  refs.reserve(enabled.size());
  for (size_t i = 0; i < enabled.size(); ++i) refs.push_back(event_ref(enabled[i], offered(i)));

  if (step <= schedule_.prefix.size()) {
    const Decision& want = schedule_.prefix[step - 1];
    std::optional<size_t> pick;
    for (size_t i = 0; i < refs.size() && !pick; ++i)
      if (refs[i].process == want.event.process && refs[i].label == want.event.label) pick = i;
    if (!pick) {
      // Which pooled worker takes a connection depends on wake-up order no
      // syscall controls (DESIGN.md §4): another thread's identical event
      // stands in for it, if it is the only one.
      const std::string bare = without_thread(want.event.label);
      std::vector<size_t> same;
      for (size_t i = 0; i < refs.size(); ++i)
        if (without_thread(refs[i].label) == bare) same.push_back(i);
      if (same.size() == 1) pick = same.front();
    }
    if (!pick)
      throw Divergence(step, want.event.label, texts(enabled),
                       "decision " + std::to_string(step) + " expected " + want.event.label + " (" +
                           want.event.process + "), which is not enabled");
    if (want.faulted && !offered(*pick))
      throw Divergence(step, want.event.label, texts(enabled),
                       "decision " + std::to_string(step) + " expected a fault placed on " + want.event.label +
                           ", which no placement rule offered");
    fault_chosen_ = want.faulted;
    if (want.faulted) ++faults_;
    last_process_ = refs[*pick].process;
    return *pick;
  }

  // After the prefix: awake events first; fewest preemptions, then by name.
  auto best_of = [&](auto eligible) -> std::optional<size_t> {
    std::optional<size_t> best;
    for (size_t i = 0; i < refs.size(); ++i) {
      if (!eligible(i)) continue;
      if (last_process_ && refs[i].process == *last_process_) return i;
      if (!best || refs[i].process < refs[*best].process) best = i;
    }
    return best;
  };
  std::optional<size_t> pick = best_of([&](size_t i) { return !asleep(sleep_, refs[i], false); });
  if (!pick && faults_ < schedule_.max_faults) {
    pick = best_of([&](size_t i) { return offered(i) && !asleep(sleep_, refs[i], true); });
    fault_chosen_ = pick.has_value();
  }
  if (!pick) pick = best_of([](size_t) { return true; });
  const EventRef& chosen = refs[*pick];
  // Every sleeping event that does not commute with the one that runs wakes
  // up (its own process's included: same service, so dependent).
  std::erase_if(sleep_, [&](const Decision& s) {
    return s.event.process == chosen.process || dependent(s.event.footprint, chosen.footprint);
  });
  if (fault_chosen_) ++faults_;
  last_process_ = chosen.process;
  return *pick;
}

void ScheduleStrategy::finished(uint64_t decisions) {
  const auto& prefix = schedule_.prefix;
  if (decisions < prefix.size())
    throw Divergence(decisions + 1, prefix[decisions].event.label, {},
                     "the test ended after " + std::to_string(decisions) + " decisions but the schedule has " +
                         std::to_string(prefix.size()));
}

RecordingStrategy::RecordingStrategy(std::unique_ptr<Strategy> inner) : inner_(std::move(inner)) {}

void RecordingStrategy::offer_placements(const std::vector<bool>& faultable) {
  faultable_ = faultable;
  inner_->offer_placements(faultable);
}

size_t RecordingStrategy::choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) {
  const std::vector<bool> faultable = std::move(faultable_);
  faultable_.clear();
  const size_t pick = inner_->choose(enabled, step);
  std::vector<EventRef> refs;
  refs.reserve(enabled.size());
  for (size_t i = 0; i < enabled.size(); ++i)
    refs.push_back(event_ref(enabled[i], i < faultable.size() && faultable[i]));
  record_.decisions.push_back(Decision{refs.at(pick), inner_->fault_chosen()});
  record_.enabled.push_back(std::move(refs));
  return pick;
}

}  // namespace faultbox::scheduler
