// The cheap baseline beside the solver (ScheduleOptimizer): a topological
// order of the constraints that keeps running the process that went last
// while its next decision is ready, and otherwise takes the ready decision
// the run made first. No search, O(n log n + edges); it never preempts by
// choice, only when a kept order makes the last process's next decision
// wait — and then it does not look ahead at which switch costs less later,
// which is where the solver wins.
#pragma once

#include <cstddef>
#include <vector>

#include "explorer/OrderConstraints.h"

namespace faultbox::explorer {

// Nodes of `constraints` in a linearization of them.
std::vector<size_t> greedy_order(const OrderConstraints& constraints);

}  // namespace faultbox::explorer
