// The accepts that began before the test body: a service thread blocked in
// accept()/accept4() when the body starts entered that syscall while
// start-up ran free, so it is no parked event — the first connection that
// reaches it is taken without a decision of its own. The trace header says
// how many such threads each service has (`# waiting accepts:`), so that
// exploration can still pair every accept event with the connect it
// consumes (explorer/CausalPairs: the backlog is first in, first out, and
// these threads take the first connections).
//
// Read from /proc/TID/syscall (the syscall a blocked thread is in); a thread
// waiting for its seccomp notification to be answered is inside no accept
// yet, and is not counted.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/ThreadCensus.h"

namespace faultbox::engine {

// True when `tid` is blocked inside accept()/accept4() (not in its seccomp
// notification). False when it is not, or is gone.
bool blocked_in_accept(pid_t tid);

// Per service, in the order the census lists them, the number of threads
// blocked in accept; services with none are left out.
std::vector<std::pair<std::string, uint64_t>> count_waiting_accepts(const std::vector<scheduler::ThreadInfo>& threads);

}  // namespace faultbox::engine
