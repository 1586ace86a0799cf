// Stream byte positions of a TCP socket, read from a pidfd_getfd duplicate:
// how many bytes the application has read from it and written to it so far.
// The recorder pairs a send with the receive that consumed it by connection
// 4-tuple and these positions (DESIGN.md §6) — CONTINUE never shows a
// syscall's return value, so the kernel's own counters are the only exact
// source. Take the position while the call is parked (before release) and
// again at the thread's next parked call: the difference is what it moved.
//
// What the counters mean, verified on loopback by tests/scheduler/
// socket_progress_test.cpp (Linux 6.x):
// - tcpi_bytes_received counts payload bytes plus 1 for a received FIN, not
//   the SYN. SIOCINQ is the unread payload (it leaves the FIN out). So
//     read = tcpi_bytes_received − SIOCINQ − (FIN received ? 1 : 0).
// - tcpi_bytes_acked is NOT symmetric: the active opener's counts its own
//   SYN (it is 1 right after connect()), the passive side's does not count
//   its SYN-ACK (0 after accept()); both count their FIN once acked, and
//   SIOCOUTQ counts a queued FIN. From a duplicate we cannot tell which side
//   opened, so `acked + SIOCOUTQ` is off by one on connect()ed sockets.
//   Instead: tcpi_bytes_sent counts payload bytes put on the wire including
//   retransmissions (never SYN or FIN), tcpi_bytes_retrans the retransmitted
//   ones, and tcpi_notsent_bytes what is queued but not yet sent (which
//   includes a queued FIN). So
//     written = bytes_sent − bytes_retrans + notsent − (FIN queued unsent ? 1 : 0).
//   A loopback receiver that overflows makes the sender retransmit; the test
//   fills a buffer that far and the formula stays exact.
//
// The read position takes two calls (TCP_INFO, SIOCINQ); they are
// bracketed by a second TCP_INFO and retried when data arrived in between
// (a test that reads while the sender retransmits caught the undercount).
//
// Limits: after a reset (state CLOSE with an error pending, or consumed by
// the application) "FIN received" is a guess and `read` may be one too high
// — positions after a reset pair nothing. TCP Fast Open data in the SYN and
// urgent data are not accounted for.
#pragma once

#include <cstdint>
#include <optional>

namespace faultbox::scheduler {

struct StreamPosition {
  uint64_t read = 0;     // bytes the application has taken out of the socket
  uint64_t written = 0;  // bytes the application has handed to the socket
  bool fin_received = false;
  bool fin_sent = false;  // shutdown(SHUT_WR) or close() queued a FIN
};

// nullopt when `dup` is not a TCP stream socket, is a listener, or data kept
// arriving through 64 attempts at a consistent read.
std::optional<StreamPosition> stream_position(int dup);

// Whether everything written to TCP socket `fd` — data and a FIN — has been
// acknowledged by the peer's kernel (so the peer's readers were woken), or
// there is nothing to wait for: the connection is closed or still opening,
// the peer's window is shut (it must read first), or `fd` is no TCP socket.
// A serialized run waits for it before deciding: across a container bridge,
// and behind Nagle's algorithm, a released send's bytes reach the receiver
// a moment after the syscall returned.
bool output_delivered(int fd);

}  // namespace faultbox::scheduler
