// Drives an Explorer over a ProgramModel the way cli/ExploreCommand drives
// it over real runs: next_run(), the run, finished_run(), until the explorer
// has nothing left or the budget of runs is spent.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "explorer/Explorer.h"
#include "tests/explorer/ProgramModel.h"

namespace faultbox::explorer::model {

struct ModelExploration {
  std::set<std::string> classes;   // ids of the NewClass runs
  std::vector<RunVerdict> verdicts;  // one per run, in order
  ExplorationStats stats;           // at the end
  bool out_of_runs = false;          // stopped by the budget, not by the explorer
};

ModelExploration explore(Explorer& explorer, const ProgramModel& model, uint64_t max_runs);

}  // namespace faultbox::explorer::model
