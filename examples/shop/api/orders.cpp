#include "orders.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace shop {

bool is_disk_full(int err) { return err == ENOSPC || err == EDQUOT; }

AppendResult append_durably(const std::string& path, const std::string& line) {
  // Opened per order: O_APPEND makes each record one atomic append, and no
  // descriptor outlives a request (the file may be rotated or removed).
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return {errno, "open"};

  std::string record = line + "\n";
  const char* p = record.data();
  size_t left = record.size();
  AppendResult result;
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      result = {errno, "write"};
      break;
    }
    // A short write (n < left) is not an error yet: the next write reports
    // why the rest did not fit (ENOSPC on a full disk).
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (result.err == 0 && ::fsync(fd) != 0) result = {errno, "fsync"};
  // close can report a deferred write error (NFS, quota); keep the first one.
  if (::close(fd) != 0 && result.err == 0 && errno != EINTR) result = {errno, "close"};
  return result;
}

}  // namespace shop
