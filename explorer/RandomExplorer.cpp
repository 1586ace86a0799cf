#include "explorer/RandomExplorer.h"

#include <stdexcept>

namespace faultbox::explorer {

RandomExplorer::RandomExplorer(uint64_t seed, uint64_t shard_index, uint64_t shard_count)
    : seed_(seed), shard_(shard_index, shard_count, "random"), next_run_(shard_.index()) {}

std::unique_ptr<scheduler::Strategy> RandomExplorer::next_run() {
  if (outstanding_) throw std::logic_error("random: next_run() before finished_run() of the previous run");
  current_run_ = next_run_;
  next_run_ += shard_.count();
  started_ = true;
  outstanding_ = true;
  return std::make_unique<scheduler::RandomStrategy>(current_seed());
}

RunVerdict RandomExplorer::finished_run(scheduler::RunRecord record) {
  if (!outstanding_) throw std::logic_error("random: finished_run() without a run handed out");
  outstanding_ = false;
  return tally_.add(record);
}

ExplorationStats RandomExplorer::stats() const { return tally_.counts(); }

std::string RandomExplorer::run_note() const {
  return started_ ? "random seed=" + std::to_string(current_seed()) : "";
}

}  // namespace faultbox::explorer
