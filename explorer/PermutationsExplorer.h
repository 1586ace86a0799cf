// `faultbox explore --strategy permutations`: the Go tool's baseline, every
// release order of the first batch (scheduler/PermutationStrategy.h says
// what that does and does not cover). The first run releases the batch in
// canonical order (index 0) and shows how big the batch is (n = decision
// 1's enabled set; a run with no decision has n = 0); then every other
// index below n! runs once, each told the batch it was drawn for, so a run
// whose first batch differs is a divergence, not a silent other order.
// Exhausted after n! runs.
//
// Batches above PermutationStrategy::kMaxPermuted (20) events: only the
// first 20 (canonical order) are permuted, 20! orders, which no --runs
// budget exhausts; the note of every run says so.
//
// Sharded (i/n): indices m with m mod n == i. n! is unknown until a run
// has been seen, so every shard other than 0 first runs index 0 too (the
// overlap the issue allows); apart from it, the shards' indices partition
// 0 … n!−1.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "explorer/ClassTally.h"
#include "explorer/Explorer.h"
#include "explorer/RunShard.h"
#include "scheduler/Schedule.h"

namespace faultbox::explorer {

class PermutationsExplorer final : public Explorer {
 public:
  explicit PermutationsExplorer(uint64_t shard_index = 0, uint64_t shard_count = 1);

  std::string name() const override { return "permutations"; }
  std::unique_ptr<scheduler::Strategy> next_run() override;
  RunVerdict finished_run(scheduler::RunRecord record) override;
  ExplorationStats stats() const override;
  // "permutations index=3 of 6 order=2,0,1 processes=test/3,test/1,test/2"
  // (positions in decision 1's canonical enabled set and the processes they
  // are); the first run's before it has finished: "permutations index=0 of
  // ? order=canonical".
  std::string run_note() const override;

  uint64_t current_index() const { return current_index_; }
  // Known after the first run.
  std::optional<size_t> batch_size() const;
  std::optional<uint64_t> order_count() const;

 private:
  RunShard shard_;
  std::optional<std::vector<scheduler::EventRef>> first_enabled_;  // the first run's decision 1
  uint64_t total_ = 0;       // n! (capped), once first_enabled_ is known
  uint64_t next_index_ = 0;  // index 0 first, whatever the shard
  uint64_t current_index_ = 0;
  bool handed_out_any_ = false;
  bool outstanding_ = false;
  ClassTally tally_;
};

}  // namespace faultbox::explorer
