// Which events commute (DESIGN.md §4), read from identities alone so that an
// explorer can reason about events it has seen enabled but never run.
//
// Conservative by construction: "dependent" may be said of two events that
// in fact commute (more runs), never the other way round (a class claimed
// covered that was not). Two events are dependent when
//   - they belong to the same service (any two threads of one process
//     share memory faultbox cannot see), or
//   - their footprints share a resource:
//       file:PATH            a file event's normalized path
//       link:A~B             the connection between service A and B (both
//                            ends; every driver fiber counts as "test",
//                            because a service names its driver peer so)
//       listen:S             S's listening sockets: a connect, a held
//                            SYN's release ("syn") or a driver step towards
//                            S and S's accept (the backlog's order is the
//                            accept order)
//       ext:…                an endpoint outside the run
// Parallel driver branches (test/1, test/2) are different services: they
// are independent unless they touch the same resource — which two steps
// towards one service do, through link:… and listen:….
#pragma once

#include <string>
#include <vector>

#include "traces/TraceFile.h"

namespace faultbox::scheduler {

struct Footprint {
  std::string service;                 // the identity's host: "api", "test", "test/2"
  std::vector<std::string> resources;  // sorted, unique
  bool operator==(const Footprint&) const = default;
};

Footprint footprint_of(const traces::EventIdentity& id);
bool dependent(const Footprint& a, const Footprint& b);

// The sequential unit whose events are in program order: a service's thread
// ("api@t1") or a driver fiber ("test/1"). Every process has at most one
// event waiting at a time (a thread is parked in one syscall, a fiber waits
// on one step), so "let process P go" names one event.
std::string process_of(const traces::EventIdentity& id);

// A driver fiber's host ("test", "test/2", "test/2/1"): every one is
// "test" on the wire.
bool is_driver_host(const std::string& host);

// The thread a held SYN's release is named for (engine/DecisionLoop): a
// process of its own beside the thread that connected ("1" → "1~syn"), which
// may go on with other syscalls while the SYN waits; "syn" for a driver
// fiber's step (no thread).
std::string held_syn_thread(const std::string& connecting_thread);

}  // namespace faultbox::scheduler
