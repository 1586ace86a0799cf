// Send→receive pairing (DESIGN.md §6), so every arrow in the trace is a
// real message: a receive merges the clocks of exactly the sends whose
// bytes it read.
//
// A connection is named by its two endpoints as text ("127.0.0.1:8080",
// "127.0.0.1:41234" — whatever spelling, as long as both ends use the same
// one); each direction is a byte stream with positions counted from 0 (the
// caller gets them from TCP_INFO / SIOCINQ on its duplicate of the socket).
// The sender's `local` is the receiver's `peer`.
//
// A send stays pending until its last byte has been read. Every receive
// that reads any of its bytes merges its clock: a 100-byte send read as
// 60 + 40 gives two arrows from the same send event. That is sound for
// causality (both reads come after the send) and ShiViz only needs the
// clocks consistent. One receive that reads two sends merges both.
// Positions only move forward, so a receive starting at byte N proves the
// bytes before N were read by someone: sends wholly before N are dropped
// without an arrow (their reader was not recorded).
//
// Whole messages, for senders that cannot see byte positions (the
// driver's HTTP request, written by libcurl): sent_message() records a
// send without a range; the first receive on that direction that reads
// anything (received, or received_any) merges it and it is gone.
// received_any() merges and drops every pending send of the direction,
// ranged or not (the driver reading a response whole).
//
// Plain data, no I/O. Misuse — a range with end < begin, or a send that
// starts before the previous one on the same direction ended (a new
// connection on the same endpoints that was never closed()) — throws
// rather than pair bytes of two different connections.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "traces/TraceFile.h"

namespace faultbox::recorder {

class MessageLedger {
 public:
  // The host owning `local` sent stream bytes [begin, end) towards `peer`;
  // `clock` is the send event's clock. An empty range records nothing.
  void sent(const std::string& local, const std::string& peer, uint64_t begin, uint64_t end,
            traces::VectorClock clock);
  // The host owning `local` read bytes [begin, end) that `peer` sent: the
  // clocks of the pending sends it overlaps, in send order.
  std::vector<traces::VectorClock> received(const std::string& local, const std::string& peer, uint64_t begin,
                                            uint64_t end);

  // A send whose byte range is unknown (see the header comment).
  void sent_message(const std::string& local, const std::string& peer, traces::VectorClock clock);
  // Every pending send from `peer` to `local`, in send order; all consumed.
  std::vector<traces::VectorClock> received_any(const std::string& local, const std::string& peer);

  // The connection is gone: forget both directions.
  void closed(const std::string& local, const std::string& peer);

  // Sends from `from` to `to` not yet fully read.
  size_t pending(const std::string& from, const std::string& to) const;

 private:
  struct Send {
    std::optional<std::pair<uint64_t, uint64_t>> range;  // [begin, end); none for a whole message
    traces::VectorClock clock;
  };
  using Direction = std::pair<std::string, std::string>;  // (sender's local, sender's peer)

  std::map<Direction, std::deque<Send>> pending_;
};

}  // namespace faultbox::recorder
