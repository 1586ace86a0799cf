#include "spec/vocabulary/Syscalls.h"

#include <algorithm>

namespace faultbox::star {

namespace {

// x86-64. Families are what a user means by the verb: `write` is every way
// of writing to an fd, `send` every way of sending on a socket, and so on.
const std::vector<SyscallFamily>& families() {
  static const std::vector<SyscallFamily> kFamilies = {
      {"read", {"read", "readv", "pread64", "preadv", "preadv2"}, "reads from files, pipes and sockets"},
      {"write", {"write", "writev", "pwrite64", "pwritev", "pwritev2"}, "writes to files, pipes and sockets"},
      {"send", {"sendto", "sendmsg", "sendmmsg"}, "sends on sockets"},
      {"recv", {"recvfrom", "recvmsg", "recvmmsg"}, "receives on sockets"},
      {"open", {"open", "openat", "openat2", "creat"}, "opens files"},
      {"fsync", {"fsync", "fdatasync"}, "flushes files to disk"},
      {"connect", {"connect"}, "connects sockets (a service's links; see direction=)"},
      {"accept", {"accept", "accept4"}, "accepts connections"},
      {"close", {"close"}, "closes fds"},
      {"socket", {"socket"}, "creates sockets"},
      {"bind", {"bind"}, "binds sockets"},
      {"listen", {"listen"}, "listens on sockets"},
      {"unlink", {"unlink", "unlinkat"}, "removes files"},
      {"rename", {"rename", "renameat", "renameat2"}, "renames files"},
      {"mkdir", {"mkdir", "mkdirat"}, "creates directories"},
      {"rmdir", {"rmdir"}, "removes directories"},
      {"truncate", {"truncate", "ftruncate"}, "truncates files"},
      {"fallocate", {"fallocate"}, "allocates file space"},
      {"stat", {"stat", "fstat", "lstat", "newfstatat", "statx"}, "reads file metadata"},
      {"sync", {"sync", "syncfs", "sync_file_range"}, "flushes file systems"},
      {"getrandom", {"getrandom"}, "reads random bytes"},
      {"fork", {"clone", "clone3", "fork", "vfork"}, "creates processes and threads"},
      {"exec", {"execve", "execveat"}, "executes programs"},
      {"mmap", {"mmap", "munmap", "mremap", "mprotect"}, "maps memory"},
      {"poll", {"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "epoll_pwait2"},
       "waits for fds"},
      {"nanosleep", {"nanosleep", "clock_nanosleep"}, "sleeps"},
  };
  return kFamilies;
}

struct Unenforceable {
  const char* name;
  const char* why;
};

constexpr Unenforceable kUnenforceable[] = {
    {"clock_gettime", "is answered by the vDSO without entering the kernel, so seccomp never sees it"},
    {"gettimeofday", "is answered by the vDSO without entering the kernel, so seccomp never sees it"},
    {"time", "is answered by the vDSO without entering the kernel, so seccomp never sees it"},
    {"getcpu", "is answered by the vDSO without entering the kernel, so seccomp never sees it"},
    {"io_uring_enter", "submits I/O that the kernel performs without the syscalls a rule would see"},
    {"io_uring_setup", "sets up io_uring, whose I/O the kernel performs without the syscalls a rule would see"},
    {"sendfile", "moves data inside the kernel, without the read/write syscalls a rule would see"},
    {"splice", "moves data inside the kernel, without the read/write syscalls a rule would see"},
    {"tee", "moves data inside the kernel, without the read/write syscalls a rule would see"},
    {"vmsplice", "moves data inside the kernel, without the read/write syscalls a rule would see"},
    {"copy_file_range", "moves data inside the kernel, without the read/write syscalls a rule would see"},
};

}  // namespace

std::span<const SyscallFamily> syscall_families() { return families(); }

const SyscallFamily* find_syscall_family(std::string_view name) {
  for (const SyscallFamily& f : families())
    if (name == f.name) return &f;
  return nullptr;
}

bool is_faultable_syscall(std::string_view name) {
  for (const SyscallFamily& f : families())
    if (std::find(f.syscalls.begin(), f.syscalls.end(), name) != f.syscalls.end()) return true;
  return false;
}

std::string unenforceable_reason(std::string_view name) {
  for (const Unenforceable& u : kUnenforceable)
    if (name == u.name) return u.why;
  return {};
}

std::vector<std::string> expand_rule_key(std::string_view key) {
  if (const SyscallFamily* f = find_syscall_family(key)) return f->syscalls;
  if (is_faultable_syscall(key)) return {std::string(key)};
  return {};
}

std::vector<std::string> rule_key_names() {
  std::vector<std::string> out;
  for (const SyscallFamily& f : families()) out.emplace_back(f.name);
  for (const SyscallFamily& f : families())
    for (const std::string& s : f.syscalls)
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  return out;
}

}  // namespace faultbox::star
