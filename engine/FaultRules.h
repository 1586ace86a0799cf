// The fault rules active in one run, and the decision for each intercepted
// syscall (DESIGN.md §2 "Faults", §3 "The supervisor"; MISSION.md says how
// a user means them).
//
// Lifetime of rules: fault(target, key=rule, ..., run=fn) → apply() before
// fn runs, remove() when it returns or throws. Applications nest and
// overlap (parallel branches): all active rules apply; for one syscall the
// most recently applied application is asked first, and the first rule
// that fires decides — an inner deny("EIO") overrides an outer
// deny("ENOSPC") while it runs, and an inner rule that matches but does not
// fire (times= used up, probability= said no) leaves the call to the outer
// ones. remove() takes out exactly that application's rules.
//
// Matching, per rule on service T:
//
// * A rule applies to T's processes, except connect. Its key (a syscall or
//   a family) names the syscalls it covers.
// * on= / path=: a disk errno (ENOSPC, EDQUOT, EFBIG, EROFS, EIO) denied on
//   the write family hits regular files only — the API's disk is full, its
//   socket writes still work. on="file"|"socket"|"any" says explicitly which
//   fds a rule on an fd syscall hits ("file" = a regular file; syscalls that
//   take a path count as files); any other rule hits every fd. path= is a
//   glob (PathGlob) on the path arguments of open/unlink/rename/mkdir/...,
//   and on the path of the file an fd syscall works on (sockets and pipes
//   never match it). A path= rule without on= hits whatever matches the
//   path, so write=deny("ENOSPC", path="/data/**") means those files only.
// * connect cuts T's links; direction= ("in", "out", "both") narrows it:
//     in:  any service's connect to one of T's interfaces (a destination
//          port of T on loopback, 0.0.0.0/::, or one of T's addresses);
//     out: T's own connects, to anywhere.
//   Only stream (TCP) sockets: a datagram connect contacts nobody (glibc's
//   getaddrinfo uses one to pick a source address), and unix sockets are
//   not service links.
// * A deny on connect (without times=/probability=: those make it a
//   transient refusal, not a dead service) also breaks links that are
//   already open: read/write/send/recv families on a connected TCP socket
//   fail with ECONNRESET while the fault runs, by any process, when
//     in:  its peer is one of T's interfaces (callers' ends), or it is T's
//          own end of such a connection (local port one of T's ports) —
//          both ends, as when a server dies, so T also drops the client
//          state; and callers faultbox does not intercept (the driver,
//          healthchecks) see their link cut through T's end;
//     out: it is T's and its local port is not one of T's (T is the
//          client).
//   Distinct connections cut are counted (both ends of one connection
//   count once), so the result can say "cut N open connections".
// * nth= (only the Nth matching call), after= (the first N matching calls
//   pass, the rest are faulted), counted per rule over the calls that
//   matched its conditions and reached it (a call an inner application
//   already faulted never reaches an outer rule, so it does not count there).
// * times= (at most N hits), probability= (drawn from the run's seeded
//   generator, only for calls that matched — the stream of draws depends on
//   the calls, not on timing). No global RNG.
// * delay: on a syscall other than connect, ContinueAfter. On connect, with
//   wire delays (a run namespace with a SynDelayQueue): the "in" side is a
//   held SYN — wire_delays() lists the SYN rules to install while the
//   application runs, and an intercepted connect to T answers WireDelay.
//   T's own outbound connects cannot be told apart on the wire (services
//   share 127.0.0.1), and times=/probability= need a per-call decision, so
//   those are delayed by freezing the syscall (ContinueAfter, counted in
//   RuleReport::frozen). Without wire delays (--network host) every connect
//   delay freezes the syscall.
//
// Counting: every faulted call is a hit of the rule that decided. A
// WireDelay is counted by the SynDelayQueue, which also sees connects
// faultbox does not intercept: pass its count to add_wire_hits() before
// remove(). A rule with no hits when its application ends never fired.
//
// Fast path: decide() looks the syscall name up in an index of active
// rules; when none covers it, it returns Allow without asking the target
// anything (no /proc, no pidfd). Before a rule fires, the notification is
// re-validated (still_valid: SECCOMP_IOCTL_NOTIF_ID_VALID), since what was
// read may belong to a thread that is gone; a stale one is answered Allow
// and counts nothing.
//
// Single-threaded: lives on the loop thread with the supervisor.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/FaultOutcome.h"
#include "engine/PathGlob.h"
#include "engine/SeccompSupervisor.h"
#include "engine/ServiceMap.h"
#include "engine/SocketAddress.h"
#include "engine/SynDelayQueue.h"
#include "engine/TargetQuery.h"
#include "spec/vocabulary/SpecHost.h"

namespace faultbox::engine {

class FaultRules {
 public:
  using AppId = uint64_t;

  struct Options {
    // The run has its own network namespace and a SynDelayQueue: connect
    // delays are held SYNs. False for --network host: they freeze the syscall.
    bool wire_delays = true;
  };

  // A SYN rule to install in the run's SynDelayQueue while an application runs.
  struct WireDelayRule {
    RuleRef rule;
    SynMatch match;
    std::chrono::milliseconds delay{};
  };

  struct RuleReport {
    RuleRef ref;
    std::string key;     // as written: "write", "connect", "pwrite64"
    std::string target;  // the service
    std::string direction;
    star::FaultRule rule;
    uint64_t matched = 0;  // calls that met the rule's conditions (before times=/probability=)
    uint64_t hits = 0;     // calls faulted, plus connections held on the wire
    uint64_t frozen = 0;   // of the hits: connect delays applied by freezing the syscall
    uint64_t cut_connections = 0;  // distinct open connections broken (connect deny)

