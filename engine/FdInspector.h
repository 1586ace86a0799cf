// What a target's file descriptor is: a regular file, a socket, a pipe...
// Read through pidfd_getfd on a duplicate, so the answer is about the very
// open file the syscall will use (not a path that may have changed).
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace faultbox::engine {

enum class FdKind { Unknown, RegularFile, Socket, Pipe, CharDevice, Directory, Other };

struct FdInfo {
  FdKind kind = FdKind::Unknown;
  dev_t dev = 0;
  ino_t ino = 0;
};

// `pidfd` refers to the thread group that owns `fd`. Unknown if the fd is
// closed or the process is gone.
FdInfo inspect_fd(int pidfd, int fd);

// The kind of file an st_mode / stx_mode names.
FdKind fd_kind_of_mode(mode_t mode);

const char* fd_kind_name(FdKind k);

}  // namespace faultbox::engine
