// One test run (issue 3, item 2): a fresh network namespace with its SYN
// delay queue (or, with --network host, faultbox's own namespace and no
// queue: connect delays then freeze the syscall), a cgroup per service under the run's group, the fault rules
// and their seeded generator, the HTTP client, and the services started in
// depends_on order — each one's healthcheck passes before its dependents
// start. Every test gets its own Run, so no state (ports, TIME_WAIT sockets,
// Redis contents, files) carries from one test into the next.
//
// Teardown (the destructor, also when the test threw): cgroup.kill of every
// service group (double-forked daemons included), then the supervisors and
// pipes, then the namespace, then the run's temporary directory.
//
// Everything runs on the calling thread, which owns the EventLoop.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/Cgroup.h"
#include "engine/ContainerSession.h"
#include "engine/EventLoop.h"
#include "engine/FaultRules.h"
#include "engine/HttpClient.h"
#include "engine/NetworkNamespace.h"
#include "engine/ProcessLauncher.h"
#include "engine/SeccompProgram.h"
#include "engine/ServiceInstance.h"
#include "engine/ServiceMap.h"
#include "engine/SynDelayQueue.h"
#include "engine/TargetInspector.h"
#include "spec/vocabulary/Topology.h"

namespace faultbox::engine {

class InterruptSignal;

// SIGINT/SIGTERM arrived while the run waited: unwind, tear down, exit.
class Interrupted : public std::runtime_error {
 public:
  explicit Interrupted(int signo) : std::runtime_error("interrupted"), signal(signo) {}
  int signal;
};

// A service did not start or its healthcheck did not pass: the test fails.
// what() is one line; log_tail() the service's last lines ("" if none).
class ServiceStartFailure : public std::runtime_error {
 public:
  ServiceStartFailure(const std::string& cause, std::string tail)
      : std::runtime_error(cause), tail_(std::move(tail)) {}
  const std::string& log_tail() const { return tail_; }

 private:
  std::string tail_;
};

struct RunOptions {
  std::string spec_dir;  // binary= and cwd= resolve against it
  uint64_t seed = 1;     // drives probability=
  const InterruptSignal* interrupt = nullptr;  // watched while waiting; may be null
  // --network host: services, steps and healthchecks use faultbox's own
  // network namespace. No SYN queue (it would need a netfilter rule in the
  // host's firewall, which faultbox never touches), so connect delays freeze
  // the syscall instead; ports may collide with the host's processes.
  bool host_network = false;
  // Container mode (every service has image=): the DOCKER_HOST value and the
  // host path of faultbox-shim, bind-mounted into each container.
  std::string docker_host;
  std::string shim_binary;
};

class Run {
 public:
  // Creates the namespace, queue and cgroups. Throws EnvironmentError.
  Run(const star::Topology& topology, const SeccompProgram& program, const CgroupLocation& cgroups,
      RunOptions options);
  ~Run();
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  // Starts every service in depends_on order. Throws ServiceStartFailure,
  // EnvironmentError or Interrupted.
  void start_services();

  // Runs the loop until `done()` or `deadline`; false on the deadline.
  // Throws Interrupted when SIGINT/SIGTERM arrived.
  bool wait(const std::function<bool()>& done, EventLoop::Clock::time_point deadline);