    bool never_fired() const { return hits == 0; }
    // The label, or what the rule says: `write=deny("ENOSPC")`.
    std::string name() const;
    // One line for the results: `Redis down: 3 hits, cut 1 open connection`,
    // `disk full: never fired`.
    std::string summary() const;
  };

  struct ApplicationReport {
    AppId app = 0;
    std::string target;
    std::vector<RuleReport> rules;  // in the order written
  };

  // `services` and `rng` belong to the run and must outlive this object;
  // services must not be removed from `services` while rules name them.
  FaultRules(ServiceMap& services, std::mt19937_64& rng, Options options);
  FaultRules(ServiceMap& services, std::mt19937_64& rng) : FaultRules(services, rng, Options{}) {}
  FaultRules(const FaultRules&) = delete;
  FaultRules& operator=(const FaultRules&) = delete;

  // Activates one fault() application. Throws std::invalid_argument with one
  // line (unknown service, unknown rule key, bad on= or direction=); the
  // spec layer validated these already, so this guards the engine's callers.
  AppId apply(const star::FaultSpec& fault);
  // The SYN rules to install for `app` (empty without wire delays).
  std::vector<WireDelayRule> wire_delays(AppId app) const;
  // Connections the SynDelayQueue held for `rule` (its remove() result).
  void add_wire_hits(RuleRef rule, uint64_t connections);
  // Counts so far of a live application.
  ApplicationReport report(AppId app) const;
  // Deactivates `app`; its final counts. Unknown ids give an empty report.
  ApplicationReport remove(AppId app);

  // The decision for one intercepted syscall. `still_valid` re-validates
  // the notification (SeccompSupervisor::still_valid(ev.id)).
  FaultOutcome decide(const SyscallEvent& ev, TargetQuery& target, const std::function<bool()>& still_valid);
  // For a connect faultbox makes itself (driver steps, healthchecks), which
  // seccomp never sees: Fail when a connect deny cuts `dst`'s service.
  // (A wire delay needs nothing: the SYN queue sees faultbox's SYNs too.)
  FaultOutcome decide_unintercepted_connect(const SocketAddress& dst);

  // Explored placements (DESIGN.md §5): under `faultbox explore` the search,
  // not times=/probability=, decides where a placement rule (one with
  // times= or probability=) hits. Then such a rule never fires on its own:
  // only the decide() right after place_next() faults, with the first
  // placement rule that matches. Other rules apply as written.
  void set_explored_placements(bool on) { explored_placements_ = on; }
  // Whether a placement rule matches `ev` (nothing counted, nothing drawn):
  // the search may branch on it.
  bool placement_could_hit(const SyscallEvent& ev, TargetQuery& target);
  // The next decide() is a placement: fault it.
  void place_next() { place_next_ = true; }
  static bool explored_placement(const star::FaultRule& r) { return r.times >= 0 || r.probability < 1; }

  // Whether any active rule looks at syscall `name`.
  bool active_for(std::string_view name) const;
  bool empty() const { return apps_.empty(); }

 private:
  enum Direction : unsigned { kIn = 1, kOut = 2, kBoth = 3 };
  enum class Role { Direct, Connect, Cut };
  enum class FdFilter { None, File, Socket };

  // Both ends of a connection, ordered, so either end's socket names it.
  struct ConnectionKey {
    SocketAddress a, b;
    auto operator<=>(const ConnectionKey&) const = default;
  };

  struct ActiveRule {
    RuleRef ref;
    std::string key;
    const ServiceMap::Service* service = nullptr;
    star::FaultRule rule;
    unsigned direction = kBoth;
    PathGlob path;
    bool cuts_links = false;  // a connect deny without times=/probability=
    uint64_t matched = 0, hits = 0, frozen = 0;
    std::set<ConnectionKey> cut;
  };

  struct Application {
    AppId id = 0;
    std::string target;
    std::string direction;
    std::vector<ActiveRule> rules;  // sized once at apply(): addresses stay put
  };

  struct Entry {
    ActiveRule* rule;
    Role role;
    FdFilter filter;
  };

  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  class EventView;

  void rebuild_index();
  std::optional<FaultOutcome> match(const Entry& e, EventView& view) const;
  std::optional<FaultOutcome> match_direct(const Entry& e, EventView& view) const;
  std::optional<FaultOutcome> match_connect(const ActiveRule& r, EventView& view) const;
  std::optional<FaultOutcome> match_cut(const ActiveRule& r, EventView& view, ConnectionKey& key) const;
  FaultOutcome connect_outcome(const ActiveRule& r, uint16_t dst_port, bool inbound) const;
  // nth=, after=, times= and probability=; draws from rng_ only when it has to.
  bool triggers(const ActiveRule& r);
  void count(ActiveRule& r, FaultOutcome& o);
  static RuleReport report_of(const ActiveRule& r, const std::string& direction);

  ServiceMap& services_;
  std::mt19937_64& rng_;
  Options options_;
  AppId next_app_ = 1;
  bool explored_placements_ = false;
  bool place_next_ = false;
  std::map<AppId, Application> apps_;  // in application order
  // syscall name → entries, most recent application first.
  std::unordered_map<std::string, std::vector<Entry>, NameHash, std::equal_to<>> index_;
};

}  // namespace faultbox::engine
