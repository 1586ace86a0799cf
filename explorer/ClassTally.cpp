#include "explorer/ClassTally.h"

#include <algorithm>

#include "explorer/ClassId.h"

namespace faultbox::explorer {

RunVerdict ClassTally::add(const scheduler::RunRecord& record) {
  ++counts_.runs;
  RunVerdict verdict;
  if (record.divergence) {
    ++counts_.divergences;
    verdict.kind = RunVerdict::Kind::Diverged;
    return verdict;
  }
  verdict.class_id = class_id(record.decisions);
  if (class_ids_.insert(verdict.class_id).second) {
    ++counts_.classes;
    const bool placed = std::any_of(record.decisions.begin(), record.decisions.end(),
                                    [](const scheduler::Decision& d) { return d.faulted; });
    if (placed) ++counts_.placements;
    verdict.kind = RunVerdict::Kind::NewClass;
  } else {
    ++counts_.redundant;
    verdict.kind = RunVerdict::Kind::Redundant;
  }
  return verdict;
}

}  // namespace faultbox::explorer
