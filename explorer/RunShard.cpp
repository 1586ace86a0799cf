#include "explorer/RunShard.h"

#include <stdexcept>

namespace faultbox::explorer {

RunShard::RunShard(uint64_t index, uint64_t count, const std::string& strategy) : index_(index), count_(count) {
  if (count == 0 || index >= count)
    throw std::invalid_argument(strategy + ": shard " + std::to_string(index) + "/" + std::to_string(count) +
                                " is out of range (the index is 0-based and below the count)");
}

uint64_t RunShard::next_owned(uint64_t from) const {
  const uint64_t r = from % count_;
  return r <= index_ ? from + (index_ - r) : from + (count_ - r) + index_;
}

}  // namespace faultbox::explorer
