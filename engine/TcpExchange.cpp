#include "engine/TcpExchange.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "engine/DeliveryWatch.h"
#include "engine/NetworkNamespace.h"

namespace faultbox::engine {

namespace {

// strerror as the rest of a step's errors read: "connection refused".
std::string error_text(int err) {
  std::string s = std::strerror(err);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

}  // namespace

TcpExchange::TcpExchange(EventLoop& loop, const NetworkNamespace* netns, DeliveryWatch* delivery,
                         TcpExchangeRequest request, Done done)
    : loop_(loop), netns_(netns), delivery_(delivery), request_(std::move(request)), done_(std::move(done)),
      started_(EventLoop::Clock::now()) {
  deadline_ = loop_.after(request_.timeout, [this] {
    deadline_ = 0;
    on_deadline();
  });
  start();
}

TcpExchange::~TcpExchange() {
  *alive_ = false;
  if (deadline_) loop_.cancel(deadline_);
  if (idle_) loop_.cancel(idle_);
  stop_io();
}

void TcpExchange::stop_io() {
  if (sock_ && loop_.watching(sock_.get())) loop_.unwatch(sock_.get());
  if (sock_ && delivery_) delivery_->close(sock_.release());
  sock_.reset();
}

void TcpExchange::start() {
  // Reports a failure to start from the loop, never from the constructor.
  auto fail_later = [this](std::string why) {
    loop_.defer([this, alive = alive_, why = std::move(why)] {
      if (*alive) finish(false, why);
    });
  };
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(request_.port);
  if (::inet_pton(AF_INET, request_.ip.c_str(), &sa.sin_addr) != 1) {
    fail_later("not a numeric IPv4 address: " + request_.ip);
    return;
  }
  const int type = SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC;
  int s = netns_ ? netns_->socket_in(AF_INET, type, 0) : ::socket(AF_INET, type, 0);
  if (s < 0) {
    fail_later("cannot make a socket: " + error_text(errno));
    return;
  }
  sock_.reset(s);
  if (delivery_) delivery_->opened(s);
  if (::connect(s, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) {
    // Loopback connects may complete at once; still continue from the loop.
    loop_.defer([this, alive = alive_] {
      if (*alive) on_connected();
    });
    return;
  }
  if (errno != EINPROGRESS) {
    fail_later(error_text(errno));
    return;
  }
  loop_.watch(s, EPOLLOUT, [this](uint32_t events) { on_event(events); });
}

void TcpExchange::on_event(uint32_t events) {
  switch (phase_) {
    case Phase::Connecting: {
      int err = 0;
      socklen_t len = sizeof err;
      if (::getsockopt(sock_.get(), SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
      if (err != 0) return finish(false, error_text(err));
      if (events & (EPOLLERR | EPOLLHUP)) return finish(false, "connection failed");
      return on_connected();
    }
    case Phase::Sending:
      return send_more();
    case Phase::Reading:
      return read_more();
    case Phase::Done:
      return;
  }
}

void TcpExchange::on_connected() {
  phase_ = Phase::Sending;
  if (!loop_.watching(sock_.get())) loop_.watch(sock_.get(), EPOLLOUT, [this](uint32_t events) { on_event(events); });
  send_more();
}

void TcpExchange::send_more() {
  while (sent_ < request_.data.size()) {
    // MSG_NOSIGNAL: a peer that closed early must not SIGPIPE faultbox.
    ssize_t n = ::send(sock_.get(), request_.data.data() + sent_, request_.data.size() - sent_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // EPOLLOUT calls again
      return finish(false, "send: " + error_text(errno));
    }
    sent_ += static_cast<size_t>(n);
  }
  phase_ = Phase::Reading;
  loop_.modify(sock_.get(), EPOLLIN | EPOLLRDHUP);
}

void TcpExchange::read_more() {
  char buf[16384];
  for (;;) {
    ssize_t n = ::recv(sock_.get(), buf, sizeof buf, 0);
    if (n > 0) {
      reply_.append(buf, static_cast<size_t>(n));
      last_data_ = EventLoop::Clock::now();
      continue;
    }
    if (n == 0) return finish(true, "");  // the peer closed: the reply is complete
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    // Connected and sent: a reset while reading ends the reply, it does not
    // undo the step (the body shows what arrived).
    return finish(true, "");
  }
  if (!reply_.empty()) arm_idle();
}

void TcpExchange::arm_idle() {
  if (idle_) loop_.cancel(idle_);
  idle_ = loop_.after(request_.idle_gap, [this] {
    idle_ = 0;
    ended_by_idle_ = true;
    finish(true, "");
  });
}

void TcpExchange::on_deadline() {
  const std::string ms = std::to_string(request_.timeout.count());
  switch (phase_) {
    case Phase::Connecting:
      return finish(false, "connect timed out after " + ms + " ms");
    case Phase::Sending:
      return finish(false, "send timed out after " + ms + " ms (" + std::to_string(sent_) + " of " +
                               std::to_string(request_.data.size()) + " bytes sent)");
    case Phase::Reading:
      return finish(true, "");  // a silent peer: sent, nothing (more) came back
    case Phase::Done:
      return;
  }
}

void TcpExchange::finish(bool ok, std::string error) {
  if (phase_ == Phase::Done) return;
  phase_ = Phase::Done;
  if (deadline_) loop_.cancel(deadline_);
  if (idle_) loop_.cancel(idle_);
  deadline_ = idle_ = 0;
  stop_io();
  TcpExchangeResult r;
  r.ok = ok;
  r.error = std::move(error);
  r.reply = std::move(reply_);
  // The idle gap is faultbox's wait, not the service's time: a reply that
  // ended in silence took until its last byte.
  const auto end = ended_by_idle_ ? last_data_ : EventLoop::Clock::now();
  r.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(end - started_).count();
  // Last: the callback may destroy this object.
  Done done = std::move(done_);
  done(std::move(r));
}

std::optional<uint16_t> TcpExchange::local_port() const {
  if (!sock_) return std::nullopt;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(sock_.get(), reinterpret_cast<sockaddr*>(&ss), &len) < 0) return std::nullopt;
  uint16_t port = 0;
  if (ss.ss_family == AF_INET) port = ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) port = ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  if (port == 0) return std::nullopt;
  return port;
}

}  // namespace faultbox::engine
