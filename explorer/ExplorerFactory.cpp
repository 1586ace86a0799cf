#include "explorer/ExplorerFactory.h"

#include <stdexcept>

#include "explorer/OptimalDpor.h"
#include "explorer/PctExplorer.h"
#include "explorer/PermutationsExplorer.h"
#include "explorer/RandomExplorer.h"

namespace faultbox::explorer {

namespace {

DporOrder dpor_order_named(const std::string& name) {
  // The early reversals first by default: a bug behind one preemption
  // comes before the permutations of later events (OptimalDpor.h).
  if (name == "fewest-preemptions") return DporOrder::PreemptionsFirst;
  if (name == "depth-first") return DporOrder::DepthFirst;
  if (name == "random") return DporOrder::Random;
  throw std::invalid_argument("unknown dpor order \"" + name + "\" (fewest-preemptions, depth-first, random)");
}

}  // namespace

std::unique_ptr<Explorer> make_explorer(const ExplorerConfig& c) {
  if (c.shard_count < 1 || c.shard_index < 0 || c.shard_index >= c.shard_count)
    throw std::invalid_argument("shard " + std::to_string(c.shard_index + 1) + "/" + std::to_string(c.shard_count) +
                                " does not exist (want I/N with 1 <= I <= N)");
  if (c.max_faults < 0) throw std::invalid_argument("--max-faults must be 0 or more");
  const auto i = static_cast<uint64_t>(c.shard_index);
  const auto n = static_cast<uint64_t>(c.shard_count);
  if (c.strategy == "dpor") {
    DporOptions o;
    o.max_faults = c.max_faults;
    o.shard = static_cast<uint32_t>(i);
    o.shards = static_cast<uint32_t>(n);
    o.order = dpor_order_named(c.dpor_order);
    o.order_seed = c.seed;
    return std::make_unique<OptimalDpor>(o);
  }
  if (c.strategy == "random") return std::make_unique<RandomExplorer>(c.seed, i, n);
  if (c.strategy == "pct") {
    if (c.pct_depth < 1) throw std::invalid_argument("--pct-depth must be 1 or more");
    return std::make_unique<PctExplorer>(c.seed, static_cast<uint32_t>(c.pct_depth),
                                         static_cast<uint64_t>(c.pct_steps_guess), i, n);
  }
  if (c.strategy == "permutations") return std::make_unique<PermutationsExplorer>(i, n);
  throw std::invalid_argument("unknown strategy \"" + c.strategy + "\" (dpor, pct, random, permutations)");
}

}  // namespace faultbox::explorer
