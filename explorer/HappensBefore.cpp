#include "explorer/HappensBefore.h"

#include "explorer/DependenceMatrix.h"

namespace faultbox::explorer {

HappensBefore::HappensBefore(const std::vector<scheduler::Decision>& decisions,
                             const std::vector<std::optional<size_t>>& caused_by)
    : caused_by_(caused_by) {
  const size_t n = decisions.size();
  process_.reserve(n);
  for (const auto& d : decisions) process_.push_back(d.event.process);
  caused_by_.resize(n);
  const DependenceMatrix dep(decisions);
  const size_t words = (n + 63) / 64;
  predecessors_.assign(n, std::vector<uint64_t>(words, 0));
  direct_.resize(n);
  auto has = [](const std::vector<uint64_t>& set, size_t i) { return (set[i / 64] >> (i % 64)) & 1u; };
  for (size_t j = 0; j < n; ++j) {
    std::vector<uint64_t>& mine = predecessors_[j];
    // Latest first: a decision already known to come before j brings all
    // of its own predecessors along, so only the immediate ones are merged.
    for (size_t i = j; i-- > 0;) {
      if (has(mine, i)) continue;
      const bool edge = dep.dependent(i, j) || caused_by_[j] == i;
      if (!edge) continue;
      direct_[j].push_back(i);
      const std::vector<uint64_t>& theirs = predecessors_[i];
      for (size_t w = 0; w < words; ++w) mine[w] |= theirs[w];
      mine[i / 64] |= uint64_t{1} << (i % 64);
    }
  }
}

std::vector<std::pair<size_t, size_t>> HappensBefore::races() const {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t j = 0; j < process_.size(); ++j)
    for (size_t i : direct_[j]) {
      if (process_[i] == process_[j]) continue;
      if (caused_by_[j] == i) continue;
      out.emplace_back(i, j);
    }
  return out;
}

}  // namespace faultbox::explorer
