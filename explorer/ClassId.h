// The canonical id of a run's Mazurkiewicz class (DESIGN.md §5): two runs
// that differ only in the order of independent adjacent decisions get the
// same id; any other difference — an order of two dependent events, a fault
// placed or not — gives a different one.
//
// The id hashes a normal form of the run's partial order (decisions ordered
// by dependence, scheduler/Dependence.h), each decision written as its
// process, its per-process index, its label and "faulted" when it was; the
// same for every linearization of the class and independent of the order in
// which a run happened to list its independent events.
#pragma once

#include <string>
#include <vector>

#include "scheduler/Schedule.h"

namespace faultbox::explorer {

// 16 lowercase hex digits (the first 8 bytes of a sha256).
std::string class_id(const std::vector<scheduler::Decision>& decisions);

}  // namespace faultbox::explorer
