// TargetQuery for real processes (DESIGN.md §3, "The supervisor").
//
// Per thread group: one pidfd, opened on first need and kept; dropped when
// pidfd_getfd says the process is gone (ESRCH — then reopened once, in case
// the pid was reused by a new process), on forget_process(), and by a sweep
// of exited processes when the table grows.
//
// Per (thread group, fd): what the fd is, learnt from a pidfd_getfd
// duplicate (statx; for sockets SO_DOMAIN/SO_TYPE/SO_ACCEPTCONN and
// getsockname/getpeername; for files readlink of /proc/TGID/fd/N), cached,
// and RE-CHECKED ON EVERY HIT: dup2, dup3, close_range, exec (O_CLOEXEC) and
// SCM_RIGHTS change what a number names without a close() we could watch.
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
// Known limit: a thread that unshared its fd table (unshare(CLONE_FILES),
// rare) is answered from the thread group leader's table.
//
// Single-threaded: lives on the loop thread with the supervisor.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <unordered_map>

#include "engine/TargetQuery.h"
#include "engine/UniqueFd.h"

namespace faultbox::engine {

class TargetInspector final : public TargetQuery {
 public:
  struct Stats {
    uint64_t pidfd_opens = 0;  // pidfd_open calls
    uint64_t inspections = 0;  // fds described afresh (a pidfd_getfd duplicate each)
    uint64_t cache_hits = 0;   // answered from the cache after the (dev, ino) check
    uint64_t cache_stale = 0;  // entries whose (dev, ino) had changed
    uint64_t memory_reads = 0;  // strings and socket addresses read
  };

  TargetInspector() = default;
  TargetInspector(const TargetInspector&) = delete;
  TargetInspector& operator=(const TargetInspector&) = delete;

  const FdFacts* fd(pid_t tgid, int fd) override;
  std::optional<std::string> string_at(pid_t tgid, uint64_t addr) override;
  std::optional<SocketAddress> sockaddr_at(pid_t tgid, uint64_t addr, uint64_t len) override;
  std::optional<std::string> absolute(pid_t tid, pid_t tgid, int dirfd, const std::string& path) override;

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

 private:
  struct Process {
    UniqueFd pidfd;
    UniqueFd fd_dir;  // /proc/TGID/fd (O_PATH), opened right after the pidfd
    std::unordered_map<int, FdFacts> fds;
  };

  // Duplicates `fd` of the process (opening or reopening its pidfd as
  // needed) and describes it; false when the fd is not open or the process
  // is gone (then the process entry may have been erased).
  bool inspect(pid_t tgid, int fd, FdFacts& out);
  // Whether fd `fd` of `p` names, now, the file `cached` was learnt from.
  static bool still_names(const Process& p, int fd, const FdFacts& cached);
  // Drops processes that have exited, once the table has doubled since the
  // last sweep — forget_process() is the normal path; this bounds the table
  // for short-lived children whose exit nobody reported.
  void sweep_if_grown();

  std::unordered_map<pid_t, Process> procs_;
  size_t sweep_at_ = 64;
  Stats stats_;
};

}  // namespace faultbox::engine
