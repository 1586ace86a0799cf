#include "scheduler/SocketProgress.h"

#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstddef>

namespace faultbox::scheduler {

namespace {

// Kernel TCP states (include/net/tcp_states.h); <linux/tcp.h> has no names.
enum : uint8_t {
  kEstablished = 1,
  kSynSent = 2,
  kSynRecv = 3,
  kFinWait1 = 4,
  kFinWait2 = 5,
  kTimeWait = 6,
  kClose = 7,
  kCloseWait = 8,
  kLastAck = 9,
  kListen = 10,
  kClosing = 11,
};

// Data arriving without pause could keep a consistent read from ever
// happening; give up (nullopt) rather than spin. In a serialized run the
// peer is parked almost always, and a burst ends within a few tries.
constexpr int kConsistentReadAttempts = 64;

// Whether the peer's FIN is in tcpi_bytes_received.
bool fin_received(int fd, uint8_t state) {
  switch (state) {
    case kCloseWait:
    case kLastAck:
    case kClosing:
    case kTimeWait:
      return true;
    case kClose: {
      // FIN_WAIT2 + FIN and LAST_ACK + ACK both end in CLOSE (the full socket
      // is replaced by a time-wait one); so does a reset. Receive shutdown
      // without a pending error is the FIN case.
      pollfd p{fd, POLLRDHUP, 0};
      if (::poll(&p, 1, 0) < 0) return false;
      return (p.revents & POLLRDHUP) && !(p.revents & POLLERR);
    }
    default:
      return false;
  }
}

bool fin_sent(uint8_t state) {
  switch (state) {
    case kFinWait1:
    case kFinWait2:
    case kClosing:
    case kTimeWait:
    case kLastAck:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::optional<StreamPosition> stream_position(int dup) {
  int protocol = 0;
  socklen_t plen = sizeof protocol;
  if (::getsockopt(dup, SOL_SOCKET, SO_PROTOCOL, &protocol, &plen) < 0 || protocol != IPPROTO_TCP)
    return std::nullopt;
  auto info = [dup](tcp_info& ti) {
    ti = {};
    socklen_t len = sizeof ti;
    if (::getsockopt(dup, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0) return false;
    // tcpi_bytes_retrans is the newest field we read (Linux 4.19).
    return len >= offsetof(tcp_info, tcpi_bytes_retrans) + sizeof ti.tcpi_bytes_retrans;
  };

  // TCP_INFO is one consistent snapshot, but SIOCINQ is a second call, and
  // data may arrive between the two (the peer, or a retransmission, runs on
  // another CPU): received − inq would then undercount. tcpi_bytes_received
  // only grows, so if it is the same before and after the SIOCINQ, the
  // queue length belongs to that snapshot.
  for (int attempt = 0; attempt < kConsistentReadAttempts; ++attempt) {
    tcp_info before, after;
    if (!info(before)) return std::nullopt;
    if (before.tcpi_state == kListen) return std::nullopt;
    int inq = 0;
    if (::ioctl(dup, SIOCINQ, &inq) < 0) return std::nullopt;
    const bool fin_in = fin_received(dup, before.tcpi_state);
    if (!info(after)) return std::nullopt;
    if (after.tcpi_bytes_received != before.tcpi_bytes_received || after.tcpi_state != before.tcpi_state) continue;

    StreamPosition pos;
    pos.fin_received = fin_in;
    pos.fin_sent = fin_sent(after.tcpi_state);
    uint64_t consumed = after.tcpi_bytes_received - static_cast<uint64_t>(inq);
    if (pos.fin_received && consumed > 0) --consumed;
    pos.read = consumed;
    // One snapshot: nothing to bracket.
    uint64_t written = after.tcpi_bytes_sent - after.tcpi_bytes_retrans + after.tcpi_notsent_bytes;
    // A FIN is queued after all data: if anything is unsent, so is the FIN.
    if (pos.fin_sent && after.tcpi_notsent_bytes > 0) --written;
    pos.written = written;
    return pos;
  }
  return std::nullopt;
}

bool output_delivered(int fd) {
  tcp_info ti{};
  socklen_t len = sizeof ti;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0) return true;
  if (ti.tcpi_state == kSynSent || ti.tcpi_state == kClose || ti.tcpi_state == kListen) return true;
  if (ti.tcpi_unacked == 0 && ti.tcpi_notsent_bytes == 0) return true;
  // A shut window waits on the peer's reader, not on the network.
  return len >= offsetof(tcp_info, tcpi_snd_wnd) + sizeof ti.tcpi_snd_wnd && ti.tcpi_snd_wnd == 0;
}

}  // namespace faultbox::scheduler
