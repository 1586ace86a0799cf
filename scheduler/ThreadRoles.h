// Which thread of this run plays which thread of the run a schedule was
// recorded from, per service (DESIGN.md §4: the thread ordinal is only a
// tie-breaker). A pool's idle workers wait on a futex, which faultbox does
// not intercept: which of them takes the next connection is the kernel's
// choice, so worker t7 may do in this run what t5 did in the recorded one.
// Following a recorded decision teaches the correspondence; once learnt, a
// recorded thread is looked for in the thread that plays it.
//
// canonical() renames this run's threads into the recorded run's names, as
// a bijection: a thread whose own name another thread took over is given
// the name that one left (t7 plays t5, so t5 is called t7). Exploration
// records runs in those names, so one thread keeps one name across the runs
// of one exploration tree — a class is not split in two by a swap of
// workers, and a branch found in one run is looked for under the name it had.
//
// Single-threaded; one object per run.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "traces/TraceFile.h"

namespace faultbox::scheduler {

class ThreadRoles {
 public:
  // The thread of this run known to play `recorded` of `host`, if any.
  std::optional<std::string> player(const std::string& host, const std::string& recorded) const;
  // Whether this run's thread `ours` of `host` already plays some recorded thread.
  bool claimed(const std::string& host, const std::string& ours) const;
  // `ours` plays `recorded` from now on. False (and nothing learnt) when
  // either side is already paired with another thread.
  bool learn(const std::string& host, const std::string& recorded, const std::string& ours);
  // `id` with its thread renamed into the recorded run's names (see above).
  traces::EventIdentity canonical(const traces::EventIdentity& id) const;

 private:
  using Key = std::pair<std::string, std::string>;  // (host, thread)
  std::map<Key, std::string> recorded_of_;  // (host, ours) → recorded
  std::map<Key, std::string> ours_of_;      // (host, recorded) → ours
};

}  // namespace faultbox::scheduler
