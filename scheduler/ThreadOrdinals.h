// Stable names for threads (DESIGN.md §4, event identity's tie-breaker):
// never tids, which differ from run to run.
//
// - Threads alive when the test body starts are numbered 1, 2, … per service,
//   in order of (depth in the service's process tree, start time, tid). The
//   tid only breaks ties between threads started in the same clock tick —
//   where that happens across runs the numbering may differ, which is why the
//   ordinal is a tie-breaker and not the identity.
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
  // Numbers the threads alive at test-body start (a census taken then),
  // per service. Replaces everything known before.
  void number(const std::vector<ThreadInfo>& threads);

  // Names `tid` as the next thread created by `creator_ordinal` in `service`
  // and returns the name ("<creator>.<k>"). A tid seen before (reused after
  // its thread exited) is renamed.
  const std::string& adopt(const std::string& service, pid_t tid, const std::string& creator_ordinal);

  // The ordinal of `tid`; a thread never numbered nor adopted becomes the
  // service's next stranger, "?k" (see above).
  const std::string& ordinal_of(const std::string& service, pid_t tid);
  // Without naming strangers: nullopt when `tid` is unknown.
  std::optional<std::string> find(const std::string& service, pid_t tid) const;
  // Whether `tid` was numbered or adopted (a stranger named by ordinal_of
  // counts as known from then on).
  bool known(const std::string& service, pid_t tid) const { return names_.count({service, tid}) > 0; }

  // The thread exited: its tid may come back as someone else.
  void forget(const std::string& service, pid_t tid);

 private:
  using Key = std::pair<std::string, pid_t>;
  std::map<Key, std::string> names_;
  // (service, creator ordinal) → threads it created so far.
  std::map<std::pair<std::string, std::string>, int> children_;
  std::map<std::string, int> strangers_;  // service → "?k" handed out
};

}  // namespace faultbox::scheduler
