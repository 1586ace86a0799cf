// The recorder of one run (DESIGN.md §4, §6): the facade the scheduler
// uses to turn what happened into trace events with stable identities and
// vector clocks. One per run; single-threaded (the loop thread owns it).
//
// The flow for one event:
//   preview(...)   the identity the event would get, for showing the
//                  enabled set and matching a replayed decision — counts
//                  nothing;
//   identify(...)  the identity of the event that happens, taking its
//                  occurrence number;
//   record(...)    the event itself: ticks its host's clock, merged with
//                  the clocks of the sends it consumed (messages()) or of
//                  the service whose response a driver step read.
// Resources are given already normalized (normalizer() knows how: a file
// path and a socket peer need different rules, and only the caller knows
// which one it holds); identify() only makes every field one token.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "recorder/HostClocks.h"
#include "recorder/MessageLedger.h"
#include "recorder/OccurrenceCounter.h"
#include "recorder/ResourceNormalizer.h"
#include "traces/TraceFile.h"

namespace faultbox::recorder {

class Recorder {
 public:
  explicit Recorder(ResourceNormalizer normalizer);

  // The identity of an event that happens now (takes the occurrence).
  traces::EventIdentity identify(const std::string& host, const std::string& action, const std::string& resource,
                                 const std::string& thread = "");
  // The identity it would get if it happened next (takes nothing).
  traces::EventIdentity preview(const std::string& host, const std::string& action, const std::string& resource,
                                const std::string& thread = "") const;

  // Appends the event and returns it (the reference is valid until the next
  // record()). `step` is the decision number, 0 for an event that was not a
  // decision. Throws std::logic_error for an identity that was not taken
  // with identify() in this run (a previewed one, or made up), or for a
  // merged clock that names events not recorded (HostClocks::tick).
  const traces::TraceEvent& record(traces::EventIdentity id, uint64_t step, std::string outcome, std::string label,
                                   std::string detail, const std::vector<traces::VectorClock>& merges = {});

  MessageLedger& messages() { return messages_; }
  ResourceNormalizer& normalizer() { return normalizer_; }
  const ResourceNormalizer& normalizer() const { return normalizer_; }

  const std::vector<traces::TraceEvent>& events() const { return events_; }
  // The host's current clock (after its last recorded event); empty if none.
  traces::VectorClock clock_of(const std::string& host) const { return clocks_.clock_of(host); }

 private:
  ResourceNormalizer normalizer_;
  OccurrenceCounter occurrences_;
  HostClocks clocks_;
  MessageLedger messages_;
  std::vector<traces::TraceEvent> events_;
};

}  // namespace faultbox::recorder
