// `--strategy NAME` → an Explorer, with the options every strategy reads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "explorer/Explorer.h"

namespace faultbox::explorer {

struct ExplorerConfig {
  std::string strategy = "dpor";  // dpor | pct | random | permutations
  uint64_t seed = 1;              // random, pct: seeds S, S+1, …
  int max_faults = 1;             // fault placements per run
  int pct_depth = 3;
  int pct_steps_guess = 50;       // pct's first estimate of a run's decisions
  int shard_index = 0;            // 0-based
  int shard_count = 1;
  // dpor's branch order (OptimalDpor.h): fewest-preemptions | depth-first |
  // random (drawn from `seed`). The classes are the same in every order;
  // what changes is how soon a bug comes and the tree's peak in memory.
  std::string dpor_order = "fewest-preemptions";
};

// Throws std::invalid_argument naming the known strategies for an unknown
// one (and the known orders for an unknown dpor order), and for a shard
// index out of range.
std::unique_ptr<Explorer> make_explorer(const ExplorerConfig& config);

}  // namespace faultbox::explorer
