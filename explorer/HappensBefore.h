// The happens-before order of one run and its races (Abdulla et al.,
// POPL 2014, §3): decision i happens before j when a chain of dependent
// decisions (scheduler::dependent, program order included) or of
// cause-and-effect pairs (RunRecord::caused_by: j consumed i's message or
// connection) leads from i to j.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/Schedule.h"

namespace faultbox::explorer {

class HappensBefore {
 public:
  HappensBefore(const std::vector<scheduler::Decision>& decisions,
                const std::vector<std::optional<size_t>>& caused_by);

  bool before(size_t i, size_t j) const {
    return i < j && (predecessors_[j][i / 64] >> (i % 64)) & 1u;
  }

  // Pairs (i, j), i < j: dependent decisions of different processes with
  // i happening before j and no decision ordered between them — which
  // another order of the run could reverse. A pair where j consumed i's
  // message is cause and effect, not a race: no order runs the receive
  // first.
  std::vector<std::pair<size_t, size_t>> races() const;

 private:
  std::vector<std::string> process_;  // of each decision
  std::vector<std::optional<size_t>> caused_by_;
  std::vector<std::vector<uint64_t>> predecessors_;  // bitset of i < j with i → j
  std::vector<std::vector<size_t>> direct_;          // immediate predecessors of j
};

}  // namespace faultbox::explorer
