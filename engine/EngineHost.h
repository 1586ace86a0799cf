// The SpecHost of `faultbox test` (issue 3, item 3): steps are real HTTP
// requests through the run's HttpClient, fault() applies rules to the run's
// FaultRules and SYN queue while its body runs.
//
// Steps run the EventLoop nested (Run::wait until the response arrived):
// the test body runs on the loop thread, and the loop must keep answering
// the services' notifications while a request is in flight. (Fibers, which
// let parallel() branches wait side by side, come with issue 4.)
#pragma once

#include <cstdint>
#include <string>

#include "engine/Run.h"
#include "spec/vocabulary/SpecHost.h"

namespace faultbox::engine {

class EngineHost final : public star::SpecHost {
 public:
  // `spec_dir`: the spec's folder (binary= resolves against it).
  explicit EngineHost(std::string spec_dir) : spec_dir_(std::move(spec_dir)) {}

  // The run the next test body talks to; null between runs (a step then is
  // a HostError).
  void set_run(Run* run) { run_ = run; }

  // Every binary= exists and is executable: one line naming the service and
  // the path otherwise (an environment error, exit 3).
  void topology_ready(const star::Topology& topology) override;
  star::StepResponse step(star::Thread& t, const star::StepRequest& request) override;
  star::Value with_faults(star::Thread& t, const star::FaultSpec& fault,
                          const std::function<star::Value(star::Thread&)>& body) override;
  std::vector<star::Value> parallel(star::Thread& t, const std::vector<star::ParallelBranch>& branches,
                                    const star::ThreadFactory& new_thread, const star::SourceLocation& at) override;

 private:
  Run& run();
  // svc.<iface>.send(data): one TcpExchange inside the run's namespace.
  star::StepResponse tcp_step(Run& r, const star::StepRequest& request, uint16_t port);

  std::string spec_dir_;
  const star::Topology* topology_ = nullptr;  // the loaded spec's (it outlives the runs)
  Run* run_ = nullptr;
};

// Thrown by topology_ready: the environment cannot run the spec (exit 3).
class TopologyEnvironmentError : public star::HostError {
 public:
  using star::HostError::HostError;
};

}  // namespace faultbox::engine
