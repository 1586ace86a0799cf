// One vector clock per host of a run (DESIGN.md §6): each service, "test"
// for the driver, "test/N" for parallel branch N. Hosts appear whenever
// they log their first event; there is no list to declare up front.
//
// ShiViz's rules, which this class keeps by construction and checks on
// every merge:
//   - a host's own entry starts at 1 and steps by exactly 1 per event
//     (tick() is the only way an own entry grows);
//   - a clock never names a host that has logged no event, nor a count
//     beyond the events that host has logged. Every clock handed out came
//     from tick(), so merging clocks handed out earlier can only name hosts
//     that already ticked, up to what they had ticked then. A merge that
//     breaks this (a clock made up by the caller, or one from another run)
//     is a bug in the caller: tick() throws std::logic_error naming the
//     host and the counts rather than write a trace ShiViz would reject.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "traces/TraceFile.h"

namespace faultbox::recorder {

class HostClocks {
 public:
  // Merges every clock of `merges` into `host`'s clock (element-wise max),
  // then adds exactly 1 to the host's own entry; returns the new clock.
  // Throws std::logic_error if a merged clock names a host with fewer
  // logged events than the clock claims (see the header comment), or if
  // `host` is empty.
  traces::VectorClock tick(const std::string& host, const std::vector<traces::VectorClock>& merges = {});

  // The host's current clock; empty for a host that has logged nothing.
  traces::VectorClock clock_of(const std::string& host) const;
  // How many events the host has logged (its own entry).
  uint64_t events_of(const std::string& host) const;
  // Hosts that have logged at least one event, sorted.
  std::vector<std::string> hosts() const;

 private:
  // Checks one merged clock against the hosts' event counts.
  void check_mergeable(const std::string& into, const traces::VectorClock& clock) const;

  std::map<std::string, traces::VectorClock> clocks_;
};

}  // namespace faultbox::recorder
