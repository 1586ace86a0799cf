#include "engine/FaultRules.h"

#include <utility>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "engine/SyscallShape.h"
#include "spec/vocabulary/Duration.h"
#include "spec/vocabulary/Syscalls.h"

namespace faultbox::engine {

namespace {

// The errnos that mean "the disk": on the write family they hit regular
// files only unless the rule says otherwise (MISSION.md: the API's disk is
// full, its socket writes still work).
bool is_disk_errno(int err) {
  return err == ENOSPC || err == EDQUOT || err == EFBIG || err == EROFS || err == EIO;
}

bool in_family(std::string_view family, std::string_view syscall) {
  const star::SyscallFamily* f = star::find_syscall_family(family);
  return f && std::find(f->syscalls.begin(), f->syscalls.end(), syscall) != f->syscalls.end();
}

// The families a cut link fails: every way of moving bytes over a socket.
constexpr std::string_view kCutFamilies[] = {"read", "write", "send", "recv"};

}  // namespace

// What decide() learns about one event, each piece asked of the target at
// most once and only when a rule needs it.
class FaultRules::EventView {
 public:
  struct PathSeen {
    std::string absolute;  // "" when it could not be resolved
    std::string as_written;
  };

  EventView(const SyscallEvent& ev, TargetQuery& target, ServiceMap& services)
      : ev_(ev), target_(target), services_(services), shape_(syscall_shape(ev.name)) {}

  const SyscallShape& shape() const { return shape_; }

  const ServiceMap::Service* service() {
    if (!service_done_) {
      service_ = services_.service_of(ev_.tgid);
      service_done_ = true;
    }
    return service_;
  }

  // The fd the syscall works on; null when it has none or it is not open.
  const FdFacts* fd() {
    if (!fd_done_) {
      fd_done_ = true;
      if (shape_.fd_arg >= 0) {
        // fds are ints; the register's upper half is not part of the value.
        int fd = static_cast<int>(ev_.args[shape_.fd_arg]);
        if (fd >= 0) fd_ = target_.fd(ev_.tgid, fd);
      }
    }
    return fd_;
  }

  const std::vector<PathSeen>& paths() {
    if (!paths_done_) {
      paths_done_ = true;
      for (const SyscallShape::PathArg& pa : shape_.paths) {
        if (pa.path < 0) continue;
        std::optional<std::string> raw = target_.string_at(ev_.tgid, ev_.args[pa.path]);
        if (!raw) continue;
        int dirfd = pa.dirfd >= 0 ? static_cast<int>(ev_.args[pa.dirfd]) : AT_FDCWD;
        std::optional<std::string> abs = target_.absolute(ev_.tid, ev_.tgid, dirfd, *raw);
        paths_.push_back({abs.value_or(std::string()), std::move(*raw)});
      }
    }
    return paths_;
  }

  const std::optional<SocketAddress>& sockaddr() {
    if (!addr_done_) {
      addr_done_ = true;
      if (shape_.sockaddr_arg >= 0)
        addr_ = target_.sockaddr_at(ev_.tgid, ev_.args[shape_.sockaddr_arg], ev_.args[shape_.socklen_arg]);
    }
    return addr_;
  }

