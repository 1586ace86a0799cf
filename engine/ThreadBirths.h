// Whether a thread or process id looked up earlier may name another thread
// or process now. An id is reused only after its holder died AND a new
// thread or process was born; under our filter a birth comes only from a
// notified clone, clone3, fork or vfork (or from the launcher or the shim,
// which say so: process_started()). So caches keyed by ids (the supervisor's
// tid → tgid, TargetInspector's pidfds and fd facts) stamp each answer with
// now() and re-validate it once a birth may have happened since.
//
// A birth happens while its creator is inside the call, AFTER we received
// the notification — an answer stamped between the two could already be
// stale. So the epoch moves at the notification and again when the birth is
// known complete: at the creator's next notification (a thread's syscalls
// are sequential), or once the creator is found gone. Until then nothing is
// unchanged_since() anything: every cached answer is re-validated. A creator
// that exits without another notified call (a daemon's parent after fork)
// is found gone by a periodic look at /proc, so that state does not last.
//
// Single-threaded; no syscalls except that periodic look.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <unordered_map>

namespace faultbox::engine {

// Whether thread `tid` is, now, a thread of thread group `tgid` (its
// /proc/TGID/task/TID exists: the kernel looks the tid up within that group).
bool thread_alive(pid_t tgid, pid_t tid);

class ThreadBirths {
 public:
  // Whether syscall `nr` (native) may create a thread or process.
  static bool makes_birth(int nr);

  // Every notification of the watched filter(s), at receipt, in order.
  void observe(pid_t tid, pid_t tgid, int nr);
  // A process started without a notified fork (the launcher, the shim).
  void process_started() { ++epoch_; }

  uint64_t now() const { return epoch_; }
  // True when no thread or process can have been born since `stamp`
  // (a value of now()), so ids looked up then name the same tasks.
  bool unchanged_since(uint64_t stamp) const { return stamp == epoch_ && creators_.empty(); }
  // Births not known to be complete.
  size_t outstanding() const { return creators_.size(); }

 private:
  void reap_gone_creators();

  uint64_t epoch_ = 1;
  std::unordered_map<pid_t, pid_t> creators_;  // tid → tgid, inside a birth-making call
  uint32_t since_reap_ = 0;
};

}  // namespace faultbox::engine
