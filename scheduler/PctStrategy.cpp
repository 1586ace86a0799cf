#include "scheduler/PctStrategy.h"

#include <algorithm>
#include <stdexcept>

#include "scheduler/Dependence.h"

namespace faultbox::scheduler {

PctStrategy::PctStrategy(uint64_t seed, uint32_t depth, uint64_t k)
    : seed_(seed), depth_(depth), k_(k), rng_(seed) {
  if (depth < 1) throw std::invalid_argument("pct: depth must be at least 1, got " + std::to_string(depth));
  const uint64_t points = depth - 1;
  const uint64_t range = std::max<uint64_t>(k, points);
  // A plain modulo, as RandomStrategy: a seed must mean the same change
  // points with every standard library.
  while (change_points_.size() < points) {
    const uint64_t c = 1 + rng_() % range;
    if (std::find(change_points_.begin(), change_points_.end(), c) == change_points_.end())
      change_points_.push_back(c);
  }
}

uint64_t PctStrategy::fresh_initial_priority() {
  // ≥ depth so that every change-point priority (1 … depth−1) is lower;
  // 2^62 values leave headroom above any depth.
  for (;;) {
    const uint64_t p = depth_ + (rng_() >> 2);
    if (initial_priorities_used_.insert(p).second) return p;
  }
}

size_t PctStrategy::choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) {
  if (enabled.empty()) throw std::invalid_argument("pct: decision " + std::to_string(step) + " with nothing enabled");
  size_t best = 0;
  uint64_t best_priority = 0;
  std::string best_process;
  for (size_t i = 0; i < enabled.size(); ++i) {
    std::string process = process_of(enabled[i]);
    auto it = priority_.find(process);
    if (it == priority_.end()) it = priority_.emplace(process, fresh_initial_priority()).first;
    // Strict ">": should one process ever show two events, the first in
    // canonical order goes.
    if (i == 0 || it->second > best_priority) {
      best = i;
      best_priority = it->second;
      best_process = std::move(process);
    }
  }
  for (size_t j = 0; j < change_points_.size(); ++j)
    if (change_points_[j] == step) priority_[best_process] = j + 1;
  return best;
}

std::optional<uint64_t> PctStrategy::priority(const std::string& process) const {
  auto it = priority_.find(process);
  if (it == priority_.end()) return std::nullopt;
  return it->second;
}

std::string PctStrategy::note() const {
  std::string out = "pct depth=" + std::to_string(depth_) + " k=" + std::to_string(k_) + " change-points=";
  if (change_points_.empty()) return out + "none";
  for (size_t j = 0; j < change_points_.size(); ++j) {
    if (j > 0) out += ',';
    out += std::to_string(change_points_[j]);
  }
  return out;
}

}  // namespace faultbox::scheduler
