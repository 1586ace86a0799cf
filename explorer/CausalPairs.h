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
