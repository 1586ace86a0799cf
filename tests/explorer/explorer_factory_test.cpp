// `--strategy dpor --dpor-order X` reaches OptimalDpor: an explorer made
// from an ExplorerConfig visits the classes of a small model in exactly the
// order of an OptimalDpor built with the matching DporOptions — and the
// orders visit them differently, so the comparison could fail. The tree's
// peak (ExplorationStats::peak_live_nodes) is dpor's alone.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "explorer/ExplorerFactory.h"
#include "explorer/OptimalDpor.h"
#include "tests/explorer/ModelExploration.h"
#include "tests/explorer/ProgramModel.h"

namespace faultbox::explorer::model {
namespace {

constexpr uint64_t kBudget = 10000;

// Two threads of one service (every pair of their events dependent), each
// checking a stock file, selling, then logging twice: enough classes for
// the orders to differ, few enough to exhaust at once.
Program shop() {
  std::vector<Instr> code = {read("/f/stock"), jump_if_eq(1, 4), write("/f/stock", 1), write("/f/orders", 1),
                             write("/f/log", 0), write("/f/log", 1)};
  Program p;
  p.services = {Service{"shop", {ThreadProgram{code}, ThreadProgram{code}}}};
  return p;
}

// The class ids of the runs in the order they ran, exhausting the model.
std::vector<std::string> visits(Explorer& explorer) {
  const ModelExploration e = explore(explorer, ProgramModel(shop()), kBudget);
  EXPECT_FALSE(e.out_of_runs);
  EXPECT_TRUE(e.stats.exhausted);
  std::vector<std::string> ids;
  for (const RunVerdict& v : e.verdicts) ids.push_back(v.class_id);
  return ids;
}

std::vector<std::string> visits_of_config(const std::string& order, uint64_t seed) {
  ExplorerConfig config;
  config.strategy = "dpor";
  config.dpor_order = order;
  config.seed = seed;
  config.max_faults = 0;
  std::unique_ptr<Explorer> explorer = make_explorer(config);
  return visits(*explorer);
}

std::vector<std::string> visits_of_dpor(DporOrder order, uint64_t order_seed) {
  DporOptions options;
  options.order = order;
  options.order_seed = order_seed;
  OptimalDpor dpor(options);
  return visits(dpor);
}

TEST(ExplorerFactory, DporOrderReachesOptimalDpor) {
  const std::vector<std::string> dfs = visits_of_config("depth-first", 1);
  const std::vector<std::string> fewest = visits_of_config("fewest-preemptions", 1);
  EXPECT_EQ(dfs, visits_of_dpor(DporOrder::DepthFirst, 1));
  EXPECT_EQ(fewest, visits_of_dpor(DporOrder::PreemptionsFirst, 1));
  // The default config is fewest-preemptions.
  ExplorerConfig defaults;
  defaults.max_faults = 0;
  std::unique_ptr<Explorer> by_default = make_explorer(defaults);
  EXPECT_EQ(visits(*by_default), fewest);
  // Not vacuous: the two orders run the same classes in another order.
  EXPECT_NE(dfs, fewest);
  EXPECT_EQ(std::set<std::string>(dfs.begin(), dfs.end()), std::set<std::string>(fewest.begin(), fewest.end()));
  EXPECT_EQ(std::set<std::string>(dfs.begin(), dfs.end()), ProgramModel(shop()).all_class_ids(0));
}

TEST(ExplorerFactory, RandomDporOrderDrawsFromTheSeed) {
  const std::vector<std::string> seed1 = visits_of_config("random", 1);
  EXPECT_EQ(seed1, visits_of_dpor(DporOrder::Random, 1));
  // Some other seed draws another order, and each is the seed's: the
  // config's seed is the order's seed, not a constant.
  bool another = false;
  for (uint64_t seed = 2; seed <= 6; ++seed) {
    const std::vector<std::string> s = visits_of_config("random", seed);
    EXPECT_EQ(s, visits_of_dpor(DporOrder::Random, seed)) << "seed " << seed;
    another = another || s != seed1;
  }
  EXPECT_TRUE(another) << "seeds 1..6 all drew the order of seed 1";
}

TEST(ExplorerFactory, UnknownDporOrderNamesTheKnownOnes) {
  ExplorerConfig config;
  config.dpor_order = "breadth-first";
  try {
    make_explorer(config);
    FAIL() << "breadth-first accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("\"breadth-first\" (fewest-preemptions, depth-first, random)"),
              std::string::npos)
        << e.what();
  }
}

TEST(ExplorerFactory, PeakLiveNodesIsDporsAlone) {
  ExplorerConfig config;
  config.max_faults = 0;
  config.dpor_order = "depth-first";
  std::unique_ptr<Explorer> dfs = make_explorer(config);
  config.dpor_order = "fewest-preemptions";
  std::unique_ptr<Explorer> fewest = make_explorer(config);
  ASSERT_TRUE(dfs->stats().peak_live_nodes.has_value());  // before any run too
  visits(*dfs);
  visits(*fewest);
  const uint64_t dfs_peak = dfs->stats().peak_live_nodes.value_or(0);
  const uint64_t fewest_peak = fewest->stats().peak_live_nodes.value_or(0);
  EXPECT_EQ(dfs_peak, static_cast<const OptimalDpor&>(*dfs).peak_live_nodes());
  // A run is at most both threads' 6 events: depth-first holds that path
  // plus the root; fewest-preemptions keeps finished subtrees waiting.
  EXPECT_GT(dfs_peak, 1u);
  EXPECT_LE(dfs_peak, 1u + 2 * 6);
  EXPECT_GE(fewest_peak, dfs_peak);
  for (const char* other : {"pct", "random", "permutations"}) {
    ExplorerConfig c;
    c.strategy = other;
    EXPECT_FALSE(make_explorer(c)->stats().peak_live_nodes.has_value()) << other;
  }
}

}  // namespace
}  // namespace faultbox::explorer::model
