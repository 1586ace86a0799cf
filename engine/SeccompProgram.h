// The BPF program every service runs under: notify on each syscall of the
// faultable vocabulary and on the calls that change fd tables (FdTableWatch),
// allow everything else. Built with libseccomp in the
// parent before fork and exported as raw BPF, because after fork the child
// may only make raw syscalls (no malloc, no library calls).
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstddef>

#include <string>
#include <vector>

// Debian 12's headers predate some of these (DESIGN.md §3).
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

namespace faultbox::engine {

// Every syscall of spec/vocabulary's families (the filter notifies on each).
std::vector<std::string> filtered_syscall_names();

class SeccompProgram {
 public:
  // How every service's filter is installed, by a local child or by the
  // shim in a container: with a listener the supervisor takes over, and a
  // notified thread waits killably (SIGKILL still ends a parked service).
  static constexpr unsigned long kInstallFlags =
      SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;

  // The standard program (filtered_syscall_names()). Throws
  // EnvironmentError when libseccomp cannot build it.
  static SeccompProgram build_standard();

  // A sock_fprog pointing into this object; valid while it lives.
  sock_fprog fprog() const {
    return sock_fprog{static_cast<unsigned short>(insns_.size()),
                      const_cast<sock_filter*>(insns_.data())};
  }
  size_t size() const { return insns_.size(); }
  // Kernel numbers of the notified syscalls (native arch).
  const std::vector<int>& notified() const { return notified_; }

 private:
  std::vector<sock_filter> insns_;
  std::vector<int> notified_;
};

}  // namespace faultbox::engine
