#include "engine/FdInspector.h"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/UniqueFd.h"

namespace faultbox::engine {

FdInfo inspect_fd(int pidfd, int fd) {
  FdInfo info;
  UniqueFd dup(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, fd, 0)));
  if (!dup) return info;
  struct stat st {};
  if (::fstat(dup.get(), &st) < 0) return info;
  info.dev = st.st_dev;
  info.ino = st.st_ino;
  info.kind = fd_kind_of_mode(st.st_mode);
  return info;
}

FdKind fd_kind_of_mode(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return FdKind::RegularFile;
    case S_IFSOCK: return FdKind::Socket;
    case S_IFIFO: return FdKind::Pipe;
    case S_IFCHR: return FdKind::CharDevice;
    case S_IFDIR: return FdKind::Directory;
    default: return FdKind::Other;
  }
}

const char* fd_kind_name(FdKind k) {
  switch (k) {
    case FdKind::Unknown: return "unknown";
    case FdKind::RegularFile: return "file";
    case FdKind::Socket: return "socket";
    case FdKind::Pipe: return "pipe";
    case FdKind::CharDevice: return "chardev";
    case FdKind::Directory: return "directory";
    case FdKind::Other: return "other";
  }
  return "unknown";
}

}  // namespace faultbox::engine
