// The Driver as the decision loop sees it (DriverControl): its fibers that
// wait to start a step are events of the enabled set.
#pragma once

#include "engine/DecisionLoop.h"
#include "engine/Driver.h"

namespace faultbox::engine {

class DriverSteps final : public DriverControl {
 public:
  explicit DriverSteps(Driver& driver) : driver_(driver) {}

  std::vector<PendingStep> pending_steps() const override {
    std::vector<PendingStep> out;
    for (const Driver::FiberInfo& f : driver_.fibers())
      if (f.state == Driver::FiberState::WantsStep && f.step) out.push_back({f.name, f.step->method, f.step->target});
    return out;
  }
  void release_step(const std::string& fiber) override { driver_.release_step(fiber); }
  int resume_ready() override { return driver_.resume_ready(); }
  bool finished() const override { return driver_.finished(); }

 private:
  Driver& driver_;
};

}  // namespace faultbox::engine
