// What fault matching may ask about the process behind a notification: what
// an fd is, a string or socket address in its memory, where a relative path
// points. An interface, so FaultRules can be tested with synthetic answers;
// TargetInspector answers it for real processes (pidfd_getfd, /proc,
// process_vm_readv).
//
// Nothing here re-validates the notification: the caller of these methods
// (FaultRules::decide) checks SECCOMP_IOCTL_NOTIF_ID_VALID before acting on
// what it learnt.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "engine/FdInspector.h"
#include "engine/SocketAddress.h"

namespace faultbox::engine {

struct SocketFacts {
  int domain = 0;  // AF_INET, AF_INET6, AF_UNIX...
  int type = 0;    // SOCK_STREAM, SOCK_DGRAM...
  bool listening = false;
  std::optional<SocketAddress> local;
  std::optional<SocketAddress> peer;  // empty when not connected

  bool is_inet_stream() const { return (domain == AF_INET || domain == AF_INET6) && type == SOCK_STREAM; }
  // A connected stream socket's endpoints never change, and a listening
  // socket stays one: both may be cached. Anything else is re-read.
  bool endpoints_stable() const { return listening || (type == SOCK_STREAM && peer.has_value()); }
};

struct FdFacts {
  FdKind kind = FdKind::Unknown;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string path;    // RegularFile and Directory: the path it was opened by (readlink)
  SocketFacts socket;  // Socket only
};

class TargetQuery {
 public:
  virtual ~TargetQuery() = default;

  // Facts about fd `fd` of thread group `tgid`; null when it is not open
  // (or the process is gone). The pointer is valid until the next call.
  virtual const FdFacts* fd(pid_t tgid, int fd) = 0;
  // The NUL-terminated string at `addr` in the memory of `tgid` (a path
  // argument), at most PATH_MAX bytes; nullopt when unreadable or longer.
  virtual std::optional<std::string> string_at(pid_t tgid, uint64_t addr) = 0;
  // The socket address of `len` bytes at `addr` (a connect/bind argument).
  virtual std::optional<SocketAddress> sockaddr_at(pid_t tgid, uint64_t addr, uint64_t len) = 0;
  // `path` made absolute as thread `tid` of `tgid` resolves it: relative to
  // directory fd `dirfd`, or to the thread's cwd for AT_FDCWD; lexically
  // normalized ("." and ".." folded, symlinks not followed).
  virtual std::optional<std::string> absolute(pid_t tid, pid_t tgid, int dirfd, const std::string& path) = 0;
};

}  // namespace faultbox::engine
