// Connected TCP pairs on loopback for the readiness and progress tests.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace faultbox::scheduler::testing {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

inline Fd checked(int fd, const char* what) {
  if (fd < 0) throw std::runtime_error(std::string(what) + " failed");
  return Fd(fd);
}

// A listener on 127.0.0.1 and an ephemeral port.
inline Fd listener(sockaddr_in& addr) {
  Fd l = checked(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
  addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(l.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(l.get(), 8) != 0)
    throw std::runtime_error("bind/listen on loopback failed");
  socklen_t len = sizeof addr;
  ::getsockname(l.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return l;
}

inline Fd connect_to(const sockaddr_in& addr) {
  Fd c = checked(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
  if (::connect(c.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("connect on loopback failed");
  return c;
}

struct TcpPair {
  Fd client;  // the active opener (connect)
  Fd server;  // the passive side (accept)
};

inline TcpPair tcp_pair() {
  sockaddr_in addr;
  Fd l = listener(addr);
  TcpPair p;
  p.client = connect_to(addr);
  p.server = checked(::accept4(l.get(), nullptr, nullptr, SOCK_CLOEXEC), "accept4");
  return p;
}

}  // namespace faultbox::scheduler::testing
