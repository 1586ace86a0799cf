#include "engine/DecisionLoop.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "engine/SocketAddress.h"
#include "engine/SyscallShape.h"
#include "engine/WaitingAccepts.h"
#include "spec/vocabulary/Errno.h"
#include "spec/vocabulary/Syscalls.h"
#include "scheduler/Dependence.h"
#include "scheduler/Readiness.h"
#include "scheduler/SocketProgress.h"

namespace faultbox::engine {

namespace {

using Clock = std::chrono::steady_clock;

struct Interest {
  DecisionLoop::Kind kind;
  int flags_arg = -1;  // recv/send: the flags argument (MSG_DONTWAIT)
};

// Looked up by the supervisor's string_view, without a string per call.
struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using InterestTable = std::unordered_map<std::string, Interest, NameHash, std::equal_to<>>;

// The syscalls of interest, by the vocabulary's families (spec/vocabulary/
// Syscalls.h) so a member added there is scheduled too. Where each keeps
// its fd or path is SyscallShape's business.
const InterestTable& interests() {
  static const InterestTable table = [] {
    using K = DecisionLoop::Kind;
    const std::pair<const char*, K> families[] = {
        {"connect", K::Connect}, {"accept", K::Accept}, {"read", K::Read},     {"recv", K::Read},
        {"write", K::Write},     {"send", K::Write},    {"open", K::File},     {"fsync", K::File},
        {"truncate", K::File},   {"unlink", K::File},   {"rename", K::File},   {"fork", K::Clone},
    };
    InterestTable t;
    for (const auto& [family, kind] : families)
      for (const std::string& name : star::find_syscall_family(family)->syscalls) t[name] = {kind};
    // The flags argument of the socket calls that have one (x86-64 order).
    for (const auto& [name, arg] : {std::pair{"recvfrom", 3}, {"recvmsg", 2}, {"recvmmsg", 3}, {"sendto", 3},
                                    {"sendmsg", 2}, {"sendmmsg", 3}})
      t.at(name).flags_arg = arg;
    return t;
  }();
  return table;
}

// Files whose order says nothing about the system under test: the kernel's
// own views and devices.
bool uninteresting_path(const std::string& p) {
  for (const char* prefix : {"/proc/", "/sys/", "/dev/"})
    if (p.rfind(prefix, 0) == 0) return true;
  return false;
}

// The errno's name for the trace (several names may share a number, e.g.
// EAGAIN/EWOULDBLOCK: the first in sorted order is as good as any).
std::string errno_name(int value) {
  for (const star::ErrnoName& e : star::errno_names())
    if (e.value == value) return e.name;
  return std::to_string(value);
}

// Outcomes and labels are fields of the event line: keep them free of the
// line's separators (" [", "] ", " | ") and line breaks, whatever a spec's
// label or an error text says.
std::string field(std::string s) {
  for (char& c : s) {
    if (c == '[') c = '(';
    else if (c == ']') c = ')';
    else if (c == '|') c = '/';
    else if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return s;
}

uint16_t port_of(const std::string& endpoint) {
  size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos) return 0;
  return static_cast<uint16_t>(std::strtoul(endpoint.c_str() + colon + 1, nullptr, 10));
}

}  // namespace

DecisionLoop::DecisionLoop(Run& run, scheduler::Strategy* strategy, Options options)
    : run_(run),
      strategy_(strategy),
      options_(options),
      recorder_(recorder::ResourceNormalizer(run.dir())) {
  for (const star::ServiceSpec& s : run_.topology().services)
    for (const star::InterfaceSpec& i : s.interfaces)
      if (i.port > 0 && i.port <= 65535)
        recorder_.normalizer().add_interface(static_cast<uint16_t>(i.port), s.name + "." + i.name);
  for (const auto& s : run_.services()) s->set_sink(this);
}

DecisionLoop::~DecisionLoop() {
  for (const auto& s : run_.services()) s->set_sink(nullptr);
}

void DecisionLoop::activate(DriverControl& driver) {
  driver_ = &driver;
  if (!options_.serialized) return;
  std::vector<scheduler::ServiceCgroup> groups;
  for (const auto& [service, dir] : run_.service_cgroup_dirs()) groups.push_back({service, dir});
  census_ = std::make_unique<scheduler::ThreadCensus>(std::move(groups));
  scheduler::QuiescenceOptions q;
  q.cap = options_.quiescence_cap;
  q.interval = options_.quiescence_interval;
  quiescence_ = std::make_unique<scheduler::QuiescenceDetector>(*census_, q);
  // Start-up ran free, and so does its tail: a service still reading the
  // healthcheck's closed connection settles before the first decision, so
  // every run starts from the same quiet state.
  scheduler::QuiescenceDetector::Result settled =
      quiescence_->await([this](std::chrono::nanoseconds max_wait) { run_.poll(max_wait); });
  if (!settled.reached) warn("services not quiescent when the test body started: " + settled.warning);
  ordinals_.number(census_->refresh());
  count_waiting_accepts();
  for (const auto& s : run_.services()) recorder_.normalizer().add_pid(s->pid());
  active_ = true;
  for (SynDelayQueue* q : run_.syn_queues()) q->set_gated(true);
}

void DecisionLoop::pump(std::chrono::nanoseconds max_wait) {
  run_.poll(max_wait);  // receives notifications (park()), curl, pipes, timers; throws Interrupted
  if (driver_) driver_->resume_ready();
}

scheduler::QuiescenceDetector::Result DecisionLoop::settle() {
  // Everything that can run without a decision runs first: the loop's own
  // ready work and the fibers it unblocked.
  for (int rounds = 0; rounds < 1000; ++rounds) {
    int ran = run_.poll(std::chrono::nanoseconds(0));
    if (driver_) ran += driver_->resume_ready();
    if (ran == 0) break;
  }
  auto pump_for = [this](std::chrono::nanoseconds max_wait) { pump(max_wait); };
  scheduler::QuiescenceDetector::Result r = quiescence_->await(pump_for);
  // What faultbox itself sent (a request, the FIN of a finished step) must
  // have reached the services' kernels, or a service asleep in poll() until
  // it arrives only looks quiescent (HttpClient::delivered). On loopback
  // this holds at once; across a container bridge it takes a moment, and
  // the services may run when it lands: settle again then.
  // The same for the send the last decision released: its bytes may sit in
  // the sender's queue (Nagle, a delayed ACK) or on the bridge while the
  // receiver's non-blocking read — always enabled — would find nothing.
  auto released_delivered = [this] {
    if (!last_ || last_->p.kind != Kind::Write || !last_->p.stream || !last_->p.dup) return true;
    return scheduler::output_delivered(last_->p.dup.get());
  };
  const auto deliver_deadline = Clock::now() + options_.quiescence_cap;
  while (r.reached && !(run_.http().delivered() && released_delivered()) && Clock::now() < deliver_deadline) {
    pump(options_.quiescence_interval);
    scheduler::QuiescenceDetector::Result again = quiescence_->await(pump_for);
    again.waited += r.waited;
    again.samples += r.samples;
    r = again;
  }
  if (r.reached && !(run_.http().delivered() && released_delivered()))
    warn("bytes sent before decision " + std::to_string(step_ + 1) + " were not acknowledged within " +
         std::to_string(options_.quiescence_cap.count()) + " ms");
  if (!r.reached) warn("quiescence not reached at decision " + std::to_string(step_ + 1) + ": " + r.warning);
  // Adopt a thread born since the last decision that has not made a
  // syscall of interest yet: the released clone's child.
  if (pending_clone_) {
    for (const scheduler::ThreadInfo& t : census_->refresh())
      if (pending_clone_ && t.service == pending_clone_->first && !ordinals_.known(t.service, t.tid))
        (void)thread_of(t.service, t.tid);
    pending_clone_.reset();
  }
  return r;
}

void DecisionLoop::advance() {
  if (!active_) {
    // Free run: the loop runs as fast as events arrive.
    pump(std::chrono::milliseconds(50));
    return;
  }
  if (!timings_) {
    settle_and_record();
    decide();
    return;
  }
  Timing t;
  const auto start = Clock::now();
  scheduler::QuiescenceDetector::Result settled = settle_and_record();
  const auto settled_at = Clock::now();
  const uint64_t before = step_;
  last_enabled_ = 0;
  decide();
  t.decide = Clock::now() - settled_at;
  t.settle = settled_at - start;
  t.quiescence = settled.waited;
  t.samples = settled.samples;
  t.step = step_ != before ? step_ : 0;
  t.enabled = last_enabled_;
  timings_->push_back(t);
}

scheduler::QuiescenceDetector::Result DecisionLoop::settle_and_record() {
  scheduler::QuiescenceDetector::Result r = settle();
  // Recording the last decision drops our pidfd_getfd duplicate of its fd.
  // While that was open, a close() by the service dropped only its own
  // reference: the FIN — and the peer's next event (a driver's step after
  // its response ends, a read of EOF) — leaves only now. Settle once more, or
  // that event would be enabled one decision late and every order that puts
  // it earlier would never be offered (bench/explore's lost_update lost all
  // its passing schedules so).
  if (record_released()) {
    scheduler::QuiescenceDetector::Result again = settle();
    again.waited += r.waited;
    again.samples += r.samples;
    r = again;
  }
  return r;
}

void DecisionLoop::decide() {
  record_released();
  if (divergence_) throw *divergence_;
  if (driver_->finished()) return;

  std::vector<Candidate> candidates = enabled();
  if (candidates.empty()) {
    // Nothing can proceed until something happens: a timer (a step's own
    // timeout, a service's retry), a process exiting.
    auto start = Clock::now();
    pump(std::chrono::milliseconds(20));
    idle_ += Clock::now() - start;
    if (idle_ > options_.idle_cap && !idle_warned_) {
      idle_warned_ = true;
      warn("nothing enabled for " + std::to_string(options_.idle_cap.count()) + " ms before decision " +
           std::to_string(step_ + 1));
    }
    return;
  }
  idle_ = {};
  idle_warned_ = false;
  last_enabled_ = candidates.size();
  std::vector<traces::EventIdentity> ids;
  ids.reserve(candidates.size());
  for (const Candidate& c : candidates) ids.push_back(c.id);
  if (options_.explored_placements) {
    std::vector<bool> faultable(candidates.size(), false);
    for (size_t i = 0; i < candidates.size(); ++i)
      if (candidates[i].parked != SIZE_MAX) {
        Parked& p = parked_[candidates[i].parked];
        SyscallEvent ev = p.ev;
        ev.name = p.action;
        faultable[i] = run_.rules().placement_could_hit(ev, run_.inspector());
      }
    strategy_->offer_placements(faultable);
  }
  ++step_;
  size_t pick = 0;
  try {
    pick = strategy_->choose(ids, step_);
  } catch (const scheduler::Divergence& d) {
    // Replay: the expected event may still be on its way (a timer, a
    // thread the kernel has not run yet). Wait for it up to the cap, never
    // deciding anything else meanwhile; then it is a divergence.
    if (!waiting_since_) waiting_since_ = Clock::now();
    // A held SYN comes due when its delay is up, which may be later than
    // the cap: when a SYN's release is what is expected, wait for it.
    auto deadline = *waiting_since_ + options_.quiescence_cap;
    if (d.expected.find(" syn ") != std::string::npos)
      for (SynDelayQueue* q : run_.syn_queues())
        if (auto due = q->next_due()) deadline = std::max(deadline, *due + options_.quiescence_cap);
    if (Clock::now() < deadline) {
      --step_;
      pump(std::chrono::milliseconds(5));
      return;
    }
    throw;
  }
  waiting_since_.reset();
  Candidate& c = candidates.at(pick);
  if (options_.explored_placements && strategy_->fault_chosen()) {
    // Only ever offered for a parked event a placement rule could hit.
    if (c.parked == SIZE_MAX) throw std::logic_error("a fault placed on a driver step");
    run_.rules().place_next();
    placed_steps_.push_back(step_);
  }
  if (c.parked != SIZE_MAX) {
    release_parked(c.parked, step_, recorder_.identify(c.id.host, c.id.action, c.id.resource, c.id.thread));
    return;
  }
  if (c.queue) {
    // A held SYN goes on the wire: the connection lands in its listener's
    // backlog before the next decision (settle waits for the handshake).
    traces::EventIdentity id = recorder_.identify(c.id.host, c.id.action, c.id.resource, c.id.thread);
    if (!c.queue->release_due(c.syn)) throw std::logic_error("a due SYN vanished before its release");
    syn_origins_.erase(c.syn_key);
    recorder_.record(id, step_, "allow", "", "", {});
    if (auto d = outcome_mismatch(step_, id, "allow")) throw *d;
    return;
  }
  traces::EventIdentity id = recorder_.identify(c.id.host, c.id.action, c.id.resource, c.id.thread);
  const traces::TraceEvent& e = recorder_.record(id, step_, "start", "", "", joined(c.fiber));
  if (auto d = outcome_mismatch(step_, id, "start")) throw *d;
  driver_sends_[c.fiber].push_back({c.target, e.clock});
  driver_->release_step(c.fiber);
}

std::vector<DecisionLoop::Candidate> DecisionLoop::enabled() {
  std::vector<Candidate> out;
  for (size_t i = 0; i < parked_.size();) {
    Parked& p = parked_[i];
    if (!p.service->still_valid(p.ev.id)) {  // the thread died or was killed while parked
      parked_.erase(parked_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (is_enabled(p)) {
      if (p.stream) resolve_peer(p);
      Candidate c;
      c.id = recorder_.preview(p.service->name(), p.action, p.resource, p.thread);
      c.parked = i;
      out.push_back(std::move(c));
    }
    ++i;
  }
  for (const DriverControl::PendingStep& s : driver_->pending_steps()) {
    Candidate c;
    c.id = recorder_.preview(s.fiber, s.method, s.target, "");
    c.fiber = s.fiber;
    c.target = s.target;
    out.push_back(std::move(c));
  }
  add_due_syns(out);
  // Canonical order: a seed or a decision list means the same schedule
  // whatever order notifications happened to arrive in.
  for (Candidate& c : out) c.key = c.id.text();
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.key < b.key; });
  return out;
}

namespace {
// An endpoint as it goes on the wire: a v4-mapped IPv6 socket (a
// dual-stack client connecting to 127.0.0.1) sends an IPv4 SYN, which the
// SYN queue names "127.0.0.1:PORT".
std::string wire_endpoint(const SocketAddress& a) {
  const std::string text = a.str();
  constexpr std::string_view kMapped = "[::ffff:";
  if (text.rfind(kMapped, 0) != 0) return text;
  const size_t close = text.find(']');
  if (close == std::string::npos || text.substr(kMapped.size(), close - kMapped.size()).find('.') == std::string::npos)
    return text;
  return text.substr(kMapped.size(), close - kMapped.size()) + text.substr(close + 1);
}
}  // namespace

std::optional<scheduler::Divergence> DecisionLoop::outcome_mismatch(uint64_t step, const traces::EventIdentity& id,
                                                                    const std::string& outcome) const {
  if (step == 0 || step > expected_outcomes_.size()) return std::nullopt;
  const std::string& expected = expected_outcomes_[step - 1];
  if (expected.empty() || expected == outcome) return std::nullopt;
  return scheduler::Divergence(step, id.text() + " -> " + expected, {id.text() + " -> " + outcome},
                               "decision " + std::to_string(step) + " (" + id.text() + ") was expected to end " +
                                   expected + " but ended " + outcome);
}

void DecisionLoop::count_waiting_accepts() {
  waiting_accepts_.clear();
  for (const WaitingAccept& w : find_waiting_accepts(census_->threads())) {
    const FdFacts* facts = run_.inspector().fd(w.tgid, w.fd);
    if (!facts || facts->kind != FdKind::Socket || !facts->socket.is_inet_stream() || !facts->socket.listening ||
        !facts->socket.local)
      continue;
    std::optional<std::string> iface = recorder_.normalizer().interface_at(facts->socket.local->str());
    if (!iface) continue;  // an undeclared port: no connect to it is named after a service
    auto it = std::find_if(waiting_accepts_.begin(), waiting_accepts_.end(),
                           [&](const auto& e) { return e.first == *iface; });
    if (it == waiting_accepts_.end())
      waiting_accepts_.emplace_back(*iface, 1);
    else
      ++it->second;
  }
}

void DecisionLoop::add_due_syns(std::vector<Candidate>& out) {
  for (SynDelayQueue* q : run_.syn_queues()) {
    q->set_gated(true);  // a queue made after activate() (a restarted container) too
    for (const SynDelayQueue::DueSyn& d : q->due()) {
      std::optional<SynOrigin> origin;
      const std::pair<std::string, std::string> key{d.src.str(), d.dst.str()};
      if (auto it = syn_origins_.find(key); it != syn_origins_.end()) origin = it->second;
      if (!origin && driver_lookup_)
        if (auto fiber = driver_lookup_(d.src.port)) origin = SynOrigin{*fiber, "", recorder_.normalizer().peer(key.second)};
      if (!origin) {
        // Sent by no connect this run recorded (a connection opened before
        // the body, or by no service): nothing to name it by, so it goes at
        // once, as it would without the gate.
        q->release_due(d.id);
        continue;
      }
      Candidate c;
      c.id = recorder_.preview(origin->host, "syn", origin->resource, scheduler::held_syn_thread(origin->thread));
      c.queue = q;
      c.syn = d.id;
      c.syn_key = key;
      out.push_back(std::move(c));
    }
  }
}

void DecisionLoop::note_held_connect(const Parked& p) {
  const SyscallShape& shape = syscall_shape(p.action);
  if (shape.fd_arg < 0) return;
  // The local end was bound by the connect; a socket without a peer yet is
  // read afresh by the inspector, not served from its cache.
  const FdFacts* facts = run_.inspector().fd(p.ev.tgid, static_cast<int>(p.ev.args[shape.fd_arg]));
  if (!facts || facts->kind != FdKind::Socket || !facts->socket.local) return;
  // Keyed by both ends: Linux gives one local port to connections towards
  // different remotes.
  syn_origins_[{wire_endpoint(*facts->socket.local), p.peer}] = SynOrigin{p.service->name(), p.thread, p.resource};
}

bool DecisionLoop::is_enabled(Parked& p) {
  if (p.wait == Wait::None || !p.dup) return true;
  if (p.dontwait || scheduler::nonblocking(p.dup.get())) return true;
  scheduler::Direction d = p.wait == Wait::Read    ? scheduler::Direction::Read
                           : p.wait == Wait::Write ? scheduler::Direction::Write
                                                   : scheduler::Direction::Accept;
  return scheduler::ready(p.dup.get(), d);
}

void DecisionLoop::release_parked(size_t index, uint64_t step, traces::EventIdentity id) {
  Released r;
  r.p = std::move(parked_.at(index));
  parked_.erase(parked_.begin() + static_cast<std::ptrdiff_t>(index));
  r.step = step;
  r.id = std::move(id);
  if (r.p.stream && r.p.dup) {
    if (auto pos = scheduler::stream_position(r.p.dup.get())) {
      r.p.pos_before = r.p.kind == Kind::Read ? pos->read : pos->written;
      r.p.have_pos = r.p.kind == Kind::Read || r.p.kind == Kind::Write;
    }
  }
  if (r.p.kind == Kind::Clone) pending_clone_ = std::make_pair(r.p.service->name(), r.p.thread);
  // Which fiber's connection this is, asked while its step is in flight.
  if (r.p.peer_is_driver && driver_lookup_)
    if (auto fiber = driver_lookup_(port_of(r.p.peer))) r.p.driver_fiber = *fiber;
  // The parked copy's name pointed into the supervisor's table, which may
  // have grown since: point it at our own copy for the rules to read.
  SyscallEvent ev = r.p.ev;
  ev.name = r.p.action;
  r.outcome = r.p.service->release(ev);
  last_ = std::move(r);
}

bool DecisionLoop::record_released() {
  if (!last_) return false;
  Released r = std::move(*last_);
  last_.reset();
  const bool held_duplicate = static_cast<bool>(r.p.dup);
  Parked& p = r.p;
  std::vector<traces::VectorClock> merges;
  std::string detail;
  bool delivered = r.outcome.kind == FaultOutcome::Kind::Allow || r.outcome.kind == FaultOutcome::Kind::ContinueAfter ||
                   r.outcome.kind == FaultOutcome::Kind::WireDelay;
  if (p.kind == Kind::Read && p.stream && delivered) {
    if (p.peer_is_driver) {
      // The driver's request: the oldest unconsumed step of the fiber whose
      // connection this is (faultbox's sockets are never seen here, so the
      // pairing is by the driver's local port).
      auto it = driver_sends_.find(p.driver_fiber);
      if (it == driver_sends_.end()) {
        // Not known by port: the oldest step to this interface.
        std::string target = recorder_.normalizer().interface_at(p.local).value_or("");
        for (auto f = driver_sends_.begin(); f != driver_sends_.end() && it == driver_sends_.end(); ++f)
          if (!f->second.empty() && f->second.front().first == target) it = f;
      }
      if (it != driver_sends_.end() && !it->second.empty()) {
        merges.push_back(it->second.front().second);
        it->second.pop_front();
      }
    } else if (p.have_pos && p.dup) {
      if (auto after = scheduler::stream_position(p.dup.get()))
        merges = recorder_.messages().received(p.local, p.peer, p.pos_before, after->read);
    } else {
      merges = recorder_.messages().received_any(p.local, p.peer);
    }
  }
  if (p.kind == Kind::Connect && r.outcome.kind == FaultOutcome::Kind::WireDelay) note_held_connect(p);
  const std::string outcome = outcome_text(r.outcome);
  if (!divergence_) divergence_ = outcome_mismatch(r.step, r.id, outcome);
  const traces::TraceEvent& e = recorder_.record(r.id, r.step, outcome, field(r.outcome.label), detail, merges);
  if (p.kind == Kind::Write && p.stream && delivered && p.peer_is_driver && !p.driver_fiber.empty())
    last_send_to_driver_[p.driver_fiber] = e.clock;
  if (p.kind == Kind::Write && p.stream && delivered && !p.peer_is_driver) {
    std::optional<uint64_t> after;
    if (p.have_pos && p.dup)
      if (auto pos = scheduler::stream_position(p.dup.get())) after = pos->written;
    traces::VectorClock clock = e.clock;
    try {
      if (after && *after > p.pos_before)
        recorder_.messages().sent(p.local, p.peer, p.pos_before, *after, clock);
      else if (!after)
        recorder_.messages().sent_message(p.local, p.peer, clock);
    } catch (const std::exception&) {
      // The same endpoints again with positions from the start: a new
      // connection reused an ephemeral port (close() is not an event here).
      recorder_.messages().closed(p.local, p.peer);
      if (after && *after > p.pos_before) recorder_.messages().sent(p.local, p.peer, p.pos_before, *after, clock);
    }
  }
  return held_duplicate;
}

void DecisionLoop::step_finished(const std::string& fiber, const std::string& target, const std::string& outcome) {
  // The service's last send to this fiber may have been released just
  // before: record it first, so the response can merge it.
  record_released();
  // The response merges the service's send that carried it; without one
  // (a refused connect, a reset) the service's clock as it is.
  std::vector<traces::VectorClock> merges;
  if (auto it = last_send_to_driver_.find(fiber); it != last_send_to_driver_.end()) {
    merges.push_back(it->second);
    last_send_to_driver_.erase(it);
  } else {
    traces::VectorClock svc = recorder_.clock_of(target.substr(0, target.find('.')));
    if (!svc.empty()) merges.push_back(svc);
  }
  for (auto& clock : joined(fiber)) merges.push_back(std::move(clock));
  recorder_.record(recorder_.identify(fiber, "response", target, ""), 0, field(outcome), "", "", merges);
}

void DecisionLoop::assertion_failed(const std::string& fiber, const std::string& where_and_message) {
  recorder_.record(recorder_.identify(fiber, "assert", "-", ""), 0, "failed", "", where_and_message, joined(fiber));
}

void DecisionLoop::test_ended(const std::string& fiber, const std::string& verdict) {
  recorder_.record(recorder_.identify(fiber, "return", "-", ""), 0, verdict, "", "", joined(fiber));
}

void DecisionLoop::finish() {
  if (finished_) return;
  finished_ = true;
  if (active_) {
    // The last decision's effect is part of the run. (Interrupted
    // propagates: the command reports it and tears the run down.)
    settle();
    record_released();
  }
  active_ = false;
  for (SynDelayQueue* q : run_.syn_queues()) q->set_gated(false);
  release_all_parked();
  if (divergence_) throw *divergence_;
  if (strategy_) strategy_->finished(step_);
}

void DecisionLoop::release_all_parked() {
  for (Parked& p : parked_) p.service->release_unrecorded(p.ev.id);
  parked_.clear();
}

bool DecisionLoop::park(ServiceInstance& from, const SyscallEvent& ev) {
  if (!active_) return false;
  std::optional<Parked> p = classify(from, ev);
  if (!p) return false;
  parked_.push_back(std::move(*p));
  return true;
}

void DecisionLoop::faulted(ServiceInstance& from, const SyscallEvent& ev, const FaultOutcome& outcome) {
  if (outcome.stale) return;
  std::string resource = "-";
  if (std::optional<Parked> p = classify(from, ev)) resource = p->resource;
  std::string thread = active_ ? thread_of(from.name(), ev.tid) : "";
  recorder_.record(recorder_.identify(from.name(), std::string(ev.name), resource, thread), 0, outcome_text(outcome),
                   field(outcome.label), "");
}

std::optional<DecisionLoop::Parked> DecisionLoop::classify(ServiceInstance& from, const SyscallEvent& ev) {
  auto it = interests().find(ev.name);
  if (it == interests().end()) return std::nullopt;
  const Interest& in = it->second;
  Parked p;
  p.service = &from;
  p.ev = ev;
  p.action = std::string(ev.name);
  p.ev.name = {};  // pointed into the supervisor's table; `action` keeps the text (see release_parked)
  p.kind = in.kind;
  const SyscallShape& shape = syscall_shape(ev.name);
  TargetInspector& target = run_.inspector();

  if (p.kind == Kind::Clone) {
    p.resource = "-";
  } else if (shape.fd_arg >= 0) {
    const int fd = static_cast<int>(ev.args[shape.fd_arg]);
    const FdFacts* facts = target.fd(ev.tgid, fd);
    if (!facts) return std::nullopt;
    if (facts->kind == FdKind::Socket) {
      const SocketFacts& s = facts->socket;
      if (!s.is_inet_stream()) return std::nullopt;  // unix sockets and UDP are not service links
      if (p.kind == Kind::Connect) {
        auto dst = target.sockaddr_at(ev.tgid, ev.args[shape.sockaddr_arg], ev.args[shape.socklen_arg]);
        if (!dst) return std::nullopt;
        // AF_UNSPEC (dissolving an association) or a unix address: no
        // link to a service, nothing to name.
        try {
          p.resource = recorder_.normalizer().peer(dst->str());
        } catch (const std::invalid_argument&) {
          return std::nullopt;
        }
        p.peer = wire_endpoint(*dst);  // for a held SYN's origin (note_held_connect)
      } else if (p.kind == Kind::Accept || s.listening) {
        if (!s.local) return std::nullopt;
        p.kind = Kind::Accept;
        p.wait = Wait::Accept;
        p.resource = recorder_.normalizer().interface_at(s.local->str()).value_or(from.name() + ":" +
                                                                                  std::to_string(s.local->port));
      } else {
        if (!s.local || !s.peer) return std::nullopt;  // not connected: nothing moves between services
        p.stream = true;
        p.local = s.local->str();
        p.peer = s.peer->str();
        // Name this end for its peer: a client's ephemeral endpoint is the
        // service itself ("api" as redis sees it); a server's end is already
        // its interface.
        if (!recorder_.normalizer().interface_at(p.local)) recorder_.normalizer().add_client(p.local, p.peer, from.name());
        resolve_peer(p);
        if (p.kind == Kind::Read) p.wait = Wait::Read;
        if (p.kind == Kind::Write) p.wait = Wait::Write;
        if (in.flags_arg >= 0 && (ev.args[in.flags_arg] & MSG_DONTWAIT)) p.dontwait = true;
      }
      if (p.wait != Wait::None || p.stream) p.dup = target.duplicate(ev.tgid, fd);
    } else if (facts->kind == FdKind::RegularFile) {
      if (p.kind == Kind::Connect || p.kind == Kind::Accept) return std::nullopt;
      if (uninteresting_path(facts->path)) return std::nullopt;
      p.resource = recorder_.normalizer().path(facts->path);
    } else {
      return std::nullopt;  // pipes (the log drain), devices, epoll…
    }
  } else if (shape.has_path()) {
    auto raw = target.string_at(ev.tgid, ev.args[shape.paths[0].path]);
    if (!raw) return std::nullopt;
    const int dirfd = shape.paths[0].dirfd >= 0 ? static_cast<int>(ev.args[shape.paths[0].dirfd]) : AT_FDCWD;
    auto abs = target.absolute(ev.tid, ev.tgid, dirfd, *raw);
    std::string path = abs ? *abs : *raw;
    if (uninteresting_path(path)) return std::nullopt;
    p.resource = recorder_.normalizer().path(path);
  } else {
    return std::nullopt;
  }
  if (p.resource.empty()) p.resource = "-";
  p.thread = thread_of(from.name(), ev.tid);
  return p;
}

std::vector<traces::VectorClock> DecisionLoop::joined(const std::string& fiber) {
  // A fiber's next event comes after its parallel() returned, i.e. after
  // every branch it started (test/1, test/2/…): it merges their clocks.
  driver_hosts_.insert(fiber);
  std::vector<traces::VectorClock> out;
  const std::string prefix = fiber + "/";
  for (const std::string& h : driver_hosts_)
    if (h.rfind(prefix, 0) == 0) {
      traces::VectorClock c = recorder_.clock_of(h);
      if (!c.empty()) out.push_back(std::move(c));
    }
  return out;
}

void DecisionLoop::resolve_peer(Parked& p) {
  p.resource = recorder_.normalizer().peer(p.peer, p.local);
  // A peer that is no service's socket and no declared interface is
  // faultbox's own (the driver, a healthcheck): there is nothing else in
  // the run's namespace. A service's client end becomes known when that
  // service first uses the socket, which may be after this end parked — so
  // the name is resolved again when the event is offered (enabled()).
  p.peer_is_driver = p.resource.rfind("ext:", 0) == 0 || p.resource == "test";
  if (p.peer_is_driver) p.resource = "test";
}

std::string DecisionLoop::thread_of(const std::string& service, pid_t tid) {
  // The first sight of a thread born after the body started: the clone
  // released last made it (clones are decisions, one at a time).
  if (pending_clone_ && pending_clone_->first == service && !ordinals_.known(service, tid)) {
    std::string creator = pending_clone_->second;
    pending_clone_.reset();
    return ordinals_.adopt(service, tid, creator);
  }
  return ordinals_.ordinal_of(service, tid);
}

std::string DecisionLoop::outcome_text(const FaultOutcome& o) const {
  switch (o.kind) {
    case FaultOutcome::Kind::Allow: return "allow";
    case FaultOutcome::Kind::Fail: return "deny " + errno_name(o.err);
    case FaultOutcome::Kind::ContinueAfter: return "delay " + std::to_string(o.delay_ns / 1000000) + "ms";
    case FaultOutcome::Kind::WireDelay: return "hold-syn " + std::to_string(o.delay_ns / 1000000) + "ms";
  }
  return "allow";
}

void DecisionLoop::warn(std::string line) { warnings_.push_back(std::move(line)); }

}  // namespace faultbox::engine
