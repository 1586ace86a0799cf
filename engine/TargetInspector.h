// TargetQuery for real processes (DESIGN.md §3, "The supervisor").
//
// Per thread group: one pidfd, opened on first need and kept; dropped when
// pidfd_getfd says the process is gone (ESRCH — then reopened once, in case
// the pid was reused by a new process), on forget_process(), when a liveness
// poll finds it exited (below), and by a sweep of exited processes when the
// table grows.
//
// Per (thread group, fd): what the fd is, learnt from a pidfd_getfd
// duplicate (statx; for sockets SO_DOMAIN/SO_TYPE/SO_ACCEPTCONN and
// getsockname/getpeername; for files readlink of /proc/TGID/fd/N), cached.
//
// Trusting the cache. DESIGN.md §3 asks a cache keyed by (thread group, fd)
// to re-check (st_dev, st_ino) on every hit, because dup2, close_range, exec
// and fd passing change what a number names without a close. That re-check
// (one statx, below) cost ~3 us per decided call: (d)/(c) ~1.5 in
// bench/bench_syscall_cost. With Watch::Notifications the guarantee is kept
// another way: by watching every way a number can change its file
// (FdTableWatch, fed every notification at receipt by observe()), and
// re-checking only what is in flux or cannot be watched.
//
// The argument. A number N names another file only after N was closed or
// replaced in the caller's table. The kernel paths that do that: close,
// close_range, dup2/dup3 onto an open N, execve/execveat (O_CLOEXEC), the
// io_uring close (IORING_OP_CLOSE, even with SQPOLL and no syscall),
// bpf_sys_close (a BPF_PROG_TYPE_SYSCALL program run by bpf(BPF_PROG_TEST_RUN)),
// seccomp's ADDFD with SETFD (only the listener's holder, us, can: a second
// listener on the chain is refused), and two root-only device ioctls (Android
// binder's deferred close, the autofs control device's CLOSEMOUNT) — the
// known limit below. Everything else that makes an fd (open, socket, accept,
// pipe, SCM_RIGHTS receive, pidfd_getfd, F_DUPFD, ...) fills a FREE slot,
// which needs one of the above first. Tables are shared by clone(CLONE_FILES)
// and split by unshare(CLONE_FILES), CLOSE_RANGE_UNSHARE and clone without
// CLONE_FILES. The filter notifies each of those syscalls (the vocabulary's
// close, clone*, fork, vfork, execve*, plus FdTableWatch's own list, answered
// CONTINUE at once, never faulted or scheduled), so:
//   - close/dup2/dup3/close_range/exec drop the entries at receipt, and the
//     numbers are "in flux" for the calling thread until its next
//     notification (its call has completed: a thread's syscalls are
//     sequential) or until it is found gone; an entry made or hit in flux
//     is CHECKED (re-checked by statx on every hit), and becomes trusted at
//     the first hit after the flux, once the statx agrees;
//   - io_uring_setup, and a clone that makes two processes share a table
//     (the child's pid is unknown), make the whole inspector checked for the
//     rest of its life; unshare(CLONE_FILES), CLOSE_RANGE_UNSHARE, a thread
//     cloned without the table and bpf(BPF_PROG_TEST_RUN) make their thread
//     group checked;
//   - every other entry is TRUSTED: a hit costs no syscall.
// Pid reuse: trusted facts of a dead process must never answer for a new one
// with its pid. A new process is born only from a notified clone/clone3/
// fork/vfork, or started by the launcher or the shim (process_started()).
// ThreadBirths moves an epoch at each birth (at the notification and once it
// is complete); a process whose liveness was last checked before the current
// epoch polls its pidfd once on its next hit (readable: exited → forgotten,
// described afresh). The supervisor's tid → tgid cache follows the same rule.
//
// Slower but still correct: a thread that closes N and exits without another
// notified call keeps N checked until the periodic /proc look finds it gone;
// a non-leader's successful exec (its tid becomes the leader's) keeps the
// whole table checked until then. fd 1000 is always checked: the launcher and
// the shim dup3 the listener onto it before anybody can answer, so the
// filter lets dup3 onto that number through unseen.
//
// The re-check is one statx of entry N in the process's /proc/TGID/fd
// directory, opened once (O_PATH) next to the pidfd: it follows the magic
// link to the open file the number names now and gives its (st_dev, st_ino),
// asking for nothing else (STATX_INO, AT_STATX_DONT_SYNC: no attribute
// refresh or writeback on network filesystems). The directory fd is bound
// to the process, not to its number, so a reused pid can never answer for
// it; it holds no reference on any of the process's files.
//
// Measured in place, per hit, against the alternatives: the stat of the
// path "/proc/TGID/fd/N" this replaced walks three more components and
// cost about 20% more. pidfd_getfd + statx + close is
// about 15% cheaper, but every close of the duplicate calls the file's
// ->flush — a writeback on NFS, a FLUSH request (an upload, on some) on
// FUSE — on each decided call. A kept /proc/TGID/fdinfo/N, re-read, is
// about half the cost, but names the file by (mount id, i_ino), which
// btrfs subvolumes (one superblock, an inode space each) and recycled mount
// ids can make collide: not the (dev, ino) guarantee. kcmp would compare
// the struct file itself but needs a duplicate we would have to keep,
// which would keep every file the target closes open. (Following
// the link takes a reference on the file for an instant, as every way of
// looking at another process's fd does.) A change of (dev, ino) drops the
// entry and the fd is inspected afresh; a socket's endpoints are re-read
// unless they cannot change (SocketFacts::endpoints_stable).
//
// Known limits: a thread that unshared its fd table (unshare(CLONE_FILES),
// rare) is answered, checked, from the thread group leader's table. The
// binder and autofs ioctls above close fds unseen (root only, Android or an
// automounter). An io_uring ring made outside the run and passed in closes
// fds unseen. Watch::None (processes nobody reports on, e.g. a test's own)
// checks every hit, as before.
//
// Single-threaded: lives on the loop thread with the supervisor.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <unordered_map>

