// Where a syscall keeps what a fault rule looks at: which argument is the fd
// it works on, which are path names (and the dirfd each is relative to), and
// which is a socket address. x86-64 argument order, for the syscalls of the
// faultable vocabulary (spec/vocabulary/Syscalls.h); any other name has an
// empty shape.
#pragma once

#include <string_view>

namespace faultbox::engine {

struct SyscallShape {
  struct PathArg {
    int path = -1;   // argument index of the path string, -1 = none
    int dirfd = -1;  // argument index of the dirfd it is relative to; -1 = the cwd
  };
  int fd_arg = -1;  // the fd the call reads, writes, syncs...; -1 = none
  PathArg paths[2];  // rename has two
  int sockaddr_arg = -1;  // connect/bind: the address and its length
  int socklen_arg = -1;

  bool has_path() const { return paths[0].path >= 0; }
};

// The shape of `name` ("pwrite64"); an empty shape for unknown names.
const SyscallShape& syscall_shape(std::string_view name);

}  // namespace faultbox::engine
