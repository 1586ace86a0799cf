#include "explorer/PermutationsExplorer.h"

#include <algorithm>
#include <stdexcept>

#include "scheduler/PermutationStrategy.h"

namespace faultbox::explorer {

using scheduler::PermutationStrategy;

PermutationsExplorer::PermutationsExplorer(uint64_t shard_index, uint64_t shard_count)
    : shard_(shard_index, shard_count, "permutations") {}

std::optional<size_t> PermutationsExplorer::batch_size() const {
  if (!first_enabled_) return std::nullopt;
  return std::min(first_enabled_->size(), PermutationStrategy::kMaxPermuted);
}

std::optional<uint64_t> PermutationsExplorer::order_count() const {
  if (!first_enabled_) return std::nullopt;
  return total_;
}

std::unique_ptr<scheduler::Strategy> PermutationsExplorer::next_run() {
  if (outstanding_) throw std::logic_error("permutations: next_run() before finished_run() of the previous run");
  if (handed_out_any_ && !first_enabled_)
    throw std::logic_error("permutations: the first run's record is needed before the next run");
  if (first_enabled_ && next_index_ >= total_) return nullptr;
  current_index_ = next_index_;
  handed_out_any_ = true;
  outstanding_ = true;
  // Index 0 is the canonical order for any n, so the first run needs no batch.
  if (!first_enabled_) return std::make_unique<PermutationStrategy>(0);
  next_index_ = shard_.next_owned(current_index_ + 1);
  return std::make_unique<PermutationStrategy>(current_index_, *first_enabled_);
}

RunVerdict PermutationsExplorer::finished_run(scheduler::RunRecord record) {
  if (!outstanding_) throw std::logic_error("permutations: finished_run() without a run handed out");
  outstanding_ = false;
  if (!first_enabled_) {
    // Decision 1's enabled set is there even when a later decision diverged.
    first_enabled_ = record.enabled.empty() ? std::vector<scheduler::EventRef>{} : record.enabled.front();
    total_ = scheduler::permutation_count(*batch_size());
    next_index_ = shard_.next_owned(1);
  }
  return tally_.add(record);
}

ExplorationStats PermutationsExplorer::stats() const {
  ExplorationStats s = tally_.counts();
  if (first_enabled_) {
    // The indices this shard still owns: next_index_, then every count-th.
    if (next_index_ < total_) s.pending = (total_ - 1 - next_index_) / shard_.count() + 1;
    s.exhausted = s.pending == 0 && !outstanding_;
  }
  return s;
}

std::string PermutationsExplorer::run_note() const {
  if (!handed_out_any_) return "";
  std::string out = "permutations index=" + std::to_string(current_index_) + " of ";
  if (!first_enabled_) return out + "? order=canonical";
  out += std::to_string(total_) + " order=";
  const size_t n = *batch_size();
  const std::vector<size_t> order = scheduler::nth_permutation(current_index_, n);
  std::string processes;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i > 0) {
      out += ',';
      processes += ',';
    }
    out += std::to_string(order[i]);
    processes += (*first_enabled_)[order[i]].process;
  }
  if (order.empty()) return out + "none";
  out += " processes=" + processes;
  if (first_enabled_->size() > n)
    out += " (first " + std::to_string(n) + " of " + std::to_string(first_enabled_->size()) +
           " events permuted, the rest in canonical order)";
  return out;
}

}  // namespace faultbox::explorer
