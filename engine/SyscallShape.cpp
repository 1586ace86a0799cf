#include "engine/SyscallShape.h"

#include <string>
#include <unordered_map>

namespace faultbox::engine {

namespace {

SyscallShape fd0() {
  SyscallShape s;
  s.fd_arg = 0;
  return s;
}

SyscallShape path(int arg, int dirfd = -1) {
  SyscallShape s;
  s.paths[0] = {arg, dirfd};
  return s;
}

SyscallShape two_paths(SyscallShape::PathArg a, SyscallShape::PathArg b) {
  SyscallShape s;
  s.paths[0] = a;
  s.paths[1] = b;
  return s;
}

SyscallShape with_sockaddr() {
  SyscallShape s = fd0();
  s.sockaddr_arg = 1;
  s.socklen_arg = 2;
  return s;
}

struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

using Table = std::unordered_map<std::string, SyscallShape, NameHash, std::equal_to<>>;

const Table& table() {
  // Immutable after first use: a lookup table, not state.
  static const Table kTable = [] {
    Table t;
    for (const char* n : {"read", "readv", "pread64", "preadv", "preadv2", "write", "writev", "pwrite64", "pwritev",
                          "pwritev2", "sendto", "sendmsg", "sendmmsg", "recvfrom", "recvmsg", "recvmmsg", "fsync",
                          "fdatasync", "accept", "accept4", "listen", "close", "ftruncate", "fallocate", "fstat",
                          "syncfs", "sync_file_range"})
      t.emplace(n, fd0());
    t.emplace("connect", with_sockaddr());
    t.emplace("bind", with_sockaddr());
    for (const char* n : {"open", "creat", "unlink", "mkdir", "rmdir", "truncate", "stat", "lstat", "execve"})
      t.emplace(n, path(0));
    for (const char* n : {"openat", "openat2", "unlinkat", "mkdirat", "newfstatat", "statx", "execveat"})
      t.emplace(n, path(1, 0));
    t.emplace("rename", two_paths({0, -1}, {1, -1}));
    t.emplace("renameat", two_paths({1, 0}, {3, 2}));
    t.emplace("renameat2", two_paths({1, 0}, {3, 2}));
    SyscallShape mmap;
    mmap.fd_arg = 4;  // -1 for anonymous maps
    t.emplace("mmap", mmap);
    return t;
  }();
  return kTable;
}

}  // namespace

const SyscallShape& syscall_shape(std::string_view name) {
  static const SyscallShape kEmpty;
  const Table& t = table();
  auto it = t.find(name);
  return it == t.end() ? kEmpty : it->second;
}

}  // namespace faultbox::engine
