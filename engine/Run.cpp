#include "engine/Run.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <set>

#include "engine/CurlGlobal.h"
#include "engine/EngineError.h"
#include "engine/Healthcheck.h"
#include "engine/InterruptSignal.h"
#include "engine/OwnerTag.h"
#include "engine/PortProbe.h"
#include "engine/ServicePaths.h"

extern char** environ;

namespace faultbox::engine {

namespace fs = std::filesystem;

namespace {

// $TMPDIR/faultbox-run-<pid>-<start time>-XXXXXX: removed at teardown;
// after a kill -9 the next run's start removes it (its owner is gone).
constexpr const char* kRunDirPrefix = "faultbox-run-";

std::string make_run_dir() {
  sweep_owned_temp_dirs(kRunDirPrefix);
  return make_owned_temp_dir(kRunDirPrefix);
}

// faultbox's environment with the service's env= on top: services find
// PATH, HOME and the locale as when started by hand.
std::vector<std::string> service_env(const star::ServiceSpec& spec) {
  std::map<std::string, std::string> env;
  std::vector<std::string> order;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string k = kv.substr(0, eq);
    if (!env.count(k)) order.push_back(k);
    env[k] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : spec.env) {
    if (!env.count(k)) order.push_back(k);
    env[k] = v;
  }
  std::vector<std::string> out;
  for (const std::string& k : order) out.push_back(k + "=" + env[k]);
  return out;
}

// The first log line that reports a busy port (glibc's strerror text, as
// perror and most runtimes print it), trimmed; nullopt when none does.
std::optional<std::string> address_in_use_line(const std::string& tail) {
  std::istringstream in(tail);
  for (std::string line; std::getline(in, line);) {
    std::string lower = line;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.find("address already in use") == std::string::npos) continue;
    size_t bar = line.find("| ");  // log_tail() prefixes "  | "
    std::string text = bar == std::string::npos ? line : line.substr(bar + 2);
    size_t b = text.find_first_not_of(" \t"), e = text.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : text.substr(b, e - b + 1);
  }
  return std::nullopt;
}

}  // namespace

std::vector<const star::ServiceSpec*> start_order(const star::Topology& topology) {
  std::vector<const star::ServiceSpec*> order;
  std::set<std::string> placed, visiting;
  // Depth first over depends_on; the spec layer already rejected cycles,
  // `visiting` only keeps a bad topology from recursing forever.
  std::function<void(const star::ServiceSpec&)> place = [&](const star::ServiceSpec& s) {
    if (placed.count(s.name) || visiting.count(s.name)) return;
    visiting.insert(s.name);
    for (const std::string& dep : s.depends_on)
      if (const star::ServiceSpec* d = topology.find_service(dep)) place(*d);
    visiting.erase(s.name);
    placed.insert(s.name);
    order.push_back(&s);
  };
  for (const star::ServiceSpec& s : topology.services) place(s);
  return order;
}

Run::Run(const star::Topology& topology, const SeccompProgram& program, const CgroupLocation& cgroups,
         RunOptions options)
    : topology_(topology),
      program_(program),
      options_(std::move(options)),
      dir_(make_run_dir()),
      // Containers have namespaces of their own (on the run's Docker
      // network); binary services share the run's loopback-only one.
      netns_(options_.host_network || any_container(topology)
                 ? std::nullopt
                 : std::optional<NetworkNamespace>(NetworkNamespace::create())),
      syn_queue_(netns_ ? std::make_unique<SynDelayQueue>(loop_, *netns_) : nullptr),
      cgroups_(cgroups),
      service_map_(ServiceMap::from_topology(topology)),
      rng_(options_.seed),
      // Without a SYN queue a connect delay can only freeze the syscall.
      rules_(service_map_, rng_, FaultRules::Options{!options_.host_network}),
      launcher_(program),
      cgroup_mount_(cgroups.mount) {
  ensure_curl_initialized();
  http_ = std::make_unique<HttpClient>(loop_, netns());
  // Children and double-forked daemons are found by their cgroup, which
  // they cannot leave (the ancestry walk would lose a reparented daemon).
  service_map_.set_resolver([this](pid_t tgid) { return service_of_pid(tgid); });
  if (options_.interrupt)
    // Only wakes the loop; wait() reads the signal. Never drained: once
    // interrupted, the run unwinds.
    loop_.watch(options_.interrupt->fd(), EPOLLIN, [](uint32_t) {});
  fs::create_directories(fs::path(dir_) / "logs");
  if (any_container(topology)) {
    if (std::string mixed = mixed_modes(topology); !mixed.empty()) {
      teardown();
      throw EnvironmentError(mixed);
    }
    if (options_.host_network) {
      // Containers always have namespaces of their own on the run's
      // network; "host" would only turn held SYNs into frozen connects.
      teardown();
      throw EnvironmentError("--network host applies to binary= services; containers always run on the run's own "
                             "Docker network (drop --network host)");
    }
    ContainerSessionOptions copts;
    copts.docker_host = options_.docker_host;
    copts.shim_binary = options_.shim_binary;
    try {
      containers_ = std::make_unique<ContainerSession>(copts);
    } catch (...) {
      teardown();
      throw;
    }
  }
}

