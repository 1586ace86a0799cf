// SIGINT/SIGTERM while faultbox runs services: the signal must not kill
// faultbox before its teardown (the services would outlive it until the next
// start sweeps them), so it is turned into an fd the run's EventLoop
// watches (the self-pipe pattern), and the run tears down and exits.
//
// Process-wide state, by necessity of signals: the handler writes one byte
// to a pipe whose write end is kept in a `volatile sig_atomic_t` — the only
// globals this object touches (with the signal number, also a
// sig_atomic_t), set while the object lives and reset by its
// destructor. One instance at a time.
#pragma once

#include <csignal>

#include "engine/UniqueFd.h"

namespace faultbox::engine {

class InterruptSignal {
 public:
  // Installs the handlers for SIGINT and SIGTERM. Throws EnvironmentError.
  InterruptSignal();
  // Restores the previous handlers.
  ~InterruptSignal();
  InterruptSignal(const InterruptSignal&) = delete;
  InterruptSignal& operator=(const InterruptSignal&) = delete;

  // Readable once a signal arrived (never drained: it stays readable).
  int fd() const { return read_.get(); }
  // The signal that arrived, 0 if none.
  int received() const;

 private:
  UniqueFd read_, write_;
  struct sigaction old_int_ {}, old_term_ {};
};

}  // namespace faultbox::engine
