#include "engine/NetworkNamespace.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "engine/EngineError.h"

namespace faultbox::engine {

namespace {

// Brings `lo` up in the current thread's namespace.
int loopback_up() {
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s) return errno;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) < 0) return errno;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) < 0) return errno;
  return 0;
}

}  // namespace

NetworkNamespace NetworkNamespace::create() {
  // A dedicated thread unshares, so faultbox's own threads stay where they are.
  int fd = -1, err = 0;
  std::string step;
  std::thread t([&] {
    if (::unshare(CLONE_NEWNET) < 0) {
      err = errno;
      step = "unshare(CLONE_NEWNET)";
      return;
    }
    fd = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      err = errno;
      step = "opening /proc/thread-self/ns/net";
      return;
    }
    if (int e = loopback_up()) {
      err = e;
      step = "bringing up lo in the run's namespace";
    }
  });
  t.join();
  NetworkNamespace ns;
  ns.fd_.reset(fd);
  if (err) throw EnvironmentError(errno_message("cannot create the run's network namespace: " + step, err));
  return ns;
}

NetworkNamespace NetworkNamespace::of_process(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
  NetworkNamespace ns;
  ns.fd_.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns.fd_) throw EnvironmentError(errno_message("cannot open " + path, errno));
  return ns;
}

int NetworkNamespace::socket_in(int domain, int type, int protocol) const {
  UniqueFd self(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!self) return -1;
  if (::setns(fd_.get(), CLONE_NEWNET) < 0) return -1;
  int s = ::socket(domain, type | SOCK_CLOEXEC, protocol);
  int saved = errno;
  if (::setns(self.get(), CLONE_NEWNET) < 0) {
    // Staying in the run's namespace would silently misroute every later
    // socket of this thread: that is unrecoverable.
    std::terminate();
  }
  errno = saved;
  return s;
}

}  // namespace faultbox::engine
