// Which service a supervised process belongs to, and where each service can
// be reached — what fault rules need to turn "fault(redis, ...)" into
// "this syscall of this process".
//
// Processes are registered as they are started (add_process). Their children
// (workers, forks) are found on first sight: by the resolver the run gives
// (the run knows each service's cgroup, which also covers double-forked
// daemons) or, without one, by walking the parent chain in /proc to a
// registered process. Answers are cached; forget_process() drops one.
//
// Single-threaded: lives on the loop thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/SocketAddress.h"
#include "spec/vocabulary/Topology.h"

namespace faultbox::engine {

class ServiceMap {
 public:
  struct Service {
    std::string name;
    std::vector<uint16_t> ports;  // its interfaces' ports
    // Addresses it is reached at besides the local host's (a container's IP).
    // Loopback and unspecified destinations always count as it when the port
    // is one of its ports: in a run's namespace every service is on loopback.
    std::vector<SocketAddress> addresses;
    // A container's loopback is its own: a connect to 127.0.0.1 inside it
    // never reaches another service.
    bool private_loopback = false;

    bool has_port(uint16_t port) const;
    // Whether a connection to `dst` reaches this service.
    bool reached_by(const SocketAddress& dst) const;
  };
  // tgid → service name, or nullopt when not one of the run's.
  using Resolver = std::function<std::optional<std::string>(pid_t tgid)>;

  ServiceMap() = default;
  // Movable, not copyable: the tgid cache points into the service table
  // (std::map nodes survive a move, a copy would leave them dangling).
  ServiceMap(ServiceMap&&) = default;
  ServiceMap& operator=(ServiceMap&&) = default;
  ServiceMap(const ServiceMap&) = delete;
  ServiceMap& operator=(const ServiceMap&) = delete;
  // Every service of the topology with its interfaces' ports.
  static ServiceMap from_topology(const star::Topology& topology);

  // Adds (or replaces) a service.
  void add_service(Service service);
  void add_process(std::string_view service, pid_t tgid);
  void forget_process(pid_t tgid);
  void set_resolver(Resolver resolver) { resolver_ = std::move(resolver); }

  const Service* find(std::string_view name) const;
  // The service `tgid` belongs to; null when none.
  const Service* service_of(pid_t tgid);
  const std::map<std::string, Service, std::less<>>& services() const { return services_; }

 private:
  std::optional<std::string> by_ancestry(pid_t tgid) const;

  std::map<std::string, Service, std::less<>> services_;
  std::unordered_map<pid_t, const Service*> by_tgid_;
  Resolver resolver_;
};

}  // namespace faultbox::engine
