#include "tests/explorer/ModelExploration.h"

namespace faultbox::explorer::model {

ModelExploration explore(Explorer& explorer, const ProgramModel& model, uint64_t max_runs) {
  ModelExploration out;
  for (;;) {
    if (out.verdicts.size() >= max_runs) {
      out.out_of_runs = true;
      break;
    }
    std::unique_ptr<scheduler::Strategy> strategy = explorer.next_run();
    if (!strategy) break;
    RunVerdict verdict = explorer.finished_run(model.run(std::move(strategy)));
    if (verdict.kind == RunVerdict::Kind::NewClass) out.classes.insert(verdict.class_id);
    out.verdicts.push_back(std::move(verdict));
  }
  out.stats = explorer.stats();
  return out;
}

}  // namespace faultbox::explorer::model
