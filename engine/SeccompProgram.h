// The BPF program every service runs under: notify on each syscall of the
// faultable vocabulary, allow everything else. Built with libseccomp in the
// parent before fork and exported as raw BPF, because after fork the child
// may only make raw syscalls (no malloc, no library calls).
#pragma once

#include <linux/filter.h>

#include <cstddef>

#include <string>
#include <vector>

namespace faultbox::engine {

// Every syscall of spec/vocabulary's families (the filter notifies on each).
std::vector<std::string> filtered_syscall_names();

class SeccompProgram {
 public:
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
