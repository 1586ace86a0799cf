// The driver's own sockets — HTTP steps' and raw TCP steps' — watched until
// the peers' kernels have acknowledged everything faultbox sent on them:
// request bytes, and the FIN of each one it closed. A serialized run's
// quiescence waits for delivered() (DecisionLoop): a service thread asleep
// in poll() until our bytes or FIN arrive looks quiescent, and across a
// container's bridge (or behind Nagle and a delayed ACK) they arrive a
// moment after send() returns — without the wait, whether the service's
// read is enabled at the next decision would depend on that moment, and a
// replay could diverge. A socket still opening (SYN_SENT: possibly a SYN
// held by a fault) has nothing to deliver yet.
//
// Closing goes through close(): the socket is shut down for writing (the
// FIN leaves now, as close() would send it) and kept, owned here, until its
// peer acknowledged it; the destructor closes what is left.
//
// Single-threaded: the run's loop thread.
#pragma once

#include <cstddef>
#include <set>

namespace faultbox::engine {

class DeliveryWatch {
 public:
  DeliveryWatch() = default;
  ~DeliveryWatch();
  DeliveryWatch(const DeliveryWatch&) = delete;
  DeliveryWatch& operator=(const DeliveryWatch&) = delete;

  // Watches the output of open socket `fd` (still the caller's) until
  // close(fd).
  void opened(int fd);
  // Takes `fd` over: stops watching it as open, shuts it down for writing
  // and keeps it until acknowledged, or closes it at once when nothing is
  // outstanding (or it cannot be shut down: not connected). Returns what
  // close() would: 0, or -1 with errno.
  int close(int fd);
  // Everything sent on watched sockets, and every FIN of closed ones,
  // acknowledged. Closes the lingering sockets that are done.
  bool delivered();

  size_t watching() const { return open_.size(); }
  size_t lingering() const { return lingering_.size(); }

 private:
  bool prune();

  std::set<int> open_;
  std::set<int> lingering_;  // owned
};

}  // namespace faultbox::engine
