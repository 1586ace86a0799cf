// What the explorers that sample or enumerate orders without steering by
// classes (random, pct, permutations) learn from a finished run: its class
// id, whether that class is new, and the counts of ExplorationStats.
//
// Such an explorer hands out runs it cannot tell apart in advance, so a
// repeated class is expected, not a bug: it is counted as redundant. A run
// that diverged is no class (Explorer.h) and counted apart.
#pragma once

#include <set>
#include <string>

#include "explorer/Explorer.h"
#include "scheduler/Schedule.h"

namespace faultbox::explorer {

class ClassTally {
 public:
  RunVerdict add(const scheduler::RunRecord& record);
  // runs, classes, placements, redundant and divergences; pending and
  // exhausted are the explorer's to fill.
  const ExplorationStats& counts() const { return counts_; }
  const std::set<std::string>& class_ids() const { return class_ids_; }

 private:
  std::set<std::string> class_ids_;
  ExplorationStats counts_;
};

}  // namespace faultbox::explorer
