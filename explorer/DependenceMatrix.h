// scheduler::dependent over the decisions of one run, decided once per pair
// of distinct footprints: a run repeats a few labels many times, and the
// class id and the race detection both ask about every pair of decisions.
#pragma once

#include <cstddef>
#include <vector>

#include "scheduler/Schedule.h"

namespace faultbox::explorer {

class DependenceMatrix {
 public:
  explicit DependenceMatrix(const std::vector<scheduler::Decision>& decisions);
  bool dependent(size_t i, size_t j) const { return table_[kind_[i] * kinds_ + kind_[j]]; }

 private:
  size_t kinds_ = 0;
  std::vector<size_t> kind_;  // decision → index of its distinct footprint
  std::vector<bool> table_;   // kinds_ × kinds_
};

}  // namespace faultbox::explorer
