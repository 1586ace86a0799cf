// How a process ended, read through its pidfd without reaping it
// (waitid(P_PIDFD, WNOWAIT)): whoever owns the process still waits for it.
#pragma once

#include <optional>

namespace faultbox::engine {

struct ProcessEnding {
  bool exited = false;  // true: `code` is its exit status; false: the signal that killed it
  int code = 0;
};

// nullopt while the process runs, or when its end cannot be learned (it is
// not faultbox's child — a container's process — or was reaped already).
std::optional<ProcessEnding> process_ending(int pidfd);

}  // namespace faultbox::engine
