// The SpecHost of `faultbox check` (and of unit tests): it runs nothing. It
// records what the spec asked for — steps, fault applications, parallel
// branches — and answers every step with a response that says it was not
// executed (ok=False), so a test body can still be walked through. Branches
// of parallel() run one after another on threads of their own.
#pragma once

#include <vector>

#include "spec/vocabulary/SpecHost.h"

namespace faultbox::star {

class CheckHost final : public SpecHost {
 public:
  StepResponse step(Thread& t, const StepRequest& request) override;
  Value with_faults(Thread& t, const FaultSpec& fault, const std::function<Value(Thread&)>& body) override;
  std::vector<Value> parallel(Thread& t, const std::vector<ParallelBranch>& branches, const ThreadFactory& new_thread,
                              const SourceLocation& at) override;

  // What the spec asked for, in order.
  std::vector<StepRequest> steps;
  std::vector<FaultSpec> faults;
  std::vector<std::string> branches;  // actors of parallel branches run
  int fault_depth = 0;                // faults active right now (they nest)
  int max_fault_depth = 0;
};

}  // namespace faultbox::star
