// Which fd numbers of which thread groups may name another file than when
// they were last looked at — from the notifications alone, without asking
// the kernel. TargetInspector trusts its fd cache where this says nothing
// can have changed, and re-checks it everywhere else (its header comment
// gives the argument; this is the bookkeeping).
//
// It must see EVERY notification of every process whose fds it vouches for,
// at receipt — before the notification is decided or parked — in order
// (ServiceInstance::on_listener does it through TargetInspector::observe).
//
//   close(N), dup2(_, N), dup3(_, N, _)    → N of the caller's group changes
//   close_range(A, B, flags)                → A..B changes (CLOSE_RANGE_CLOEXEC
//                                             too: an exec will close them);
//                                             with CLOSE_RANGE_UNSHARE, a split
//   execve, execveat                        → the whole table changes
//   unshare(CLONE_FILES), clone/clone3 with
//     CLONE_THREAD but not CLONE_FILES      → a thread with a table of its own:
//                                             the group is untrackable
//   bpf(BPF_PROG_TEST_RUN)                  → bpf_sys_close may close any fd of
//                                             the caller: the group is untrackable
//   clone/clone3 with CLONE_FILES but not
//     CLONE_THREAD                          → two processes share a table and we
//                                             cannot know the child's pid: the
//                                             whole watch is untrackable
//   io_uring_setup                          → IORING_OP_CLOSE needs no syscall we
//                                             see, and a ring may be inherited or
//                                             passed: the whole watch is untrackable
//
// A changed number stays "in flux" for the calling thread until that
// thread's next notification (then its call has completed) or until the
// thread is found gone; what a number in flux names is only known by looking.
//
// Single-threaded.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/ProcessLauncher.h"
#include "engine/SeccompSupervisor.h"
#include "engine/ThreadBirths.h"

namespace faultbox::engine {

// The syscalls the filter notifies only for this watch (never faultable,
// never scheduled), beyond the vocabulary's close, clone, clone3, fork,
// vfork, execve and execveat. dup3 and bpf are notified with conditions
// (SeccompProgram): dup3 except onto kHandoverFd, bpf for
// BPF_PROG_TEST_RUN only.
std::vector<std::string> fd_table_syscall_names();

class FdTableWatch {
 public:
  // The one fd number a process may replace without a notification: the
  // launcher and the shim dup3 the listener onto it while nobody can answer
  // yet (ProcessLauncher::kListenerFd, FAULTBOX_SHIM_LISTENER_FD), so the
  // filter lets dup3 onto it through. Never trusted.
  static constexpr int kHandoverFd = ProcessLauncher::kListenerFd;

  // What a notification tells the cache to forget.
  struct Change {
    enum class Kind { None, Range, WholeTable };
    Kind kind = Kind::None;
    pid_t tgid = 0;
    unsigned lo = 0, hi = 0;  // Range: inclusive
  };

  // Every notification, at receipt. Reads clone3's flags from the target's
  // memory (unreadable: assumed the worst).
  Change observe(const SyscallEvent& ev);
  // A process started without a notified fork (the launcher, the shim).
  void process_started() { births_.process_started(); }

  // Whether what fd `fd` of `tgid` names now stays what it names until a
  // notification we will see: no change of it in flux, the group trackable.
  bool trustable(pid_t tgid, int fd) const;
  const ThreadBirths& births() const { return births_; }
  // For tests and stats.
  bool untrackable(pid_t tgid) const { return everything_untrackable_ || untrackable_.count(tgid) != 0; }
  size_t in_flux() const { return fluxes_.size(); }

 private:
  struct Flux {
    pid_t tid = 0;
    pid_t tgid = 0;
    unsigned lo = 0, hi = 0;  // inclusive; the whole table is 0..UINT_MAX
  };

  Change begin_flux(const SyscallEvent& ev, unsigned lo, unsigned hi, Change::Kind kind);
  void end_flux(pid_t tid);
  void reap_gone_threads();
  // A clone's or clone3's flags: a thread without the table, or a process
  // with it, makes the table untrackable.
  void cloned(const SyscallEvent& ev, uint64_t flags);

  ThreadBirths births_;
  std::vector<Flux> fluxes_;  // at most one per thread; usually empty
  std::unordered_set<pid_t> untrackable_;
  bool everything_untrackable_ = false;
  uint32_t since_reap_ = 0;
};

}  // namespace faultbox::engine