Run::~Run() { teardown(); }

void Run::teardown() noexcept {
  if (torn_down_) return;
  torn_down_ = true;
  if (options_.interrupt && loop_.watching(options_.interrupt->fd())) loop_.unwatch(options_.interrupt->fd());
  // Kill first, while the supervisors still answer: a process between two
  // syscalls must not see ENOSYS and log a confusing error on its way out.
  for (Cgroup* g : groups_) g->kill_all();
  if (containers_) containers_->kill_all();
  services_.clear();
  http_.reset();
  syn_queue_.reset();
  wire_delays_.clear();
  container_records_.clear();
  containers_.reset();  // removes the containers, the network, the shim's folder
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::optional<std::string> Run::service_of_pid(pid_t tgid) const {
  std::ifstream f("/proc/" + std::to_string(tgid) + "/cgroup");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    std::string path = line.substr(3);
    for (const auto& [service, group] : group_paths_)
      if (path == group || path.rfind(group + "/", 0) == 0) return service;
  }
  return std::nullopt;
}

bool Run::wait(const std::function<bool()>& done, EventLoop::Clock::time_point deadline) {
  auto interrupted = [this] { return options_.interrupt && options_.interrupt->received() != 0; };
  bool ok = loop_.run_until([&] { return interrupted() || done(); }, deadline);
  if (interrupted()) throw Interrupted(options_.interrupt->received());
  return ok;
}

int Run::poll(std::chrono::nanoseconds max_wait) {
  int ran = loop_.run_once(max_wait);
  if (options_.interrupt && options_.interrupt->received() != 0) throw Interrupted(options_.interrupt->received());
  return ran;
}

std::vector<std::pair<std::string, std::string>> Run::service_cgroup_dirs() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [service, rel] : group_paths_) out.emplace_back(service, cgroup_mount_ + (rel == "/" ? "" : rel));
  return out;
}

std::optional<Run::WireDelayId> Run::add_wire_delay(const SynMatch& match, std::chrono::milliseconds delay) {
  std::vector<std::pair<SynDelayQueue*, SynDelayQueue::RuleId>> placed;
  if (syn_queue_) placed.emplace_back(syn_queue_.get(), syn_queue_->add_delay(match, delay));
  // A container's queue sees only the SYNs to that container; the match's
  // address keeps a rule to one service from holding another's that shares
  // its port.
  for (ContainerRecord& c : container_records_)
    if (c.queue && (match.dst_ip.empty() || match.dst_ip == c.ip))
      placed.emplace_back(c.queue.get(), c.queue->add_delay(match, delay));
  if (!syn_queue_ && container_records_.empty()) return std::nullopt;
  WireDelayId id = next_wire_delay_++;
  wire_delays_.emplace(id, std::move(placed));
  return id;
}

uint64_t Run::remove_wire_delay(WireDelayId id) {
  auto it = wire_delays_.find(id);
  if (it == wire_delays_.end()) return 0;
  uint64_t held = 0;
  for (auto& [queue, rule] : it->second) held += queue->remove(rule);
  wire_delays_.erase(it);
  return held;
}

std::vector<SynDelayQueue*> Run::syn_queues() const {
  std::vector<SynDelayQueue*> out;
  if (syn_queue_) out.push_back(syn_queue_.get());
  for (const ContainerRecord& r : container_records_)
    if (r.queue) out.push_back(r.queue.get());
  return out;
}

std::string Run::container_ip(const std::string& service) const {
  for (const ContainerRecord& c : container_records_)
    if (c.service == service) return c.ip;
  return "";
}

void Run::register_group(const std::string& service, pid_t pid) {
  // The process's own cgroup v2 path relative to the mount (the "0::"
  // line): Docker's /docker/<id> here, /system.slice/docker-<id>.scope
  // under systemd. Every later process of the container stays below it.
  std::ifstream f("/proc/" + std::to_string(pid) + "/cgroup");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("0::", 0) == 0) {
      group_paths_.emplace_back(service, line.substr(3));
      return;
    }
}

