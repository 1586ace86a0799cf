// Stream positions against known amounts on loopback, including the SYN and
// FIN edges the formulas in scheduler/SocketProgress.h are built around.
#include "scheduler/SocketProgress.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <vector>

#include "tests/scheduler/socket_pair_support.h"

using namespace faultbox::scheduler;
using namespace faultbox::scheduler::testing;

namespace {

StreamPosition position(int fd) {
  auto p = stream_position(fd);
  if (!p) throw std::runtime_error("no stream position");
  return *p;
}

tcp_info info(int fd) {
  tcp_info ti{};
  socklen_t len = sizeof ti;
  ::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
  return ti;
}

int outq(int fd) {
  int n = -1;
  ::ioctl(fd, SIOCOUTQ, &n);
  return n;
}

void send_all(int fd, size_t n) {
  std::vector<char> buf(n, 'x');
  size_t done = 0;
  while (done < n) {
    ssize_t k = ::send(fd, buf.data() + done, n - done, 0);
    if (k <= 0) throw std::runtime_error("send failed");
    done += static_cast<size_t>(k);
  }
}

void recv_exactly(int fd, size_t n) {
  std::vector<char> buf(n);
  size_t done = 0;
  while (done < n) {
    ssize_t k = ::recv(fd, buf.data() + done, n - done, 0);
    if (k <= 0) throw std::runtime_error("recv failed or EOF");
    done += static_cast<size_t>(k);
  }
}

// Waits (bounded) until the peer has acked everything `fd` sent.
void wait_acked(int fd) {
  for (int i = 0; i < 10000 && outq(fd) > 0; ++i) ::usleep(100);
}

}  // namespace

TEST(SocketProgress, CountsWhatTheApplicationReadAndWrote) {
  TcpPair p = tcp_pair();
  StreamPosition c0 = position(p.client.get()), s0 = position(p.server.get());
  EXPECT_EQ(c0.read, 0u);
  EXPECT_EQ(c0.written, 0u);
  EXPECT_EQ(s0.read, 0u);
  EXPECT_EQ(s0.written, 0u);

  send_all(p.client.get(), 1000);
  EXPECT_EQ(position(p.client.get()).written, 1000u);
  EXPECT_EQ(position(p.server.get()).read, 0u);  // arrived, not read
  recv_exactly(p.server.get(), 300);
  EXPECT_EQ(position(p.server.get()).read, 300u);
  recv_exactly(p.server.get(), 700);
  EXPECT_EQ(position(p.server.get()).read, 1000u);

  send_all(p.server.get(), 42);
  recv_exactly(p.client.get(), 40);
  StreamPosition c = position(p.client.get()), s = position(p.server.get());
  EXPECT_EQ(c.written, 1000u);
  EXPECT_EQ(c.read, 40u);
  EXPECT_EQ(s.written, 42u);
  EXPECT_EQ(s.read, 1000u);
}

// Why `written` does not use tcpi_bytes_acked: the active opener's counts
// its SYN, the passive side's does not count its SYN-ACK.
TEST(SocketProgress, BytesAckedCountsTheActiveOpenersSynOnly) {
  TcpPair p = tcp_pair();
  send_all(p.client.get(), 500);
  send_all(p.server.get(), 70);
  wait_acked(p.client.get());
  wait_acked(p.server.get());
  EXPECT_EQ(info(p.client.get()).tcpi_bytes_acked, 501u);  // 500 + SYN
  EXPECT_EQ(info(p.server.get()).tcpi_bytes_acked, 70u);   // no SYN-ACK
  EXPECT_EQ(position(p.client.get()).written, 500u);
  EXPECT_EQ(position(p.server.get()).written, 70u);
}

