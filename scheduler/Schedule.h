// What an explorer (explorer/) asks of one run and what it learns from it.
// The explorer decides *which* runs to do; the run's Strategy — here
// ScheduleStrategy — makes each decision inside the run.
//
// A schedule names processes, not identities: every process (a service's
// thread, a driver fiber) has at most one event waiting at a time, and the
// occurrence index of an identity changes when two threads of one service
// swap places, while "the next event of api@t1" does not. The label (the
// identity without its occurrence) is what must match when the schedule is
// followed; a mismatch is a divergence, never a silent repair.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/Dependence.h"
#include "scheduler/Strategy.h"
#include "traces/TraceFile.h"

namespace faultbox::scheduler {

// One event as exploration sees it.
struct EventRef {
  std::string process;  // process_of(identity)
  std::string label;    // "api write $RUN/orders.log @t1": host, action, resource, thread
  Footprint footprint;
  // A placement rule (times=/probability=) could fault this event: the
  // search may branch on "allowed" / "faulted" here (DESIGN.md §5).
  bool faultable = false;
  bool operator==(const EventRef&) const = default;
};

EventRef event_ref(const traces::EventIdentity& id, bool faultable = false);

// One decision: which event, and whether a placement faulted it.
struct Decision {
  EventRef event;
  bool faulted = false;
  bool operator==(const Decision&) const = default;
};

struct Schedule {
  // Decisions 1..prefix.size() are forced: the enabled event of
  // prefix[i].event.process, whose label must match, with that outcome.
  std::vector<Decision> prefix;
  // The sleep set at the end of the prefix: events, each with a placement
  // ("api write, allowed" and "api write, faulted" sleep apart), whose
  // continuations are already explored (or will be by another branch).
  // After the prefix the run prefers what is awake; an entry leaves the set
  // when an event of its process or a dependent event runs.
  std::vector<Decision> sleep;
  // Faults allowed in this run (--max-faults), the prefix's included.
  int max_faults = 0;
};

// What the run did, decision by decision.
struct RunRecord {
  std::vector<Decision> decisions;
  // enabled[i]: the enabled set at decision i+1 (it contains decisions[i].event).
  std::vector<std::vector<EventRef>> enabled;
  // caused_by[i]: the earlier decision (0-based index) whose message or
  // connection decision i consumed (a receive, an accept), from the
  // recorder's pairing; such a pair is cause and effect, not a race. A
  // faulted receive or accept consumes nothing but was enabled by what was
  // waiting: its cause is the send or connect of that message or connection
  // (else the explorer tries to run the receive first, and diverges).
  // Filled by the caller after the run; empty or shorter means "none known".
  std::vector<std::optional<size_t>> caused_by;
  // The run could not follow its prefix: reported, never a class.
  std::optional<Divergence> divergence;
};

// Follows a Schedule inside one run, then continues by a fixed policy:
// among the enabled events that are awake (allowed), the process that went
// last if it can (fewest preemptions), else the smallest process name. When
// every allowed event is asleep but a placement is not — an event offered
// as faultable, its faulted placement awake, fewer than max_faults faults
// placed so far — the same policy picks among those and faults it: the
// placement is the only part of the run's future not yet covered. When
// everything is asleep, the policy over all allowed events (the run's class
// was covered already: the explorer, which knows the sleep set it handed
// out, counts such runs apart).
// Records nothing itself: the caller wraps every explorer's strategy in a
// RecordingStrategy.
class ScheduleStrategy final : public Strategy {
 public:
  ScheduleStrategy(Schedule schedule, std::string name);
  std::string name() const override { return name_; }
  size_t choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) override;
  void finished(uint64_t decisions) override;
  void offer_placements(const std::vector<bool>& faultable) override { faultable_ = faultable; }
  // Only ever true for an event offered as faultable.
  bool fault_chosen() const override { return fault_chosen_; }
  traces::EventIdentity canonical(const traces::EventIdentity& id) const override { return roles_.canonical(id); }

 private:
  Schedule schedule_;
  ThreadRoles roles_;  // who plays whom, learnt along the prefix
  std::string name_;
  std::vector<Decision> sleep_;  // the live sleep set (after the prefix)
  int faults_ = 0;               // placed so far in this run
  std::optional<std::string> last_process_;
  std::vector<bool> faultable_;  // offered for the coming choose(); empty = none
  bool fault_chosen_ = false;
};

// Wraps any strategy and writes down what the run did, for the explorer:
// every enabled set (with the placements offered), every decision and
// whether it was faulted. A Divergence thrown by the inner strategy passes
// through; the caller stores it in the record it takes.
class RecordingStrategy final : public Strategy {
 public:
  explicit RecordingStrategy(std::unique_ptr<Strategy> inner);
  std::string name() const override { return inner_->name(); }
  size_t choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) override;
  void finished(uint64_t decisions) override { inner_->finished(decisions); }
  void offer_placements(const std::vector<bool>& faultable) override;
  bool fault_chosen() const override { return inner_->fault_chosen(); }
  traces::EventIdentity canonical(const traces::EventIdentity& id) const override { return inner_->canonical(id); }
  const RunRecord& record() const { return record_; }
  RunRecord take_record() { return std::move(record_); }
  Strategy& inner() { return *inner_; }

 private:
  std::unique_ptr<Strategy> inner_;
  std::vector<bool> faultable_;
  RunRecord record_;
};

}  // namespace faultbox::scheduler
