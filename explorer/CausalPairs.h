// Which decision consumed which earlier decision's message, read back from a
// run's trace (the recorder's send→receive pairing and the driver's joins
// are merges of vector clocks, DESIGN.md §6). Exploration needs it because a
// receive and the send it received are dependent but not a race: the
// receive could not have gone first, so reversing them is no alternative.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "traces/TraceFile.h"

namespace faultbox::explorer {

// result[i]: for decision i+1 of the trace (events with step = i+1), the
// 0-based index of the latest earlier decision whose clock it merged from
// another host, if any. A merge from a non-decision event (a driver's
// receive of a response) is traced back to the latest decision of that
// host at or before it. `decisions` sizes the result.
std::vector<std::optional<size_t>> caused_by_from_trace(const traces::TraceFile& trace, size_t decisions);

}  // namespace faultbox::explorer

#include "scheduler/Schedule.h"

namespace faultbox::explorer {

// Adds to record.caused_by what the enabled sets show: an event of another
// process that was not enabled before decision k and is enabled from just
// after it until it runs was enabled by it — an accept by the connect that
// filled its backlog, a new thread's first syscall by the clone that made
// it, a blocking read by the write that gave it data (the recorder pairs no
// connect → accept), and a syscall that follows one faultbox does not
// intercept (a server's accept started before the body, then its clone for
// the connection a driver step opened: no footprint shows that link).
// Reversing such a pair is no alternative, only a divergence after a wait.
// The price: an event that a timer happened to wake right after decision k
// is taken for k's effect, and orders that put it first go unexplored —
// quiescence makes that rare (a decision is taken only when every thread
// sleeps), and a missed order shows in no class count, so it is named here.
// Keeps an existing cause when it is later.
void add_enablers(scheduler::RunRecord& record);

}  // namespace faultbox::explorer

namespace faultbox::explorer {

// Pairs each accept event with the connection it took: a listening socket's
// backlog is first in, first out, so the k-th accept event on interface I
// takes the (w + k)-th connection made to I, where w is the number of
// threads already blocked in accept on I when the body started (the trace
// header's `# waiting accepts:`; they take the first w connections without
// an event). A connection is made by a connect event to I that was allowed,
// by a driver step towards I (the driver opens a fresh connection for every
// step) or by the release of a held SYN (a "syn" event; a driver step whose
// SYN was held counts there, not at the step). The recorder pairs no
// connect → accept, and add_enablers() sees only an accept that was parked
// before its connect: an accept whose thread came back to it later (after
// serving an earlier connection) had no known cause, so dpor took
// (connect, accept) for a race and asked for the accept first — infeasible,
// a divergence after the quiescence cap.
//
// Only where the count is certain — for an interface, nothing is paired when
//   - the trace has no `# waiting accepts:` line (free run, older trace),
//   - a connect to it was delayed (ContinueAfter), or was held on the wire
//     and its SYN let through without a "syn" event (the fault ended first):
//     its connection arrived at a moment the trace does not show,
//   - an accept on it was enabled when the count says no connection was
//     waiting (a non-blocking accept, which may return EAGAIN and take
//     nothing, or a connection the count does not know of).
// The pair replaces the cause add_enablers() found: for a blocking accept
// the connection it takes is exactly what enabled it.
void pair_accepts_with_connections(scheduler::RunRecord& record, const traces::TraceFile& trace);


// A held SYN's release (a "syn" event, engine/DecisionLoop: a connect
// delayed on the wire, let through when its delay was up and a decision
// picked it) is caused by what sent it: the thread's held connects to that
// interface in order (their SYNs are held equally long), or the fiber's
// latest step (one in flight at a time). Without the pair dpor would take
// them for a race (one service, two processes) and ask for the release
// first. Replaces what add_enablers() guessed (the decision just before the
// delay ran out, which the release could as well have preceded).
void pair_syns_with_connects(scheduler::RunRecord& record, const traces::TraceFile& trace);

// All of the above, in the order that lets each later one overrule a guess
// of an earlier one: the trace's merges, the enablers, accept pairs, SYN
// pairs. A record without enabled sets (a replayed trace's) gets what the
// trace alone shows: merges and SYN pairs.
void add_causes(scheduler::RunRecord& record, const traces::TraceFile& trace);

}  // namespace faultbox::explorer
