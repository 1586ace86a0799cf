#include "spec/vocabulary/CheckHost.h"

#include <exception>

#include "spec/eval/Error.h"
#include "spec/eval/Thread.h"

namespace faultbox::star {

StepResponse CheckHost::step(Thread&, const StepRequest& request) {
  steps.push_back(request);
  StepResponse r;
  r.ok = false;
  r.error = "not executed: faultbox check only validates the spec";
  return r;
}

Value CheckHost::with_faults(Thread& t, const FaultSpec& fault, const std::function<Value(Thread&)>& body) {
  faults.push_back(fault);
  ++fault_depth;
  if (fault_depth > max_fault_depth) max_fault_depth = fault_depth;
  struct Leave {
    int& depth;
    ~Leave() { --depth; }
  } leave{fault_depth};
  return body(t);
}

std::vector<Value> CheckHost::parallel(Thread&, const std::vector<ParallelBranch>& list,
                                       const ThreadFactory& new_thread, const SourceLocation&) {
  std::vector<Value> results;
  std::exception_ptr first_error;  // keeps the error's type (AssertionFailure)
  for (const ParallelBranch& b : list) {
    branches.push_back(b.actor);
    auto th = new_thread(b.actor);
    try {
      results.push_back(b.run(*th));
    } catch (const EvalError&) {
      if (!first_error) first_error = std::current_exception();
      results.push_back(Value());
    }
  }
  if (first_error) std::rethrow_exception(first_error);
  return results;
}

}  // namespace faultbox::star