TEST(SocketProgress, AFinIsNeitherReadNorWritten) {
  TcpPair p = tcp_pair();
  send_all(p.client.get(), 1000);
  recv_exactly(p.server.get(), 300);
  ASSERT_EQ(::shutdown(p.client.get(), SHUT_WR), 0);
  wait_acked(p.client.get());

  // The FIN is in the receiver's tcpi_bytes_received; 700 bytes still unread.
  StreamPosition s = position(p.server.get());
  EXPECT_TRUE(s.fin_received);
  EXPECT_EQ(info(p.server.get()).tcpi_bytes_received, 1001u);
  EXPECT_EQ(s.read, 300u);
  StreamPosition c = position(p.client.get());
  EXPECT_TRUE(c.fin_sent);
  EXPECT_EQ(c.written, 1000u);

  recv_exactly(p.server.get(), 700);
  EXPECT_EQ(position(p.server.get()).read, 1000u);
  char b;
  ASSERT_EQ(::recv(p.server.get(), &b, 1, 0), 0);  // EOF consumes the FIN
  EXPECT_EQ(position(p.server.get()).read, 1000u);

  // The other direction still works, and closing ends in CLOSE states on
  // both sides (FIN_WAIT2 + FIN hands the client over to a time-wait socket).
  send_all(p.server.get(), 50);
  p.server.reset();
  StreamPosition c_after = position(p.client.get());
  EXPECT_TRUE(c_after.fin_received);
  EXPECT_EQ(c_after.read, 0u);
  recv_exactly(p.client.get(), 50);
  EXPECT_EQ(position(p.client.get()).read, 50u);
  ASSERT_EQ(::recv(p.client.get(), &b, 1, 0), 0);
  EXPECT_EQ(position(p.client.get()).read, 50u);
  EXPECT_EQ(position(p.client.get()).written, 1000u);
}

// A receiver that does not read: the sender's data waits unsent, loopback
// even retransmits into the full window, and the count stays exact.
TEST(SocketProgress, ExactWithUnsentDataRetransmitsAndAQueuedFin) {
  TcpPair p = tcp_pair();
  int flags = ::fcntl(p.client.get(), F_GETFL);
  ::fcntl(p.client.get(), F_SETFL, flags | O_NONBLOCK);
  std::vector<char> chunk(65536, 'y');
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::send(p.client.get(), chunk.data(), chunk.size(), 0);
    if (n < 0) break;
    total += static_cast<uint64_t>(n);
  }
  ::fcntl(p.client.get(), F_SETFL, flags);
  ASSERT_GT(info(p.client.get()).tcpi_notsent_bytes, 0u);  // the case under test
  EXPECT_EQ(position(p.client.get()).written, total);

  ASSERT_EQ(::shutdown(p.client.get(), SHUT_WR), 0);  // FIN queued behind unsent data
  StreamPosition queued = position(p.client.get());
  EXPECT_TRUE(queued.fin_sent);
  EXPECT_EQ(queued.written, total);

  uint64_t got = 0;
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::recv(p.server.get(), buf.data(), buf.size(), 0);
    ASSERT_GE(n, 0);
    if (n == 0) break;
    got += static_cast<uint64_t>(n);
    EXPECT_EQ(position(p.server.get()).read, got);
  }
  EXPECT_EQ(got, total);
  wait_acked(p.client.get());
  EXPECT_EQ(position(p.client.get()).written, total);
  EXPECT_EQ(position(p.server.get()).read, total);
}

TEST(SocketProgress, NotForListenersOrOtherSockets) {
  sockaddr_in addr;
  Fd l = listener(addr);
  EXPECT_FALSE(stream_position(l.get()).has_value());
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  Fd a(sv[0]), b(sv[1]);
  EXPECT_FALSE(stream_position(a.get()).has_value());
  Fd udp = checked(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket");
  EXPECT_FALSE(stream_position(udp.get()).has_value());
}

TEST(SocketProgress, ADuplicateSeesTheSameStream) {
  TcpPair p = tcp_pair();
  Fd pidfd = checked(static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0)), "pidfd_open");
  Fd dup = checked(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), p.server.get(), 0)), "pidfd_getfd");
  send_all(p.client.get(), 123);
  recv_exactly(p.server.get(), 23);
  EXPECT_EQ(position(dup.get()).read, 23u);
}
