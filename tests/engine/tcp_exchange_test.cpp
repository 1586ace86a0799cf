// TcpExchange (the send() step) against listeners made in the test, in the
// test's own network namespace (netns = nullptr): a reply ended by the peer
// closing, a reply ended by silence, a silent peer, a refused connect; with
// a DeliveryWatch, a socket whose bytes the peer has not taken yet is kept
// (half-closed) until it has.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cstring>
#include <optional>

#include "engine/DeliveryWatch.h"
#include "engine/EventLoop.h"
#include "engine/TcpExchange.h"
#include "engine/UniqueFd.h"

using namespace faultbox::engine;
using namespace std::chrono_literals;

namespace {

// A socket bound to 127.0.0.1 on a free port; listening if asked.
struct Listener {
  UniqueFd fd;
  uint16_t port = 0;
  explicit Listener(bool listening) : fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    if (listening) {
      EXPECT_EQ(::listen(fd.get(), 4), 0);
    }
    socklen_t len = sizeof a;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
};

TcpExchangeResult exchange(EventLoop& loop, uint16_t port, std::string data, std::chrono::milliseconds timeout) {
  TcpExchangeRequest req;
  req.port = port;
  req.data = std::move(data);
  req.timeout = timeout;
  req.idle_gap = 100ms;
  std::optional<TcpExchangeResult> result;
  TcpExchange x(loop, nullptr, nullptr, std::move(req), [&](TcpExchangeResult r) { result = std::move(r); });
  EXPECT_TRUE(loop.run_until([&] { return result.has_value(); }, EventLoop::Clock::now() + timeout + 2s));
  return result.value_or(TcpExchangeResult{});
}

TEST(TcpExchange, ReplyEndsWhenThePeerCloses) {
  EventLoop loop;
  Listener l(true);
  std::string got;
  // The "server": answers the first request in upper case and closes.
  UniqueFd conn;
  loop.watch(l.fd.get(), EPOLLIN, [&](uint32_t) {
    conn.reset(::accept4(l.fd.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    loop.watch(conn.get(), EPOLLIN, [&](uint32_t) {
      char buf[64];
      ssize_t n = ::recv(conn.get(), buf, sizeof buf, 0);
      if (n <= 0) return;
      got.assign(buf, static_cast<size_t>(n));
      ASSERT_EQ(::send(conn.get(), "PONG", 4, MSG_NOSIGNAL), 4);
      loop.unwatch(conn.get());
      conn.reset();
    });
  });
  TcpExchangeResult r = exchange(loop, l.port, "ping", 5s);
  loop.unwatch(l.fd.get());
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(got, "ping");
  EXPECT_EQ(r.reply, "PONG");
  EXPECT_LT(r.duration_ms, 1000);
}

TEST(TcpExchange, ASilentPeerIsSentButAnswersNothing) {
  EventLoop loop;
  Listener l(true);  // the kernel completes the handshake; nobody reads
  TcpExchangeResult r = exchange(loop, l.port, "hello", 300ms);
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.reply, "");
  EXPECT_GE(r.duration_ms, 250);
}

TEST(TcpExchange, ARefusedConnectIsAnErrorNotAnException) {
  EventLoop loop;
  Listener l(false);  // bound, not listening: the port refuses
  TcpExchangeResult r = exchange(loop, l.port, "x", 2s);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "connection refused");
}

TEST(TcpExchange, DestroyedBeforeTheEndNeverCallsBack) {
  EventLoop loop;
  Listener l(true);
  bool called = false;
  {
    TcpExchangeRequest req;
    req.port = l.port;
    req.data = "x";
    TcpExchange x(loop, nullptr, nullptr, std::move(req), [&](TcpExchangeResult) { called = true; });
  }
  loop.run_until([] { return false; }, EventLoop::Clock::now() + 50ms);
  EXPECT_FALSE(called);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(TcpExchange, WithADeliveryWatchItsSocketIsWatchedWhileOpenAndHandedOverAtTheEnd) {
  EventLoop loop;
  Listener l(false);
  // A small receive window, inherited by the accepted socket, and a peer
  // that does not read: 4 MB cannot all leave before the timeout.
  int small = 4096;
  ASSERT_EQ(::setsockopt(l.fd.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
  ASSERT_EQ(::listen(l.fd.get(), 4), 0);
  DeliveryWatch watch;
  std::optional<TcpExchangeResult> result;
  size_t watched_during = 0;
  {
    TcpExchangeRequest req;
    req.port = l.port;
    req.data = std::string(4 << 20, 'x');
    req.timeout = 300ms;
    TcpExchange x(loop, nullptr, &watch, std::move(req), [&](TcpExchangeResult r) { result = std::move(r); });
    loop.run_until([] { return false; }, EventLoop::Clock::now() + 50ms);
    watched_during = watch.watching();
    ASSERT_TRUE(loop.run_until([&] { return result.has_value(); }, EventLoop::Clock::now() + 5s));
    EXPECT_FALSE(result->ok);  // cut off by the timeout while sending
  }
  EXPECT_EQ(watched_during, 1u);
  EXPECT_EQ(watch.watching(), 0u);
  // The peer's window is shut with our bytes waiting in it: that counts as
  // delivered (its read is enabled), so the socket was closed at once.
  EXPECT_EQ(watch.lingering(), 0u);
  EXPECT_TRUE(watch.delivered());

  UniqueFd conn(::accept4(l.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(conn);
  char buf[65536];
  ssize_t n = ::recv(conn.get(), buf, sizeof buf, 0);
  EXPECT_GT(n, 0);  // what was sent before the end is there to read
}

}  // namespace
