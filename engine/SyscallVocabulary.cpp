#include "engine/SyscallVocabulary.h"

#include <algorithm>

namespace faultbox::engine {

namespace {

struct Invisible {
  std::string_view name;
  std::string_view reason;
};

// Syscalls seccomp cannot see or whose effect happens outside any syscall we
// could answer. Naming one in a rule is a spec error, never a silent no-op.
constexpr Invisible kInvisible[] = {
    {"clock_gettime", "is served by the vDSO and never enters the kernel"},
    {"gettimeofday", "is served by the vDSO and never enters the kernel"},
    {"time", "is served by the vDSO and never enters the kernel"},
    {"getcpu", "is served by the vDSO and never enters the kernel"},
    {"io_uring_enter", "submits io_uring work that seccomp cannot see operation by operation"},
    {"io_uring_setup", "sets up io_uring, whose operations seccomp cannot see"},
    {"sendfile", "copies inside the kernel; its reads and writes are not separate syscalls"},
    {"splice", "copies inside the kernel; its reads and writes are not separate syscalls"},
    {"tee", "copies inside the kernel; its reads and writes are not separate syscalls"},
    {"copy_file_range", "copies inside the kernel; its reads and writes are not separate syscalls"},
    {"vmsplice", "maps user pages into a pipe; no write syscall to intercept"},
};

}  // namespace

SyscallVocabulary::SyscallVocabulary() {
  families_ = {
      {"write", {"write", "writev", "pwrite64", "pwritev", "pwritev2"}},
      {"read", {"read", "readv", "pread64", "preadv", "preadv2"}},
      {"send", {"sendto", "sendmsg", "sendmmsg"}},
      {"recv", {"recvfrom", "recvmsg", "recvmmsg"}},
      {"open", {"open", "openat", "openat2", "creat"}},
      {"fsync", {"fsync", "fdatasync"}},
      {"connect", {"connect"}},
      {"accept", {"accept", "accept4"}},
      {"bind", {"bind"}},
      {"listen", {"listen"}},
      {"socket", {"socket"}},
      {"close", {"close"}},
      {"unlink", {"unlink", "unlinkat"}},
      {"rename", {"rename", "renameat", "renameat2"}},
      {"mkdir", {"mkdir", "mkdirat"}},
      {"truncate", {"truncate", "ftruncate"}},
      {"fallocate", {"fallocate"}},
      {"sync_file_range", {"sync_file_range"}},
  };
}

const SyscallVocabulary& SyscallVocabulary::standard() {
  static const SyscallVocabulary vocabulary;  // immutable after construction
  return vocabulary;
}

std::optional<std::vector<std::string_view>> SyscallVocabulary::expand(std::string_view name) const {
  for (const auto& f : families_) {
    if (f.name == name) return f.syscalls;
  }
  for (const auto& f : families_) {
    for (auto s : f.syscalls)
      if (s == name) return std::vector<std::string_view>{s};
  }
  return std::nullopt;
}

std::optional<std::string> SyscallVocabulary::invisible_reason(std::string_view name) const {
  for (const auto& i : kInvisible) {
    if (i.name == name) return std::string(name) + " " + std::string(i.reason);
  }
  return std::nullopt;
}

std::vector<std::string_view> SyscallVocabulary::filtered_syscalls() const {
  std::vector<std::string_view> all;
  for (const auto& f : families_) all.insert(all.end(), f.syscalls.begin(), f.syscalls.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

std::string_view SyscallVocabulary::family_of(std::string_view syscall) const {
  for (const auto& f : families_) {
    for (auto s : f.syscalls)
      if (s == syscall) return f.name;
  }
  return syscall;
}

}  // namespace faultbox::engine