 private:
  const SyscallEvent& ev_;
  TargetQuery& target_;
  ServiceMap& services_;
  const SyscallShape& shape_;
  bool service_done_ = false, fd_done_ = false, paths_done_ = false, addr_done_ = false;
  const ServiceMap::Service* service_ = nullptr;
  const FdFacts* fd_ = nullptr;
  std::vector<PathSeen> paths_;
  std::optional<SocketAddress> addr_;
};

FaultRules::FaultRules(ServiceMap& services, std::mt19937_64& rng, Options options)
    : services_(services), rng_(rng), options_(options) {}

FaultRules::AppId FaultRules::apply(const star::FaultSpec& fault) {
  const ServiceMap::Service* service = services_.find(fault.target);
  if (!service) throw std::invalid_argument("fault: no service named \"" + fault.target + "\"");
  unsigned direction;
  if (fault.direction.empty() || fault.direction == "both") direction = kBoth;
  else if (fault.direction == "in") direction = kIn;
  else if (fault.direction == "out") direction = kOut;
  else throw std::invalid_argument("fault: direction: want \"in\", \"out\" or \"both\", got \"" + fault.direction + "\"");

  Application app;
  app.id = next_app_++;
  app.target = fault.target;
  app.direction = direction == kBoth ? "both" : direction == kIn ? "in" : "out";
  app.rules.reserve(fault.rules.size());
  for (size_t i = 0; i < fault.rules.size(); ++i) {
    const auto& [key, rule] = fault.rules[i];
    std::vector<std::string> covered = star::expand_rule_key(key);
    if (covered.empty()) throw std::invalid_argument("fault: " + key + " is not a syscall or family a rule may name");
    if (!rule.on.empty() && rule.on != "file" && rule.on != "socket" && rule.on != "any")
      throw std::invalid_argument("fault: on: want \"file\", \"socket\" or \"any\", got \"" + rule.on + "\"");
    ActiveRule r;
    r.ref = {app.id, static_cast<uint32_t>(i)};
    r.key = key;
    r.service = service;
    r.rule = rule;
    r.direction = direction;
    r.path = PathGlob(rule.path);
    // A times=/probability= deny is a transient refusal, not a dead
    // service: it refuses some connects and leaves open links alone.
    r.cuts_links = rule.kind == star::FaultRule::Kind::Deny && !rule.is_placement() &&
                   std::find(covered.begin(), covered.end(), "connect") != covered.end();
    app.rules.push_back(std::move(r));
  }
  AppId id = app.id;
  apps_.emplace(id, std::move(app));
  rebuild_index();
  return id;
}

void FaultRules::rebuild_index() {
  // Rebuilt whole on every apply/remove: those happen a few times per test,
  // decide() thousands of times per second.
  index_.clear();
  auto filter_for = [](const star::FaultRule& rule, std::string_view syscall) {
    if (rule.on == "file") return FdFilter::File;
    if (rule.on == "socket") return FdFilter::Socket;
    if (rule.on == "any") return FdFilter::None;
    if (rule.kind == star::FaultRule::Kind::Deny && rule.path.empty() && is_disk_errno(rule.errno_value) &&
        in_family("write", syscall))
      return FdFilter::File;
    return FdFilter::None;
  };
  for (auto it = apps_.rbegin(); it != apps_.rend(); ++it) {
    for (ActiveRule& r : it->second.rules) {
      for (const std::string& syscall : star::expand_rule_key(r.key)) {
        Role role = syscall == "connect" ? Role::Connect : Role::Direct;
        index_[syscall].push_back({&r, role, role == Role::Direct ? filter_for(r.rule, syscall) : FdFilter::None});
      }
      if (!r.cuts_links) continue;
      for (std::string_view family : kCutFamilies)
        for (const std::string& syscall : star::expand_rule_key(family))
          index_[syscall].push_back({&r, Role::Cut, FdFilter::None});
    }
  }
}

bool FaultRules::active_for(std::string_view name) const { return index_.find(name) != index_.end(); }

bool FaultRules::placement_could_hit(const SyscallEvent& ev, TargetQuery& target) {
  if (!explored_placements_ || index_.empty()) return false;
  auto it = index_.find(ev.name);
  if (it == index_.end()) return false;
  EventView view(ev, target, services_);
  for (const Entry& e : it->second) {
    if (e.role == Role::Cut || !explored_placement(e.rule->rule)) continue;
    if (match(e, view)) return true;
  }
  return false;
}

FaultOutcome FaultRules::decide(const SyscallEvent& ev, TargetQuery& target, const std::function<bool()>& still_valid) {
  const bool placing = std::exchange(place_next_, false);
  // Fast path: no rule looks at this syscall. Nothing is asked of the target.
  if (index_.empty()) return {};
  auto it = index_.find(ev.name);
  if (it == index_.end()) return {};

  EventView view(ev, target, services_);
  bool validated = false;
  for (const Entry& e : it->second) {
    ConnectionKey key;
    std::optional<FaultOutcome> o = e.role == Role::Cut ? match_cut(*e.rule, view, key) : match(e, view);
    if (!o) continue;
    // What we read may belong to a thread that died meanwhile (and its pid
    // to a new process): act only on a notification that is still pending.
    // Validity never comes back once lost, so one check after the reads
    // covers all of them.
    if (!validated) {
      if (!still_valid()) {
        FaultOutcome stale;
        stale.stale = true;
        return stale;
      }
      validated = true;
    }
    ActiveRule& r = *e.rule;
    ++r.matched;
    if (o->kind == FaultOutcome::Kind::WireDelay) {
      // Counted by the SYN queue (add_wire_hits), which also sees the
      // connects faultbox does not intercept.
      o->rule = r.ref;
      o->label = r.rule.label;
      return *o;
    }
    if (explored_placements_ && e.role != Role::Cut && explored_placement(r.rule)) {
      if (!placing) continue;  // the search said "allowed" here
    } else if (!triggers(r)) {
      continue;
    }
    if (o->kind == FaultOutcome::Kind::ContinueAfter && e.role == Role::Connect) ++r.frozen;
    if (o->cut) r.cut.insert(key);
    count(r, *o);
    return *o;
  }
  return {};
}

FaultOutcome FaultRules::decide_unintercepted_connect(const SocketAddress& dst) {
  auto it = index_.find(std::string_view("connect"));
  if (it == index_.end()) return {};
  for (const Entry& e : it->second) {
    if (e.role != Role::Connect) continue;
    ActiveRule& r = *e.rule;
    if (!(r.direction & kIn) || !r.service->reached_by(dst)) continue;
    // Under explore a placement is the search's choice, and faultbox's own
    // connects are not events it can choose.
    if (explored_placements_ && explored_placement(r.rule)) continue;
    FaultOutcome o = connect_outcome(r, dst.port, true);
    ++r.matched;
    if (o.kind == FaultOutcome::Kind::WireDelay) {
      o.rule = r.ref;
      o.label = r.rule.label;
      return o;
    }
    if (!triggers(r)) continue;
    if (o.kind == FaultOutcome::Kind::ContinueAfter) ++r.frozen;
    count(r, o);
    return o;
  }
  return {};
}

std::optional<FaultOutcome> FaultRules::match(const Entry& e, EventView& view) const {
  return e.role == Role::Connect ? match_connect(*e.rule, view) : match_direct(e, view);
}

std::optional<FaultOutcome> FaultRules::match_direct(const Entry& e, EventView& view) const {
  const ActiveRule& r = *e.rule;
  // Cheapest first: the service is a table lookup, the rest asks the target.
  if (view.service() != r.service) return std::nullopt;
  const SyscallShape& shape = view.shape();
  if (!r.path.empty()) {
    bool hit = false;
    if (shape.has_path()) {
      for (const EventView::PathSeen& p : view.paths())
        if (r.path.matches_file(p.absolute, p.as_written)) hit = true;
    } else if (const FdFacts* f = view.fd(); f && !f->path.empty()) {
      hit = r.path.matches_file(f->path);
    }
    if (!hit) return std::nullopt;
  }
  if (e.filter != FdFilter::None) {
    if (shape.has_path()) {
      // A path names a file: on="file" keeps it, on="socket" cannot.
      if (e.filter == FdFilter::Socket) return std::nullopt;
    } else if (shape.fd_arg >= 0) {
      const FdFacts* f = view.fd();
      if (!f) return std::nullopt;  // not open: the call fails EBADF on its own
      FdKind want = e.filter == FdFilter::File ? FdKind::RegularFile : FdKind::Socket;
      if (f->kind != want) return std::nullopt;
    }
  }
  FaultOutcome o;
  if (r.rule.kind == star::FaultRule::Kind::Deny) {
    o.kind = FaultOutcome::Kind::Fail;
    o.err = r.rule.errno_value;
  } else {
    o.kind = FaultOutcome::Kind::ContinueAfter;
    o.delay_ns = r.rule.delay_ns;
  }
  return o;
}

std::optional<FaultOutcome> FaultRules::match_connect(const ActiveRule& r, EventView& view) const {
  const std::optional<SocketAddress>& dst = view.sockaddr();
  if (!dst || !dst->is_inet()) return std::nullopt;  // unix, AF_UNSPEC: not a service link
  bool inbound = (r.direction & kIn) && r.service->reached_by(*dst);
  bool outbound = !inbound && (r.direction & kOut) && view.service() == r.service;
  if (!inbound && !outbound) return std::nullopt;
  const FdFacts* f = view.fd();
  if (!f || f->kind != FdKind::Socket || f->socket.type != SOCK_STREAM) return std::nullopt;
  return connect_outcome(r, dst->port, inbound);
}

FaultOutcome FaultRules::connect_outcome(const ActiveRule& r, uint16_t dst_port, bool inbound) const {
  FaultOutcome o;
  if (r.rule.kind == star::FaultRule::Kind::Deny) {
    o.kind = FaultOutcome::Kind::Fail;
    o.err = r.rule.errno_value;
    return o;
  }
  o.delay_ns = r.rule.delay_ns;
  if (inbound && options_.wire_delays && !r.rule.is_placement()) {
    o.kind = FaultOutcome::Kind::WireDelay;
    o.wire.dst_port = dst_port;
  } else {
    o.kind = FaultOutcome::Kind::ContinueAfter;
  }
  return o;
}

std::optional<FaultOutcome> FaultRules::match_cut(const ActiveRule& r, EventView& view, ConnectionKey& key) const {
  const FdFacts* f = view.fd();
  if (!f || f->kind != FdKind::Socket) return std::nullopt;
  const SocketFacts& s = f->socket;
  if (!s.is_inet_stream() || s.listening || !s.peer || !s.local) return std::nullopt;
  const ServiceMap::Service* t = r.service;
  bool cut = false;
  if (r.direction & kIn) cut = t->reached_by(*s.peer) || (t->has_port(s.local->port) && view.service() == t);
  if (!cut && (r.direction & kOut)) cut = view.service() == t && !t->has_port(s.local->port);
  if (!cut) return std::nullopt;
  key = *s.local < *s.peer ? ConnectionKey{*s.local, *s.peer} : ConnectionKey{*s.peer, *s.local};
  FaultOutcome o;
  o.kind = FaultOutcome::Kind::Fail;
  o.err = ECONNRESET;
  o.cut = true;
  return o;
}

bool FaultRules::triggers(const ActiveRule& r) {
  // r.matched already counts the call being decided, so it is that call's
  // 1-based position among the calls that matched this rule.
  if (r.rule.nth > 0 && r.matched != static_cast<uint64_t>(r.rule.nth)) return false;
  if (r.rule.after > 0 && r.matched <= static_cast<uint64_t>(r.rule.after)) return false;
  if (r.rule.times >= 0 && r.hits >= static_cast<uint64_t>(r.rule.times)) return false;
  if (r.rule.probability < 1) {
    // 53 random bits → [0, 1), the same on every standard library (unlike
    // std::uniform_real_distribution), so a seed replays everywhere.
    double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
    return u < r.rule.probability;
  }
  return true;
}

void FaultRules::count(ActiveRule& r, FaultOutcome& o) {
  ++r.hits;
  o.rule = r.ref;
  o.label = r.rule.label;
}

std::vector<FaultRules::WireDelayRule> FaultRules::wire_delays(AppId app) const {
  std::vector<WireDelayRule> out;
  if (!options_.wire_delays) return out;
  auto it = apps_.find(app);
  if (it == apps_.end()) return out;
  for (const ActiveRule& r : it->second.rules) {
    if (r.rule.kind != star::FaultRule::Kind::Delay || r.rule.is_placement() || !(r.direction & kIn)) continue;
    std::vector<std::string> covered = star::expand_rule_key(r.key);
    if (std::find(covered.begin(), covered.end(), "connect") == covered.end()) continue;
    // Round up: a delay shorter than asked would let a caller's timeout of
    // exactly that length pass.
    auto delay = std::chrono::milliseconds((r.rule.delay_ns + 999999) / 1000000);
    for (uint16_t port : r.service->ports) {
      WireDelayRule w;
      w.rule = r.ref;
      w.match.dst_port = port;  // any address: in a run namespace all is loopback
      w.delay = delay;
      if (r.service->addresses.empty()) {
        out.push_back(w);
        continue;
      }
      // A container is reached at its own address: only SYNs to it are held.
      for (const SocketAddress& a : r.service->addresses) {
        w.match.dst_ip = a.ip();
        out.push_back(w);
      }
    }
  }
  return out;
}

void FaultRules::add_wire_hits(RuleRef ref, uint64_t connections) {
  auto it = apps_.find(ref.app);
  if (it == apps_.end() || ref.index >= it->second.rules.size()) return;
  ActiveRule& r = it->second.rules[ref.index];
  r.hits += connections;
  r.matched += connections;
}

FaultRules::RuleReport FaultRules::report_of(const ActiveRule& r, const std::string& direction) {
  RuleReport rep;
  rep.ref = r.ref;
  rep.key = r.key;
  rep.target = r.service->name;
  rep.direction = direction;
  rep.rule = r.rule;
  rep.matched = r.matched;
  rep.hits = r.hits;
  rep.frozen = r.frozen;
  rep.cut_connections = r.cut.size();
  return rep;
}

FaultRules::ApplicationReport FaultRules::report(AppId app) const {
  ApplicationReport out;
  auto it = apps_.find(app);
  if (it == apps_.end()) return out;
  out.app = app;
  out.target = it->second.target;
  for (const ActiveRule& r : it->second.rules) out.rules.push_back(report_of(r, it->second.direction));
  return out;
}

FaultRules::ApplicationReport FaultRules::remove(AppId app) {
  ApplicationReport out = report(app);
  if (apps_.erase(app)) rebuild_index();
  return out;
}

std::string FaultRules::RuleReport::name() const {
  if (!rule.label.empty()) return rule.label;
  if (rule.kind == star::FaultRule::Kind::Deny) return key + "=deny(\"" + rule.errno_name + "\")";
  return key + "=delay(\"" + star::format_duration(rule.delay_ns) + "\")";
}

std::string FaultRules::RuleReport::summary() const {
  std::string s = name() + ": ";
  if (never_fired()) return s + "never fired";
  s += std::to_string(hits) + (hits == 1 ? " hit" : " hits");
  if (cut_connections > 0)
    s += ", cut " + std::to_string(cut_connections) + " open connection" + (cut_connections == 1 ? "" : "s");
  if (frozen > 0)
    s += ", " + std::to_string(frozen) + " delayed by freezing the connect syscall";
  return s;
}

}  // namespace faultbox::engine
