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

// A process name (Dependence.h's process_of: HOST or HOST@tTHREAD) split
// back into host and thread ("" for the driver's hosts).
std::pair<std::string, std::string> host_and_thread(const std::string& process) {
  const size_t at = process.rfind("@t");
  if (at == std::string::npos) return {process, ""};
  return {process.substr(0, at), process.substr(at + 2)};
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

  if (step <= schedule_.prefix.size()) {
    const Decision& want = schedule_.prefix[step - 1];
    // The event as recorded, by whichever thread plays the recorded one:
    // which pooled worker takes a connection depends on wake-up order no
    // syscall controls (DESIGN.md §4, ThreadRoles.h).
    const auto [host, thread] = host_and_thread(want.event.process);
    const std::string bare = without_thread(want.event.label);
    std::vector<size_t> same;
    for (size_t i = 0; i < enabled.size(); ++i)
      if (without_thread(label_of(enabled[i])) == bare) same.push_back(i);
    const std::optional<size_t> pick = pick_player(roles_, host, thread, enabled, same);
    if (!pick)
      throw Divergence(step, want.event.label, texts(enabled),
                       "decision " + std::to_string(step) + " expected " + want.event.label + " (" +
                           want.event.process + "), which is not enabled");
    if (want.faulted && !offered(*pick))
      throw Divergence(step, want.event.label, texts(enabled),
                       "decision " + std::to_string(step) + " expected a fault placed on " + want.event.label +
                           ", which no placement rule offered");
    roles_.learn(host, thread, enabled[*pick].thread);
    fault_chosen_ = want.faulted;
    if (want.faulted) ++faults_;
    last_process_ = want.event.process;
    return *pick;
  }

  // In the recorded run's names from here on: the sleep set and the tree
  // the prefix came from use them.
  std::vector<EventRef> refs;
  refs.reserve(enabled.size());
  for (size_t i = 0; i < enabled.size(); ++i) refs.push_back(event_ref(roles_.canonical(enabled[i]), offered(i)));

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
  // In the names of the run the inner strategy follows (its choice may just
  // have taught it who plays whom): one thread, one name across a tree.
  std::vector<EventRef> refs;
  refs.reserve(enabled.size());
  for (size_t i = 0; i < enabled.size(); ++i)
    refs.push_back(event_ref(inner_->canonical(enabled[i]), i < faultable.size() && faultable[i]));
  record_.decisions.push_back(Decision{refs.at(pick), inner_->fault_chosen()});
  record_.enabled.push_back(std::move(refs));
  return pick;
}

}  // namespace faultbox::scheduler