void Run::start_services() {
  if (!containers_) {
    for (const star::ServiceSpec* s : start_order(topology_)) start_service(*s);
    return;
  }
  // Every container is created and started first, its program held by the
  // shim: each service's name resolves (Docker's DNS knows a container once
  // it started) and its address answers — refusing until its program
  // listens — from the beginning, as on a binary run's loopback. Without
  // this, a service that looks up a dependency declared after it waits on
  // DNS timeouts for a name that does not exist yet.
  std::vector<const star::ServiceSpec*> order = start_order(topology_);
  for (const star::ServiceSpec* s : order) prepare_container(*s);
  for (const star::ServiceSpec* s : order)
    for (ContainerRecord& c : container_records_)
      if (c.service == s->name) {
        c.handover.go_ahead();
        await_healthy(*s, *c.instance);
      }
}

void Run::start_service(const star::ServiceSpec& spec) {
  check_ports_free(spec);
  Cgroup& group = cgroups_.add_service(spec.name);
  groups_.push_back(&group);
  std::string rel = group.path().substr(cgroup_mount_.size());
  if (rel.empty()) rel = "/";
  group_paths_.emplace_back(spec.name, rel);

  LaunchSpec launch;
  launch.path = resolve_binary(options_.spec_dir, spec.binary);
  launch.argv.push_back(launch.path);
  launch.argv.insert(launch.argv.end(), spec.args.begin(), spec.args.end());
  launch.env = service_env(spec);
  if (!spec.cwd.empty()) {
    launch.cwd = resolve_cwd(options_.spec_dir, spec.cwd);
  } else {
    // A fresh directory per service and run: relative files a service
    // writes (an order log) never carry into the next test.
    launch.cwd = (fs::path(dir_) / spec.name).string();
    fs::create_directories(launch.cwd);
  }
  launch.netns_fd = netns_ ? netns_->fd() : -1;  // -1: faultbox's own namespace
  launch.cgroup_procs_fd = group.procs_fd();

  std::string log_path = (fs::path(dir_) / "logs" / (spec.name + ".log")).string();
  auto decide = [this](const SyscallEvent& ev, const std::function<bool()>& still_valid) {
    return rules_.decide(ev, inspector_, still_valid);
  };
  try {
    services_.push_back(
        std::make_unique<ServiceInstance>(loop_, launcher_, spec.name, launch, log_path, decide, inspector_));
  } catch (const EnvironmentError& e) {
    throw EnvironmentError("service " + spec.name + ": " + e.what());
  }
  ServiceInstance& instance = *services_.back();
  service_map_.add_process(spec.name, instance.pid());
  await_healthy(spec, instance);
}

void Run::prepare_container(const star::ServiceSpec& spec) {
  ContainerSession::Started started;
  try {
    started = containers_->start(spec, program_);
  } catch (const EnvironmentError& e) {
    // A container that cannot be run under interception is the
    // environment's problem (exit 3), never a run without it.
    throw EnvironmentError("service " + spec.name + ": " + e.what());
  }
  ContainerRecord record{spec.name, started.id, started.ip, NetworkNamespace::of_process(started.pid), nullptr,
                         std::move(started.handover), nullptr};
  // Before the go-ahead: the service's first connect may already be one a
  // fault must hold.
  SynDelayQueue::Options qopts;
  qopts.chain = "INPUT";
  try {
    record.queue = std::make_unique<SynDelayQueue>(loop_, record.netns, qopts);
  } catch (const EnvironmentError& e) {
    throw EnvironmentError("service " + spec.name + ": " + e.what());
  }

  // The container is reached at its own address (and loopback inside it is
  // its own, not the run's).
  if (const ServiceMap::Service* known = service_map_.find(spec.name)) {
    ServiceMap::Service updated = *known;
    if (auto a = SocketAddress::from_numeric(started.ip, 0)) updated.addresses.push_back(*a);
    updated.private_loopback = true;
    service_map_.add_service(std::move(updated));
  }
  std::string log_path = (fs::path(dir_) / "logs" / (spec.name + ".log")).string();
  auto decide = [this](const SyscallEvent& ev, const std::function<bool()>& still_valid) {
    return rules_.decide(ev, inspector_, still_valid);
  };
  ContainerSession* session = containers_.get();
  std::string id = started.id;
  services_.push_back(std::make_unique<ServiceInstance>(loop_, std::move(started.process), spec.name, log_path,
                                                        decide, [session, id] { return session->logs(id); },
                                                        inspector_));
  record.instance = services_.back().get();
  service_map_.add_process(spec.name, record.instance->pid());
  register_group(spec.name, record.instance->pid());
  container_records_.push_back(std::move(record));
}

