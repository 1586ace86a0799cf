#include "engine/FdTableWatch.h"

#include <linux/close_range.h>
#include <sched.h>
#include <sys/syscall.h>

#include <climits>

#include "engine/TargetMemory.h"

namespace faultbox::engine {

namespace {

// How many notifications pass between two looks for threads that left a
// flux by exiting.
constexpr uint32_t kReapEvery = 64;

// Syscall arguments that the kernel takes as (unsigned) int.
unsigned arg32(const SyscallEvent& ev, int i) { return static_cast<unsigned>(ev.args[i]); }

}  // namespace

std::vector<std::string> fd_table_syscall_names() {
  return {"dup2", "dup3", "close_range", "io_uring_setup", "unshare", "bpf"};
}

FdTableWatch::Change FdTableWatch::observe(const SyscallEvent& ev) {
  // This thread's previous call has completed: whatever it changed is done.
  if (!fluxes_.empty()) {
    end_flux(ev.tid);
    if (++since_reap_ >= kReapEvery) reap_gone_threads();
  }
  births_.observe(ev.tid, ev.tgid, ev.nr);
  switch (ev.nr) {
    case SYS_close: {
      unsigned fd = arg32(ev, 0);
      return begin_flux(ev, fd, fd, Change::Kind::Range);
    }
#ifdef SYS_dup2
    case SYS_dup2:
#endif
    case SYS_dup3: {
      unsigned fd = arg32(ev, 1);
      return begin_flux(ev, fd, fd, Change::Kind::Range);
    }
    case SYS_close_range: {
      // CLOSE_RANGE_CLOEXEC closes nothing now but the next exec will, which
      // drops the whole table anyway: treated as a close, the simple way.
      if (arg32(ev, 2) & CLOSE_RANGE_UNSHARE) untrackable_.insert(ev.tgid);
      unsigned lo = arg32(ev, 0), hi = arg32(ev, 1);
      if (lo > hi) return {};  // EINVAL: nothing changes
      return begin_flux(ev, lo, hi, Change::Kind::Range);
    }
    case SYS_execve:
    case SYS_execveat:
      // O_CLOEXEC fds close, and a table shared with another process is
      // unshared first. (A non-leader's exec takes the leader's tid: the
      // old tid never notifies again, the flux ends only when the /proc
      // look finds it gone.)
      return begin_flux(ev, 0, UINT_MAX, Change::Kind::WholeTable);
    case SYS_unshare:
      if (ev.args[0] & CLONE_FILES) untrackable_.insert(ev.tgid);
      return {};
    case SYS_bpf:
      // Notified for BPF_PROG_TEST_RUN only: a BPF_PROG_TYPE_SYSCALL program
      // may bpf_sys_close() any fd of the caller.
      untrackable_.insert(ev.tgid);
      return {};
    case SYS_io_uring_setup:
      everything_untrackable_ = true;
      return {};
    case SYS_clone:
      cloned(ev, ev.args[0]);
      return {};
    case SYS_clone3: {
      // struct clone_args starts with its u64 flags.
      uint64_t flags = 0;
      if (ev.args[1] < sizeof flags || read_target_bytes(ev.tgid, ev.args[0], &flags, sizeof flags) != sizeof flags)
        everything_untrackable_ = true;  // cannot tell: the worst case
      else
        cloned(ev, flags);
      return {};
    }
    default:
      return {};
  }
}

void FdTableWatch::cloned(const SyscallEvent& ev, uint64_t flags) {
  const bool thread = flags & CLONE_THREAD, shares_table = flags & CLONE_FILES;
  if (thread && !shares_table) untrackable_.insert(ev.tgid);
  // Two processes on one table: the child's pid is unknown until it
  // notifies, and its closes change the parent's numbers (and back). Rare
  // enough (glibc's fork and posix_spawn never do it) that the simple rule
  // wins: nothing is trusted any more in this watch.
  if (!thread && shares_table) everything_untrackable_ = true;
}

FdTableWatch::Change FdTableWatch::begin_flux(const SyscallEvent& ev, unsigned lo, unsigned hi,
                                              Change::Kind kind) {
  fluxes_.push_back(Flux{ev.tid, ev.tgid, lo, hi});
  Change c;
  c.kind = kind;
  c.tgid = ev.tgid;
  c.lo = lo;
  c.hi = hi;
  return c;
}

void FdTableWatch::end_flux(pid_t tid) {
  std::erase_if(fluxes_, [tid](const Flux& f) { return f.tid == tid; });
}

void FdTableWatch::reap_gone_threads() {
  since_reap_ = 0;
  // A thread that is gone has returned from its call (a thread leaves only
  // between syscalls). A tid already reused by a new thread of the same
  // group stays listed until that thread notifies: only slower.
  std::erase_if(fluxes_, [](const Flux& f) { return !thread_alive(f.tgid, f.tid); });
}

bool FdTableWatch::trustable(pid_t tgid, int fd) const {
  if (fd == kHandoverFd || untrackable(tgid)) return false;
  const auto n = static_cast<unsigned>(fd);
  for (const Flux& f : fluxes_)
    if (f.tgid == tgid && f.lo <= n && n <= f.hi) return false;
  return true;
}

}  // namespace faultbox::engine
