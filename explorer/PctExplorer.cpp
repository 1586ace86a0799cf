#include "explorer/PctExplorer.h"

#include <algorithm>
#include <stdexcept>

#include "scheduler/PctStrategy.h"

namespace faultbox::explorer {

PctExplorer::PctExplorer(uint64_t seed, uint32_t depth, uint64_t k_guess, uint64_t shard_index, uint64_t shard_count)
    : seed_(seed), depth_(depth), k_guess_(k_guess), shard_(shard_index, shard_count, "pct") {
  if (depth < 1) throw std::invalid_argument("pct: depth must be at least 1, got " + std::to_string(depth));
}

uint64_t PctExplorer::k() const { return seen_complete_run_ ? longest_ : k_guess_; }

std::unique_ptr<scheduler::Strategy> PctExplorer::next_run() {
  if (outstanding_) throw std::logic_error("pct: next_run() before finished_run() of the previous run");
  current_run_ = next_run_;
  next_run_ = shard_.next_owned(current_run_ + 1);
  outstanding_ = true;
  auto strategy = std::make_unique<scheduler::PctStrategy>(current_seed(), depth_, k());
  note_ = strategy->note() + " seed=" + std::to_string(current_seed());
  return strategy;
}

RunVerdict PctExplorer::finished_run(scheduler::RunRecord record) {
  if (!outstanding_) throw std::logic_error("pct: finished_run() without a run handed out");
  outstanding_ = false;
  // A diverged run stopped early: its length says nothing about k.
  if (!record.divergence) {
    longest_ = std::max<uint64_t>(longest_, record.decisions.size());
    seen_complete_run_ = true;
  }
  return tally_.add(record);
}

ExplorationStats PctExplorer::stats() const { return tally_.counts(); }

}  // namespace faultbox::explorer
