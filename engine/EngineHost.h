// The SpecHost of `faultbox test` (issue 3, item 3): steps are real HTTP
// requests through the run's HttpClient, fault() applies rules to the run's
// FaultRules and SYN queue while its body runs.
//
// The test body runs on the Driver's fibers (issue 4, item 2): a step starts
// its request and suspends its fiber (Driver::wait_until) until the response
// arrives, while the main context keeps the loop answering the services'
// notifications; parallel() runs each branch on its own fiber. Before a
// step starts, Driver::before_step makes it an event the scheduler can hold
// (serialized mode).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "engine/DecisionLoop.h"
#include "engine/Driver.h"
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
  // The driver whose fibers run the test body; null between runs. Steps and
  // parallel() must be called on one of its fibers.
  void set_driver(Driver* driver) { driver_ = driver; }
  // The run's decision loop, which records each step's response; null
  // between runs.
  void set_decisions(DecisionLoop* decisions) { decisions_ = decisions; }
  // The fiber whose step in flight uses local port `port` (faultbox's end of
  // the connection a service reads from): how the trace pairs a service's
  // receive with the step that sent it.
  std::optional<std::string> fiber_of_local_port(uint16_t port) const;

  // Every binary= exists and is executable: one line naming the service and
  // the path otherwise (an environment error, exit 3).
  void topology_ready(const star::Topology& topology) override;
  // Binary mode: localhost (every service on the run's loopback). Container
  // mode: the service's name, its DNS alias on the run's network.
  star::InterfaceAddress address(const star::ServiceSpec& service, const star::InterfaceSpec& iface) override;
  // Container mode: the id ("sha256:…") of `service`'s image as
  // topology_ready() found it; "" for a binary service.
  std::string image_id(const std::string& service) const {
    auto it = image_ids_.find(service);
    return it == image_ids_.end() ? "" : it->second;
  }
  star::StepResponse step(star::Thread& t, const star::StepRequest& request) override;
  star::Value with_faults(star::Thread& t, const star::FaultSpec& fault,
                          const std::function<star::Value(star::Thread&)>& body) override;
  std::vector<star::Value> parallel(star::Thread& t, const std::vector<star::ParallelBranch>& branches,
                                    const star::ThreadFactory& new_thread, const star::SourceLocation& at) override;

 private:
  Run& run();
  Driver& driver();
  star::StepResponse perform_step(star::Thread& t, const star::StepRequest& request);
  // svc.<iface>.send(data): one TcpExchange inside the run's namespace.
  star::StepResponse tcp_step(Run& r, Driver& d, const star::StepRequest& request, uint16_t port);

  std::string spec_dir_;
  const star::Topology* topology_ = nullptr;  // the loaded spec's (it outlives the runs)
  std::map<std::string, std::string> image_ids_;  // service → image id (container mode)
  Run* run_ = nullptr;
  // A step in flight for the duration of its wait: fiber → its connection's
  // local port (known once connected).
  class InFlight {
   public:
    InFlight(EngineHost& host, std::string fiber, std::function<std::optional<uint16_t>()> port)
        : host_(host), fiber_(std::move(fiber)) {
      host_.in_flight_[fiber_] = std::move(port);
    }
    ~InFlight() { host_.in_flight_.erase(fiber_); }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

   private:
    EngineHost& host_;
    std::string fiber_;
  };

  Driver* driver_ = nullptr;
  DecisionLoop* decisions_ = nullptr;
  std::map<std::string, std::function<std::optional<uint16_t>()>> in_flight_;
};

// Thrown by topology_ready: the environment cannot run the spec (exit 3).
class TopologyEnvironmentError : public star::HostError {
 public:
  using star::HostError::HostError;
};

}  // namespace faultbox::engine
