#include "engine/InterruptSignal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "engine/EngineError.h"

namespace faultbox::engine {

namespace {

// The write end of the live InterruptSignal's pipe, -1 when none. Written
// by the constructor/destructor, read by the handler (async-signal-safe).
volatile sig_atomic_t g_interrupt_fd = -1;
// The first signal that arrived (0: none); written by the handler only.
volatile sig_atomic_t g_interrupt_signal = 0;

void on_signal(int signo) {
  int saved = errno;
  if (g_interrupt_signal == 0) g_interrupt_signal = signo;
  unsigned char b = static_cast<unsigned char>(signo);
  if (g_interrupt_fd >= 0) (void)!::write(g_interrupt_fd, &b, 1);
  errno = saved;
}

}  // namespace

InterruptSignal::InterruptSignal() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) throw EnvironmentError(errno_message("pipe2", errno));
  read_.reset(p[0]);
  write_.reset(p[1]);
  g_interrupt_signal = 0;
  g_interrupt_fd = write_.get();
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, &old_int_);
  ::sigaction(SIGTERM, &sa, &old_term_);
}

InterruptSignal::~InterruptSignal() {
  ::sigaction(SIGINT, &old_int_, nullptr);
  ::sigaction(SIGTERM, &old_term_, nullptr);
  g_interrupt_fd = -1;
}

int InterruptSignal::received() const { return g_interrupt_signal; }

}  // namespace faultbox::engine
