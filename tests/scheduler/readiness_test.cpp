// Readiness of real sockets, pipes and files (DESIGN.md §4, the enabled set).
#include "scheduler/Readiness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <system_error>
#include <vector>

#include "tests/scheduler/socket_pair_support.h"

using namespace faultbox::scheduler;
using namespace faultbox::scheduler::testing;

namespace {

// Writes until the socket would block; returns the bytes written.
size_t fill(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  std::vector<char> chunk(65536, 'x');
  size_t total = 0;
  for (;;) {
    ssize_t n = ::send(fd, chunk.data(), chunk.size(), 0);
    if (n < 0) break;
    total += static_cast<size_t>(n);
  }
  ::fcntl(fd, F_SETFL, flags);
  return total;
}

}  // namespace

TEST(Readiness, ConnectedTcpPairReadsWhenDataWaits) {
  TcpPair p = tcp_pair();
  EXPECT_FALSE(ready(p.server.get(), Direction::Read));
  EXPECT_TRUE(ready(p.server.get(), Direction::Write));
  ASSERT_EQ(::send(p.client.get(), "ping", 4, 0), 4);
  EXPECT_TRUE(ready(p.server.get(), Direction::Read));  // loopback delivers synchronously
  char buf[8];
  ASSERT_EQ(::recv(p.server.get(), buf, sizeof buf, 0), 4);
  EXPECT_FALSE(ready(p.server.get(), Direction::Read));
}

TEST(Readiness, PeerCloseMakesAReadReady) {
  TcpPair p = tcp_pair();
  EXPECT_FALSE(ready(p.server.get(), Direction::Read));
  p.client.reset();  // FIN: a read returns 0 at once
  EXPECT_TRUE(ready(p.server.get(), Direction::Read));
}

TEST(Readiness, ListenerAcceptsOnlyWithAPendingConnection) {
  sockaddr_in addr;
  Fd l = listener(addr);
  EXPECT_FALSE(ready(l.get(), Direction::Accept));
  Fd c = connect_to(addr);
  EXPECT_TRUE(ready(l.get(), Direction::Accept));
  Fd s = checked(::accept4(l.get(), nullptr, nullptr, SOCK_CLOEXEC), "accept4");
  EXPECT_FALSE(ready(l.get(), Direction::Accept));
}

TEST(Readiness, AFullSendBufferBlocksWritesUntilThePeerReads) {
  TcpPair p = tcp_pair();
  ASSERT_TRUE(ready(p.client.get(), Direction::Write));
  size_t sent = fill(p.client.get());
  ASSERT_GT(sent, 0u);
  EXPECT_FALSE(ready(p.client.get(), Direction::Write));
  // Drain the peer; the sender's buffer frees as the data is acked.
  std::vector<char> buf(1 << 20);
  size_t got = 0;
  while (got < sent && !ready(p.client.get(), Direction::Write)) {
    ssize_t n = ::recv(p.server.get(), buf.data(), buf.size(), 0);
    ASSERT_GT(n, 0);
    got += static_cast<size_t>(n);
  }
  EXPECT_TRUE(ready(p.client.get(), Direction::Write));
}

TEST(Readiness, PipesAndRegularFiles) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  Fd r(fds[0]), w(fds[1]);
  EXPECT_FALSE(ready(r.get(), Direction::Read));
  EXPECT_TRUE(ready(w.get(), Direction::Write));
  ASSERT_EQ(::write(w.get(), "x", 1), 1);
  EXPECT_TRUE(ready(r.get(), Direction::Read));
  char c;
  ASSERT_EQ(::read(r.get(), &c, 1), 1);
  EXPECT_FALSE(ready(r.get(), Direction::Read));
  w.reset();  // writer gone: EOF, POLLHUP
  EXPECT_TRUE(ready(r.get(), Direction::Read));

  char tmpl[] = "/tmp/faultbox-readiness-XXXXXX";
  Fd f = checked(::mkostemp(tmpl, O_CLOEXEC), "mkostemp");
  ::unlink(tmpl);
  EXPECT_TRUE(ready(f.get(), Direction::Read));  // empty, but a read returns 0 at once
  EXPECT_TRUE(ready(f.get(), Direction::Write));
}

TEST(Readiness, NonBlockingIsTheSharedStatusFlag) {
  Fd blocking = checked(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
  Fd nonblock = checked(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket");
  EXPECT_FALSE(nonblocking(blocking.get()));
  EXPECT_TRUE(nonblocking(nonblock.get()));

  // A pidfd_getfd duplicate — what the coordinator holds — sees the target
  // setting O_NONBLOCK later: the flag lives in the shared open file.
  Fd pidfd = checked(static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0)), "pidfd_open");
  Fd dup = checked(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), blocking.get(), 0)), "pidfd_getfd");
  EXPECT_FALSE(nonblocking(dup.get()));
  ::fcntl(blocking.get(), F_SETFL, ::fcntl(blocking.get(), F_GETFL) | O_NONBLOCK);
  EXPECT_TRUE(nonblocking(dup.get()));
}

TEST(Readiness, ABadFdIsAnError) {
  EXPECT_THROW(nonblocking(-1), std::system_error);
  EXPECT_THROW(ready(-1, Direction::Read), std::system_error);
}

TEST(Readiness, SocketTimeouts) {
  TcpPair p = tcp_pair();
  EXPECT_FALSE(socket_timeout(p.client.get(), Direction::Read).has_value());
  timeval tv{1, 500000};
  ASSERT_EQ(::setsockopt(p.client.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  EXPECT_EQ(socket_timeout(p.client.get(), Direction::Read).value_or(std::chrono::microseconds(0)),
            std::chrono::microseconds(1'500'000));
  EXPECT_FALSE(socket_timeout(p.client.get(), Direction::Write).has_value());
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  Fd r(fds[0]), w(fds[1]);
  EXPECT_FALSE(socket_timeout(r.get(), Direction::Read).has_value());  // not a socket
}