void Run::check_ports_free(const star::ServiceSpec& spec) const {
  for (const star::InterfaceSpec& iface : spec.interfaces) {
    if (iface.port <= 0 || iface.port > 65535) continue;
    const auto port = static_cast<uint16_t>(iface.port);
    if (!tcp_port_taken(netns(), port)) continue;
    if (!netns_) {
      // On the host anything may hold it; name a service of this spec only
      // when /proc shows it is one.
      std::optional<std::string> holder = service_holding(port);
      throw EnvironmentError("service " + spec.name + ": port " + std::to_string(port) + " is already taken " +
                             (holder ? "(by service " + *holder + ")" : "on the host") + " (--network host)");
    }
    throw EnvironmentError("service " + spec.name + ": port " + std::to_string(port) + " is already taken" +
                           port_holder(port));
  }
}

std::optional<std::string> Run::service_holding(uint16_t port) const {
  // Any service process sees the namespace's socket table.
  std::vector<ino_t> inodes;
  for (const auto& s : services_) {
    inodes = listening_inodes(s->pid(), port);
    if (!inodes.empty()) break;
  }
  if (!inodes.empty())
    for (size_t i = 0; i < groups_.size() && i < group_paths_.size(); ++i)
      for (pid_t pid : groups_[i]->pids())
        if (holds_any_socket(pid, inodes)) return group_paths_[i].first;
  return std::nullopt;
}

std::string Run::port_holder(uint16_t port) const {
  if (std::optional<std::string> holder = service_holding(port)) return " (by service " + *holder + ")";
  // The /proc scan can miss (a holder gone meanwhile, no permission): a
  // service declaring the same port is then the likely holder.
  for (const auto& s : services_)
    if (const star::ServiceSpec* other = topology_.find_service(s->name()))
      for (const star::InterfaceSpec& i : other->interfaces)
        if (i.port == port) return " (declared by service " + other->name + " too)";
  return " (by another service of this spec)";
}

void Run::await_healthy(const star::ServiceSpec& spec, ServiceInstance& instance) {
  if (!spec.healthcheck) return;
  const star::HealthcheckSpec& h = *spec.healthcheck;
  HealthcheckSpec check;
  check.kind = h.kind == star::HealthcheckSpec::Kind::Http ? HealthcheckSpec::Kind::Http : HealthcheckSpec::Kind::Tcp;
  check.target = h.host + ":" + std::to_string(h.port) + (check.kind == HealthcheckSpec::Kind::Http ? h.path : "");
  check.timeout = std::chrono::milliseconds(h.timeout_ms);
  if (containers_) {
    // localhost:PORT in a container spec means the service's own container;
    // another service's name means that one's (as its DNS alias would).
    std::string target_service = h.host == "localhost" || h.host == "127.0.0.1" || h.host == "::1" ? spec.name : h.host;
    std::string ip = container_ip(target_service);
    if (!ip.empty()) check.connect_to = ip + ":" + std::to_string(h.port);
  }

  std::optional<HealthcheckResult> result;
  Healthcheck hc(loop_, *http_, check, spec.name, instance.pidfd(),
                 [&result](const HealthcheckResult& r) { result = r; });
  // The healthcheck ends itself at its timeout; the margin only guards
  // against a loop that stopped dispatching.
  wait([&] { return result.has_value(); }, EventLoop::Clock::now() + check.timeout + std::chrono::seconds(5));
  if (result && result->passed) return;
  instance.drain();
  // A busy port is the environment's problem, not the test's, and the
  // service's own words say which one better than a healthcheck timeout.
  if (auto line = address_in_use_line(instance.log_tail(50)))
    throw EnvironmentError("service " + spec.name + ": a port is already taken (its log says: " + *line + ")");
  std::string cause = result ? result->cause : "healthcheck did not finish";
  if (containers_ && result && result->service_exited) {
    // A container's process is not faultbox's child: its status comes from
    // the daemon.
    for (const ContainerRecord& c : container_records_)
      if (c.service == spec.name)
        if (std::string how = containers_->exit_text(c.id); !how.empty()) cause += " (" + how + ")";
  }
  // Healthcheck causes about an exit already name the service.
  if (cause.rfind(spec.name + " ", 0) != 0) cause = "service " + spec.name + ": " + cause;
  throw ServiceStartFailure(cause, instance.log_tail());
}

}  // namespace faultbox::engine
