// `faultbox explore --strategy pct`: run r (0-based) is a PctStrategy with
// seed S + r and depth d. k, PCT's estimate of a run's decisions, is the
// longest complete run seen so far (a change point past the run's end is
// wasted, one short of it never lands in the tail), and the constructor's
// guess before any. Never exhausted: PCT samples, it enumerates nothing, so
// pending is 0 and --runs is the only end.
//
// Sharded (i/n), it does the runs r with r mod n == i under the same seeds
// as unsharded. Since k comes from earlier runs, every shard other than 0
// first does run 0 as well (the overlap the issue allows): then each of a
// shard's runs sees the same k as unsharded whenever the runs' lengths do
// not depend on the schedule — the usual case — and the non-overlapping
// runs of the shards partition the unsharded ones exactly. When lengths
// vary, a shard's run r may get another k than unsharded run r (same seed,
// same depth); its trace header still says which, so it replays.
#pragma once

#include <cstdint>
#include <optional>
#include <memory>
#include <string>

#include "explorer/ClassTally.h"
#include "explorer/Explorer.h"
#include "explorer/RunShard.h"

namespace faultbox::explorer {

class PctExplorer final : public Explorer {
 public:
  // depth ≥ 1 (throws std::invalid_argument otherwise).
  PctExplorer(uint64_t seed, uint32_t depth, uint64_t k_guess, uint64_t shard_index = 0, uint64_t shard_count = 1);

  std::string name() const override { return "pct"; }
  std::unique_ptr<scheduler::Strategy> next_run() override;
  RunVerdict finished_run(scheduler::RunRecord record) override;
  ExplorationStats stats() const override;
  // "pct depth=3 k=40 change-points=7,19 seed=4712"
  std::string run_note() const override { return note_; }

  uint64_t current_seed() const { return seed_ + current_run_; }
  std::optional<uint64_t> run_seed() const override { return current_seed(); }
  uint64_t current_run() const { return current_run_; }
  // The k the next run will get.
  uint64_t k() const;

 private:
  uint64_t seed_;
  uint32_t depth_;
  uint64_t k_guess_;
  RunShard shard_;
  uint64_t next_run_ = 0;  // run 0 first, whatever the shard
  uint64_t current_run_ = 0;
  uint64_t longest_ = 0;
  bool seen_complete_run_ = false;
  bool outstanding_ = false;
  std::string note_;
  ClassTally tally_;
};

}  // namespace faultbox::explorer
