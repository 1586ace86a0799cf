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
  switch (st.st_mode & S_IFMT) {
    case S_IFREG: info.kind = FdKind::RegularFile; break;
    case S_IFSOCK: info.kind = FdKind::Socket; break;
    case S_IFIFO: info.kind = FdKind::Pipe; break;
    case S_IFCHR: info.kind = FdKind::CharDevice; break;
    case S_IFDIR: info.kind = FdKind::Directory; break;
    default: info.kind = FdKind::Other; break;
  }
  return info;
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
