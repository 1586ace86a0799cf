// The accepts that began before the test body: a service thread blocked in
// accept()/accept4() when the body starts entered that syscall while
// start-up ran free, so it is no parked event — the first connection that
// reaches it is taken without a decision of its own. The trace header says
// how many such threads each service has (`# waiting accepts:`), so that
// exploration can still pair every accept event with the connect it
// consumes (explorer/CausalPairs: the backlog is first in, first out, and
// these threads take the first connections).
//
// Read from /proc/TID/syscall (the syscall a blocked thread is in, and its
// arguments); a thread waiting for its seccomp notification to be answered
// (the census's wchan) is inside no accept yet, and is not counted. The header counts per
// interface ("store.main 1"): each listening socket has its own backlog.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/ThreadCensus.h"

namespace faultbox::engine {

// A thread blocked in accept() and the fd it waits on (arg 0).
struct WaitingAccept {
  std::string service;
  pid_t tid = 0;
  pid_t tgid = 0;
  int fd = -1;
};

// The fd `tid` is in accept()/accept4() on; nullopt when it is in no
// accept, or is gone.
std::optional<int> accept_fd(pid_t tid);

// Every thread of `threads` blocked in accept — not in its seccomp
// notification, by ThreadInfo::wchan — in the census's order. The
// caller resolves each fd to the interface it listens on: only those are
// counted in the trace header (a connection to an undeclared port or a unix
// socket is no event of any trace).
std::vector<WaitingAccept> find_waiting_accepts(const std::vector<scheduler::ThreadInfo>& threads);

}  // namespace faultbox::engine
