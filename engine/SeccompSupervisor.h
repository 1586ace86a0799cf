// Answers the seccomp notifications of one listener. Each notification is
// turned into a SyscallEvent (thread id mapped to its thread group, syscall
// named); the caller's decision is sent back as CONTINUE or an errno. Paths
// and fd types are resolved on demand by the decider (FdInspector), so a
// syscall no rule looks at costs one RECV and one SEND.
#pragma once

#include <linux/seccomp.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/ThreadBirths.h"
#include "engine/UniqueFd.h"

namespace faultbox::engine {

struct SyscallEvent {
  uint64_t id = 0;  // notification cookie
  pid_t tid = 0;
  pid_t tgid = 0;
  int nr = 0;
  std::string_view name;  // kernel name ("pwrite64")
  uint64_t args[6] = {};
};

struct Decision {
  enum class Kind { Continue, Fail };
  Kind kind = Kind::Continue;
  int err = 0;  // errno for Fail
  static Decision allow() { return {}; }
  static Decision fail(int e) { return {Kind::Fail, e}; }
};

class SeccompSupervisor {
 public:
  explicit SeccompSupervisor(UniqueFd listener);
  int fd() const { return listener_.get(); }
  // Whether the kernel accepted SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6+).
  bool sync_wake_up() const { return sync_wake_up_; }

  // Receives one notification (blocking unless the fd is known readable),
  // asks `decide`, answers. Returns false when the listener has no more
  // processes behind it (all exited).
  bool handle_one(const std::function<Decision(const SyscallEvent&)>& decide);

  // The same in two halves, for answers that come later (a delay's timer, a
  // serialized run's decision): the thread stays parked in the notification
  // until respond(). `ev` is filled when a notification arrived.
  enum class Received { Event, Gone, Closed };  // Gone: the thread left before we read it
  Received receive(SyscallEvent& ev);
  // Answers notification `id`. False when the listener has no processes left
  // behind it; a notification whose thread died meanwhile is answered silently.
  bool respond(uint64_t id, Decision d);
  // Whether notification `id` is still pending (the thread did not die or get
  // interrupted); re-check after reading target memory.
  bool still_valid(uint64_t id) const;
  // Drops cached thread ids of a thread group that exited (their numbers may
  // be reused by other processes later).
  void forget_thread_group(pid_t tgid);

 private:
  pid_t tgid_of(pid_t tid);
  std::string_view name_of(uint32_t arch, int nr);

  UniqueFd listener_;
  // tid → tgid: /proc/TID/status is read once per thread, not per syscall.
  // A tid is reused only after a birth under this filter (ThreadBirths):
  // an answer from before the last one is re-validated by one statx of
  // /proc/TGID/task/TID before it is used again.
  struct KnownThread {
    pid_t tgid = 0;
    uint64_t at = 0;  // births_.now() when last validated
  };
  std::unordered_map<pid_t, KnownThread> tgid_cache_;
  ThreadBirths births_;
  // nr → kernel name for the native arch; resolved once per number.
  std::vector<std::string> names_;
  bool sync_wake_up_ = false;
  std::vector<uint8_t> notif_buf_;
  std::vector<uint8_t> resp_buf_;
};

// Thread id → thread group id, from /proc/TID/status.
pid_t thread_group_of(pid_t tid);

}  // namespace faultbox::engine
