// `--shard i/n` for the explorers that number their runs (random and pct by
// run, permutations by index): shard i does the numbers r with r mod n == i,
// so that every number is done by exactly one shard and the union of the
// shards is the unsharded sequence.
#pragma once

#include <cstdint>
#include <string>

namespace faultbox::explorer {

class RunShard {
 public:
  // Throws std::invalid_argument, naming `strategy`, unless index < count.
  RunShard(uint64_t index, uint64_t count, const std::string& strategy);
  uint64_t index() const { return index_; }
  uint64_t count() const { return count_; }
  bool owns(uint64_t number) const { return number % count_ == index_; }
  // The first number ≥ `from` that this shard owns.
  uint64_t next_owned(uint64_t from) const;

 private:
  uint64_t index_;
  uint64_t count_;
};

}  // namespace faultbox::explorer
