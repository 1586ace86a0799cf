#include "engine/ServiceMap.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace faultbox::engine {

bool ServiceMap::Service::has_port(uint16_t port) const {
  return port != 0 && std::find(ports.begin(), ports.end(), port) != ports.end();
}

bool ServiceMap::Service::reached_by(const SocketAddress& dst) const {
  if (!dst.is_inet() || !has_port(dst.port)) return false;
  if (dst.is_loopback() || dst.is_unspecified()) return !private_loopback;
  return std::any_of(addresses.begin(), addresses.end(), [&](const SocketAddress& a) { return a.same_host(dst); });
}

ServiceMap ServiceMap::from_topology(const star::Topology& topology) {
  ServiceMap map;
  for (const star::ServiceSpec& s : topology.services) {
    Service svc;
    svc.name = s.name;
    for (const star::InterfaceSpec& i : s.interfaces)
      if (i.port > 0 && i.port < 65536) svc.ports.push_back(static_cast<uint16_t>(i.port));
    map.add_service(std::move(svc));
  }
  return map;
}

void ServiceMap::add_service(Service service) {
  std::string name = service.name;
  // Pointers in by_tgid_ stay valid: std::map nodes never move, and a
  // replaced service is assigned in place.
  auto it = services_.find(name);
  if (it == services_.end()) services_.emplace(std::move(name), std::move(service));
  else it->second = std::move(service);
}

void ServiceMap::add_process(std::string_view service, pid_t tgid) {
  auto it = services_.find(service);
  if (it == services_.end()) return;
  by_tgid_[tgid] = &it->second;
}

void ServiceMap::forget_process(pid_t tgid) { by_tgid_.erase(tgid); }

const ServiceMap::Service* ServiceMap::find(std::string_view name) const {
  auto it = services_.find(name);
  return it == services_.end() ? nullptr : &it->second;
}

const ServiceMap::Service* ServiceMap::service_of(pid_t tgid) {
  if (auto it = by_tgid_.find(tgid); it != by_tgid_.end()) return it->second;
  std::optional<std::string> name = resolver_ ? resolver_(tgid) : by_ancestry(tgid);
  if (!name) return nullptr;  // not cached: it may be registered later
  auto sit = services_.find(*name);
  if (sit == services_.end()) return nullptr;
  by_tgid_[tgid] = &sit->second;
  return &sit->second;
}

std::optional<std::string> ServiceMap::by_ancestry(pid_t tgid) const {
  pid_t pid = tgid;
  // Bounded: a parent chain is short, and a cycle (pid reuse racing the
  // walk) must not loop.
  for (int depth = 0; depth < 32 && pid > 1; ++depth) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return std::nullopt;
    // "pid (comm) state ppid ...": comm may hold spaces and ')', so parse
    // after the last ')'.
    size_t close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest(line.substr(close + 1));
    char state;
    pid_t ppid = 0;
    if (!(rest >> state >> ppid)) return std::nullopt;
    if (auto it = by_tgid_.find(ppid); it != by_tgid_.end()) return it->second->name;
    pid = ppid;
  }
  return std::nullopt;
}

}  // namespace faultbox::engine
