// PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
// Nagarakatte, ASPLOS 2010), depth d, over faultbox's decisions.
//
// Every process (scheduler::process_of: a service's thread, a driver fiber)
// gets a distinct random priority the first time it shows up in an enabled
// set; initial priorities are all ≥ d. Before the run, d−1 distinct change
// points c_1 … c_{d−1} are drawn uniformly from [1, k], k being an estimate
// of the run's number of decisions. Each decision runs the enabled event of
// the highest-priority process; when decision c_j has been taken, the
// process that took it drops to priority j — below every initial priority.
// A bug of depth d (d ordering constraints between events) is then hit with
// probability ≥ 1/(n·k^(d−1)) for n processes, which is PCT's guarantee.
//
// Differences from the paper, and why:
//   - Processes appear over the run (threads are cloned, fibers start), so
//     priorities are drawn when a process is first seen instead of as one
//     permutation up front. A fresh priority is a uniform draw from a range
//     of 2^62 values, redrawn on a collision, so the relative order of the
//     processes seen is a uniformly random permutation, as in the paper.
//   - The first-seen order of processes is deterministic because enabled
//     sets come in canonical order (Strategy.h), so (seed, d, k) is the
//     whole schedule of a deterministic program.
//   - The j-th change point drawn carries priority j (the paper's
//     association); the points are not sorted, so which of two lowered
//     processes ends up higher is random too.
//   - The change points are distinct. When k < d−1 there are not enough
//     decisions to draw from, so they are drawn from [1, d−1]; a change
//     point past the run's end has no effect.
//   - PCT places no faults: placement rules apply as written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "scheduler/Strategy.h"

namespace faultbox::scheduler {

class PctStrategy final : public Strategy {
 public:
  // depth ≥ 1 (depth 1: no change points, a fixed random priority order);
  // throws std::invalid_argument otherwise.
  PctStrategy(uint64_t seed, uint32_t depth, uint64_t k);

  std::string name() const override { return "pct"; }
  size_t choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) override;

  uint64_t seed() const { return seed_; }
  uint32_t depth() const { return depth_; }
  uint64_t k() const { return k_; }
  // change_points()[j−1] = c_j: after decision c_j, the process that took
  // it has priority j. In the order drawn; d−1 of them, distinct.
  const std::vector<uint64_t>& change_points() const { return change_points_; }
  // The current priority of a process, if it has been seen.
  std::optional<uint64_t> priority(const std::string& process) const;
  // For the trace header: "pct depth=3 k=40 change-points=7,19"
  // ("change-points=none" at depth 1).
  std::string note() const;

 private:
  uint64_t fresh_initial_priority();

  uint64_t seed_;
  uint32_t depth_;
  uint64_t k_;
  std::mt19937_64 rng_;
  std::vector<uint64_t> change_points_;
  std::map<std::string, uint64_t> priority_;
  std::set<uint64_t> initial_priorities_used_;
};

}  // namespace faultbox::scheduler
