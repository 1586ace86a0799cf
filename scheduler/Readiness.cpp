#include "scheduler/Readiness.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace faultbox::scheduler {

namespace {

[[noreturn]] void fail(const char* what, int fd) {
  throw std::system_error(errno, std::generic_category(),
                          std::string("readiness: ") + what + " of fd " + std::to_string(fd));
}

}  // namespace

bool nonblocking(int dup) {
  int flags = ::fcntl(dup, F_GETFL);
  if (flags < 0) fail("F_GETFL", dup);
  return (flags & O_NONBLOCK) != 0;
}

bool ready(int dup, Direction direction) {
  struct stat st {};
  if (::fstat(dup, &st) < 0) fail("fstat", dup);
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return true;

  const short wanted = direction == Direction::Write ? POLLOUT : (POLLIN | POLLRDHUP);
  pollfd p{dup, wanted, 0};
  int n;
  do {
    n = ::poll(&p, 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) fail("poll", dup);
  if (p.revents & POLLNVAL) {
    errno = EBADF;
    fail("poll", dup);
  }
  // POLLHUP and POLLERR are reported whether asked for or not.
  const short done = direction == Direction::Write ? (POLLOUT | POLLHUP | POLLERR)
                                                   : (POLLIN | POLLHUP | POLLERR | POLLRDHUP);
  return (p.revents & done) != 0;
}

std::optional<std::chrono::microseconds> socket_timeout(int dup, Direction direction) {
  timeval tv{};
  socklen_t len = sizeof tv;
  int opt = direction == Direction::Write ? SO_SNDTIMEO : SO_RCVTIMEO;
  if (::getsockopt(dup, SOL_SOCKET, opt, &tv, &len) < 0) return std::nullopt;  // ENOTSOCK
  if (tv.tv_sec == 0 && tv.tv_usec == 0) return std::nullopt;
  return std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
}

}  // namespace faultbox::scheduler