  EventLoop& loop() { return loop_; }
  HttpClient& http() { return *http_; }
  FaultRules& rules() { return rules_; }
  // The run's namespace; null with host_network (faultbox's own namespace,
  // which HttpClient, TcpExchange and PortProbe take as null too).
  const NetworkNamespace* netns() const { return netns_ ? &*netns_ : nullptr; }
  // Holds SYNs matching `match` for `delay` in every queue of the run (the
  // run's namespace, or each container's); nullopt when the run has none
  // (--network host). remove_wire_delay() returns the connections held.
  using WireDelayId = uint64_t;
  std::optional<WireDelayId> add_wire_delay(const SynMatch& match, std::chrono::milliseconds delay);
  uint64_t remove_wire_delay(WireDelayId id);
  // Every SYN queue of the run (the namespace's, or each started
  // container's); empty with --network host.
  std::vector<SynDelayQueue*> syn_queues() const;
  // Container mode: the IPv4 address of `service`'s container ("" before it
  // started, and in binary mode, where every service is on loopback).
  std::string container_ip(const std::string& service) const;
  const std::string& dir() const { return dir_; }
  // Finished fault applications, in the order they ended.
  std::vector<FaultRules::ApplicationReport>& reports() { return reports_; }
  const std::vector<std::unique_ptr<ServiceInstance>>& services() const { return services_; }
  const star::Topology& topology() const { return topology_; }
  TargetInspector& inspector() { return inspector_; }
  // Each started service's cgroup directory (absolute), in start order.
  std::vector<std::pair<std::string, std::string>> service_cgroup_dirs() const;
  // One loop iteration: dispatches what is ready, waiting at most
  // `max_wait`. Returns the callbacks run. Throws Interrupted.
  int poll(std::chrono::nanoseconds max_wait);

 private:
  void start_service(const star::ServiceSpec& spec);
  // Container mode: create and start `spec`'s container and take over its
  // shim's listener; the program waits for the go-ahead (start_services).
  void prepare_container(const star::ServiceSpec& spec);
  // Container mode: registers a container's cgroup (Docker's, read from its
  // first process) for the resolver and the thread census.
  void register_group(const std::string& service, pid_t pid);
  // Throws EnvironmentError naming the port and its holder when one of
  // `spec`'s declared ports is already bound in the namespace.
  void check_ports_free(const star::ServiceSpec& spec) const;
  std::string port_holder(uint16_t port) const;  // " (by service search)"
  // The service whose processes hold a listener on `port`, from /proc.
  std::optional<std::string> service_holding(uint16_t port) const;
  void await_healthy(const star::ServiceSpec& spec, ServiceInstance& instance);
  std::optional<std::string> service_of_pid(pid_t tgid) const;
  void teardown() noexcept;

  const star::Topology& topology_;
  const SeccompProgram& program_;
  RunOptions options_;
  std::string dir_;  // the run's temporary directory (logs, services' default cwd)
  // Destruction order matters (reverse of declaration): services and the
  // HTTP client go before the loop they watch on, the queue before the loop.
  EventLoop loop_;
  std::optional<NetworkNamespace> netns_;  // empty with host_network
  std::unique_ptr<SynDelayQueue> syn_queue_;
  RunCgroups cgroups_;
  ServiceMap service_map_;
  std::mt19937_64 rng_;
  FaultRules rules_;
  // Watches every service's notifications (ServiceInstance), so its fd
  // cache trusts what no watched call changed.
  TargetInspector inspector_{TargetInspector::Watch::Notifications};
  ProcessLauncher launcher_;
  std::unique_ptr<HttpClient> http_;
  std::vector<Cgroup*> groups_;  // owned by cgroups_
  std::vector<std::pair<std::string, std::string>> group_paths_;  // service → path below the cgroup2 mount
  std::string cgroup_mount_;
  std::vector<std::unique_ptr<ServiceInstance>> services_;
  std::vector<FaultRules::ApplicationReport> reports_;
  bool torn_down_ = false;
  // Container mode. Declared last: destroyed first, after teardown() killed
  // the containers and dropped the supervisors.
  struct ContainerRecord {
    std::string service;
    std::string id;
    std::string ip;
    NetworkNamespace netns;                 // the container's
    std::unique_ptr<SynDelayQueue> queue;   // INPUT chain: SYNs to it
    ShimSession handover;                   // go_ahead() starts the program
    ServiceInstance* instance = nullptr;    // its supervisor (owned by services_)
  };
  std::unique_ptr<ContainerSession> containers_;
  std::vector<ContainerRecord> container_records_;
  std::map<WireDelayId, std::vector<std::pair<SynDelayQueue*, SynDelayQueue::RuleId>>> wire_delays_;
  WireDelayId next_wire_delay_ = 1;
};

// The services of `topology` in an order where each comes after what it
// depends on (declaration order among independent ones).
std::vector<const star::ServiceSpec*> start_order(const star::Topology& topology);

}  // namespace faultbox::engine
