// `faultbox explore --strategy random`: run r (0-based) is a RandomStrategy
// with seed S + r — what `faultbox test --runs N --seed S` does, read back
// into classes. Never exhausted: a sampler does not enumerate its space, so
// it knows no alternatives (pending 0) and --runs is the only end.
//
// Sharded (i/n), it does the runs r with r mod n == i under the same seeds
// as unsharded, so the shards' runs partition the unsharded ones: n shards
// of N/n runs each do exactly the runs of one unsharded --runs N.
#pragma once

#include <cstdint>
#include <optional>
#include <memory>
#include <string>

#include "explorer/ClassTally.h"
#include "explorer/Explorer.h"
#include "explorer/RunShard.h"

namespace faultbox::explorer {

class RandomExplorer final : public Explorer {
 public:
  explicit RandomExplorer(uint64_t seed, uint64_t shard_index = 0, uint64_t shard_count = 1);

  std::string name() const override { return "random"; }
  std::unique_ptr<scheduler::Strategy> next_run() override;
  RunVerdict finished_run(scheduler::RunRecord record) override;
  ExplorationStats stats() const override;
  // "random seed=4712"
  std::string run_note() const override;

  // The seed of the run next_run() last handed out.
  uint64_t current_seed() const { return seed_ + current_run_; }
  std::optional<uint64_t> run_seed() const override { return current_seed(); }
  // Its 0-based number in the unsharded sequence.
  uint64_t current_run() const { return current_run_; }

 private:
  uint64_t seed_;
  RunShard shard_;
  uint64_t next_run_;
  uint64_t current_run_ = 0;
  bool started_ = false;
  bool outstanding_ = false;
  ClassTally tally_;
};

}  // namespace faultbox::explorer
