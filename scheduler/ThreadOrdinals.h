// Stable names for threads (DESIGN.md §4, event identity's tie-breaker):
// never tids, which differ from run to run.
//
// - Threads alive when the test body starts are numbered 1, 2, … per service,
//   in order of (depth in the service's process tree, start time, tid). The
//   tid only breaks ties between threads started in the same clock tick —
//   where that happens across runs the numbering may differ, which is why the
//   ordinal is a tie-breaker and not the identity.
// - Except a pool: threads of one process, not its main thread, with the
//   same name, asleep in the same kernel function at body start (a thread
//   pool's idle workers waiting on one condition variable). Which of them
//   takes the next job is the kernel's choice of futex waiter — it follows
//   the order they began to wait in while the services started, free, and
//   varied with load (the shop's api served its first order with t4, t5 or
//   t7) — so their start order names nothing the run does. A pool keeps
//   the ordinals its members would have had, and hands them out in order of
//   first use: the first member to make an event takes the smallest, and so
//   on. Events are released one at a time, so "the second worker to start
//   a request" is the same thread in every run of a schedule, whichever
//   tid plays it. (Two members whose first events park at one decision are
//   named in the order their notifications arrived: symmetric threads, so
//   either naming describes the same run.)
// - A thread created later is named after the clone that made it: the k-th
//   thread created by thread "1" is "1.k", the j-th created by "1.k" is
//   "1.k.j". The coordinator knows the creator because it serializes clone:
//   after releasing one clone, the new thread seen at the next quiescence is
//   its child, and it calls adopt().
// - A thread that is neither (it appeared without a serialized clone, e.g.
//   created while the run was free, or the coordinator missed it) gets
//   "?k" — the k-th stranger of its service. That name depends on the order
//   strangers are first asked about, so it is not stable across runs: an
//   identity that carries one should not be trusted by replay.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/ThreadCensus.h"

namespace faultbox::scheduler {

class ThreadOrdinals {
 public:
  // Numbers the threads alive at test-body start (a census taken then, with
  // its wchans: ThreadCensus::sample), per service; a pool's members are
  // named at first use (see above). Replaces everything known before.
  void number(const std::vector<ThreadInfo>& threads);

  // Names `tid` as the next thread created by `creator_ordinal` in `service`
  // and returns the name ("<creator>.<k>"). A tid seen before (reused after
  // its thread exited) is renamed.
  const std::string& adopt(const std::string& service, pid_t tid, const std::string& creator_ordinal);

  // The ordinal of `tid`; a pool member asked for the first time takes its
  // pool's next ordinal; a thread never numbered nor adopted becomes the
  // service's next stranger, "?k" (see above).
  const std::string& ordinal_of(const std::string& service, pid_t tid);
  // Without naming anyone: nullopt when `tid` is unknown or a pool member
  // not named yet.
  std::optional<std::string> find(const std::string& service, pid_t tid) const;
  // Whether `tid` was numbered, pooled or adopted (a stranger named by
  // ordinal_of counts as known from then on).
  bool known(const std::string& service, pid_t tid) const {
    return names_.count({service, tid}) > 0 || pooled_.count({service, tid}) > 0;
  }

  // The thread exited: its tid may come back as someone else.
  void forget(const std::string& service, pid_t tid);

 private:
  using Key = std::pair<std::string, pid_t>;
  struct Pool {
    std::vector<std::string> ordinals;  // ascending; handed out in this order
    size_t used = 0;
  };
  std::map<Key, std::string> names_;
  std::map<Key, size_t> pooled_;  // a pool member not named yet → its pool (index into pools_)
  std::vector<Pool> pools_;
  // (service, creator ordinal) → threads it created so far.
  std::map<std::pair<std::string, std::string>, int> children_;
  std::map<std::string, int> strangers_;  // service → "?k" handed out
};

}  // namespace faultbox::scheduler