#include "engine/FdTableWatch.h"
#include "engine/SeccompSupervisor.h"
#include "engine/TargetQuery.h"
#include "engine/UniqueFd.h"

namespace faultbox::engine {

class TargetInspector final : public TargetQuery {
 public:
  // Notifications: the owner calls observe() with every notification of
  // every process it asks about, at receipt, and process_started() for each
  // process started without a notified fork; entries outside flux are then
  // trusted. None: nobody reports table changes, every hit is re-checked.
  enum class Watch { None, Notifications };

  struct Stats {
    uint64_t pidfd_opens = 0;     // pidfd_open calls
    uint64_t inspections = 0;     // fds described afresh (a pidfd_getfd duplicate each)
    uint64_t trusted_hits = 0;    // answered from the cache without a syscall
    uint64_t checked_hits = 0;    // answered from the cache after the (dev, ino) statx
    uint64_t cache_stale = 0;     // checked entries whose (dev, ino) had changed
    uint64_t flux_drops = 0;      // entries dropped because a watched call changes their number
    uint64_t liveness_polls = 0;  // pidfd polls after a birth (pid reuse)
    uint64_t memory_reads = 0;    // strings and socket addresses read
  };

  explicit TargetInspector(Watch watch = Watch::None) : watching_(watch == Watch::Notifications) {}
  TargetInspector(const TargetInspector&) = delete;
  TargetInspector& operator=(const TargetInspector&) = delete;

  const FdFacts* fd(pid_t tgid, int fd) override;
  std::optional<std::string> string_at(pid_t tgid, uint64_t addr) override;
  std::optional<SocketAddress> sockaddr_at(pid_t tgid, uint64_t addr, uint64_t len) override;
  std::optional<std::string> absolute(pid_t tid, pid_t tgid, int dirfd, const std::string& path) override;

  // Watch::Notifications: every notification, at receipt, before it is
  // decided or parked (ServiceInstance::on_listener).
  void observe(const SyscallEvent& ev);
  // A process started without a notified fork (the launcher, the shim):
  // its pid may be a dead process's.
  void process_started() { watch_.process_started(); }

  // A pidfd_getfd duplicate of fd `fd` of `tgid` (close-on-exec), through
  // the cached pidfd; empty when the fd is not open or the process is gone.
  // The serialized scheduler polls such duplicates to tell whether a parked
  // read would block.
  UniqueFd duplicate(pid_t tgid, int fd);

  // The process exited (the caller saw its pidfd become readable, or reaped
  // it): drop its pidfd and fd cache.
  void forget_process(pid_t tgid);

  const Stats& stats() const { return stats_; }
  size_t cached_processes() const { return procs_.size(); }
  const FdTableWatch& watch() const { return watch_; }

 private:
  struct Entry {
    FdFacts facts;
    bool trusted = false;  // learnt or re-checked outside flux, in a trackable group
  };
  struct Process {
    UniqueFd pidfd;
    UniqueFd fd_dir;  // /proc/TGID/fd (O_PATH), opened right after the pidfd
    uint64_t alive_at = 0;  // ThreadBirths::now() when last known alive
    std::unordered_map<int, Entry> fds;
  };

  // The process entry for `tgid` if any, after the liveness poll a birth
  // since its last check calls for (an exited process is forgotten).
  Process* live_process(pid_t tgid);
  // Duplicates `fd` of the process (opening or reopening its pidfd as
  // needed) and describes it; false when the fd is not open or the process
  // is gone (then the process entry may have been erased).
  bool inspect(pid_t tgid, int fd, FdFacts& out);
  // Whether fd `fd` of `p` names, now, the file `cached` was learnt from.
  static bool still_names(const Process& p, int fd, const FdFacts& cached);
  bool trustable(pid_t tgid, int fd) const { return watching_ && watch_.trustable(tgid, fd); }
  // Drops processes that have exited, once the table has doubled since the
  // last sweep — forget_process() is the normal path; this bounds the table
  // for short-lived children whose exit nobody reported.
  void sweep_if_grown();

  bool watching_;
  FdTableWatch watch_;
  std::unordered_map<pid_t, Process> procs_;
  size_t sweep_at_ = 64;
  Stats stats_;
};

}  // namespace faultbox::engine
