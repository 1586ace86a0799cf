// The order of optimal DPOR's pending branches (DporOptions::order). A
// check-then-act race that needs one early preemption among many
// dependent later events — two threads of one service (conservative
// dependence: every pair of their events is dependent) each checking a
// stock file, selling, then logging — is the case `faultbox explore`
// meets: depth-first reaches the oversell only after it has permuted the
// logging, fewest-preemptions-first at once. Both orders run the same
// classes, each once (the model check, dpor_oracle_test.cpp, proves that
// for every order on random programs).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "explorer/OptimalDpor.h"
#include "tests/explorer/ProgramModel.h"

namespace faultbox::explorer::model {
namespace {

constexpr int kLogWrites = 3;

// Each thread: read /f/stock; unless it says sold (1), write /f/stock 1
// and /f/orders (the sale); then kLogWrites log lines either way.
Program shop() {
  std::vector<Instr> code = {read("/f/stock"), jump_if_eq(1, 4), write("/f/stock", 1), write("/f/orders", 1)};
  for (int i = 0; i < kLogWrites; ++i) code.push_back(write("/f/log", i));
  Program p;
  p.services = {Service{"shop", {ThreadProgram{code}, ThreadProgram{code}}}};
  return p;
}

bool oversold(const scheduler::RunRecord& run) {
  return std::count_if(run.decisions.begin(), run.decisions.end(), [](const scheduler::Decision& d) {
           return d.event.label.find("/f/orders") != std::string::npos;
         }) == 2;
}

struct OrderRun {
  std::set<std::string> classes;
  uint64_t runs = 0;
  std::optional<uint64_t> first_oversell;  // 1-based run number
  uint64_t peak_live_nodes = 0;
};

OrderRun explore_in(DporOrder order) {
  const ProgramModel model(shop());
  DporOptions options;
  options.order = order;
  OptimalDpor dpor(options);
  OrderRun out;
  while (auto strategy = dpor.next_run()) {
    scheduler::RunRecord record = model.run(std::move(strategy));
    const bool sold_twice = oversold(record);
    const RunVerdict verdict = dpor.finished_run(std::move(record));
    ++out.runs;
    EXPECT_EQ(verdict.kind, RunVerdict::Kind::NewClass) << "run " << out.runs;
    out.classes.insert(verdict.class_id);
    if (sold_twice && !out.first_oversell) out.first_oversell = out.runs;
  }
  EXPECT_TRUE(dpor.stats().exhausted);
  EXPECT_EQ(dpor.live_nodes(), 1u);  // the root: everything else finished and freed
  out.peak_live_nodes = dpor.peak_live_nodes();
  return out;
}

TEST(DporOrder, FewestPreemptionsFirstFindsTheEarlyRaceAtOnceDepthFirstLate) {
  const std::set<std::string> all = ProgramModel(shop()).all_class_ids(0);
  const OrderRun dfs = explore_in(DporOrder::DepthFirst);
  const OrderRun best = explore_in(DporOrder::PreemptionsFirst);
  // The same classes, each once.
  EXPECT_EQ(dfs.classes, all);
  EXPECT_EQ(best.classes, all);
  EXPECT_EQ(dfs.runs, all.size());
  EXPECT_EQ(best.runs, all.size());
  ASSERT_TRUE(dfs.first_oversell.has_value());
  ASSERT_TRUE(best.first_oversell.has_value());
  std::printf("classes %zu; first oversell: depth-first run %llu, preemptions-first run %llu; "
              "peak live nodes %llu vs %llu\n",
              all.size(), static_cast<unsigned long long>(*dfs.first_oversell),
              static_cast<unsigned long long>(*best.first_oversell),
              static_cast<unsigned long long>(dfs.peak_live_nodes),
              static_cast<unsigned long long>(best.peak_live_nodes));
  // The first run is t1 whole, then t2 (which finds the stock sold). Its
  // one race puts t2's read just before t1's last event — one preemption —
  // and each such run reveals the race one event earlier: with fewest
  // preemptions first (ties deeper first) the oversell, t2's read right
  // after t1's, is run 1 + (t1's events after its read) = 1 + 2 + kLogWrites.
  EXPECT_LE(*best.first_oversell, static_cast<uint64_t>(1 + 2 + kLogWrites));
  // Depth-first permutes the logging at the end first.
  EXPECT_GT(*dfs.first_oversell, 10 * *best.first_oversell);
  // Depth-first holds only the current path: a run is at most both
  // threads' 4 + kLogWrites events, a path that many nodes plus the root.
  EXPECT_LE(dfs.peak_live_nodes, static_cast<uint64_t>(1 + 2 * (4 + kLogWrites)));
}

}  // namespace
}  // namespace faultbox::explorer::model
