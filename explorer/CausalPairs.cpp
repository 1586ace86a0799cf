#include "explorer/CausalPairs.h"

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <tuple>

#include "scheduler/Dependence.h"

namespace faultbox::explorer {

std::vector<std::optional<size_t>> caused_by_from_trace(const traces::TraceFile& trace, size_t decisions) {
  std::vector<std::optional<size_t>> out(decisions);
  // host → for each of its events in order (own counter 1, 2, …): the
  // latest decision index of that host at or before the event.
  std::map<std::string, std::vector<std::optional<size_t>>> latest_decision;
  std::map<std::string, traces::VectorClock> last_clock;
  for (const traces::TraceEvent& e : trace.events) {
    const std::string& host = e.host;
    auto& mine = latest_decision[host];
    std::optional<size_t> current = mine.empty() ? std::nullopt : mine.back();
    if (e.step > 0) current = static_cast<size_t>(e.step - 1);
    mine.push_back(current);

    if (e.step > 0 && e.step <= decisions) {
      const traces::VectorClock& before = last_clock[host];
      std::optional<size_t> cause;
      for (const auto& [other, count] : e.clock) {
        if (other == host) continue;
        auto it = before.find(other);
        const uint64_t had = it == before.end() ? 0 : it->second;
        if (count <= had) continue;  // nothing new from that host
        auto h = latest_decision.find(other);
        if (h == latest_decision.end() || count == 0 || count > h->second.size()) continue;
        std::optional<size_t> d = h->second[count - 1];
        if (d && *d < e.step - 1 && (!cause || *d > *cause)) cause = d;
      }
      out[e.step - 1] = cause;
    }
    last_clock[host] = e.clock;
  }
  return out;
}

}  // namespace faultbox::explorer

namespace faultbox::explorer {

namespace {
bool offered(const std::vector<scheduler::EventRef>& enabled, const scheduler::EventRef& e) {
  for (const scheduler::EventRef& x : enabled)
    if (x.process == e.process && x.label == e.label) return true;
  return false;
}
}  // namespace

void add_enablers(scheduler::RunRecord& record) {
  const size_t n = std::min(record.decisions.size(), record.enabled.size());
  if (record.caused_by.size() < n) record.caused_by.resize(n);
  for (size_t j = 1; j < n; ++j) {
    const scheduler::EventRef& e = record.decisions[j].event;
    size_t first = j;  // the first decision since which e has been offered without a break
    while (first > 0 && offered(record.enabled[first - 1], e)) --first;
    if (first == 0) continue;  // enabled from the start: nothing enabled it
    const size_t enabler = first - 1;
    const scheduler::EventRef& k = record.decisions[enabler].event;
    if (k.process == e.process) continue;  // program order says it already
    if (!record.caused_by[j] || *record.caused_by[j] < enabler) record.caused_by[j] = enabler;
  }
}

namespace {

using scheduler::is_driver_host;

// The trace's decision events by step (index step - 1), for the first `n`.
std::vector<const traces::TraceEvent*> decisions_by_step(const traces::TraceFile& trace, size_t n) {
  std::vector<const traces::TraceEvent*> by_step(n, nullptr);
  for (const traces::TraceEvent& e : trace.events)
    if (e.step > 0 && e.step <= n) by_step[e.step - 1] = &e;
  return by_step;
}

bool is_accept(const traces::EventIdentity& id) { return id.action == "accept" || id.action == "accept4"; }

// "store.main" → "store"; "" for resources that name no service interface.
std::string service_of_interface(const std::string& resource) {
  const size_t dot = resource.find('.');
  if (dot == std::string::npos || dot == 0) return "";
  if (resource.front() == '/' || resource.front() == '$' || resource.rfind("ext:", 0) == 0 ||
      resource.rfind("unix:", 0) == 0)
    return "";
  return resource.substr(0, dot);
}

// An enabled accept, as the enabled set shows it: the interface it accepts
// on ("store.main"), from its label "store accept store.main @t1".
std::optional<std::string> accepted_interface(const scheduler::EventRef& e) {
  const std::string& l = e.label;
  const size_t a = l.find(' ');
  if (a == std::string::npos) return std::nullopt;
  const size_t b = l.find(' ', a + 1);
  if (b == std::string::npos) return std::nullopt;
  const std::string action = l.substr(a + 1, b - a - 1);
  if (action != "accept" && action != "accept4") return std::nullopt;
  const size_t c = l.find(' ', b + 1);
  return l.substr(b + 1, c == std::string::npos ? std::string::npos : c - b - 1);
}

// One listening socket's backlog (each socket has its own), keyed by the
// interface its events name.
struct Backlog {
  std::vector<size_t> made;     // decisions that made a connection to it, in order
  std::vector<size_t> accepts;  // accept events on it that took one, in order
  bool uncertain = false;
};

}  // namespace

void pair_accepts_with_connections(scheduler::RunRecord& record, const traces::TraceFile& trace) {
  if (!trace.header.waiting_accepts) return;
  const size_t n = std::min(record.decisions.size(), record.enabled.size());
  const std::vector<const traces::TraceEvent*> by_step = decisions_by_step(trace, n);
  std::map<std::string, uint64_t> waiting;  // interface → threads blocked in accept on it at the start
  for (const auto& [iface, count] : *trace.header.waiting_accepts) waiting[iface] = count;
  auto waiting_on = [&](const std::string& iface) { return waiting.count(iface) ? waiting[iface] : 0; };

  std::map<std::string, Backlog> backlogs;
  // hold-syn connects whose connection waits for their "syn" event: (host, syn thread, interface)
  std::vector<std::tuple<std::string, std::string, std::string>> held;
  for (size_t t = 0; t < n; ++t) {
    // The guard: wherever an accept is enabled, the count must show a
    // connection waiting on its socket.
    for (const scheduler::EventRef& x : record.enabled[t])
      if (std::optional<std::string> iface = accepted_interface(x)) {
        Backlog& b = backlogs[*iface];
        if (b.made.size() < waiting_on(*iface) + b.accepts.size() + 1) b.uncertain = true;
      }
    const traces::TraceEvent* e = by_step[t];
    if (!e) continue;  // the trace lacks the decision: nothing known about it
    const traces::EventIdentity& id = e->identity;
    const bool allowed = e->outcome == "allow";
    if (is_accept(id)) {
      Backlog& b = backlogs[id.resource];
      if (allowed)
        b.accepts.push_back(t);
      else if (e->outcome.rfind("deny", 0) != 0)
        b.uncertain = true;
      continue;
    }
    if (service_of_interface(id.resource).empty()) continue;  // no service's interface: no backlog we count
    Backlog& b = backlogs[id.resource];
    if (id.action == "syn") {  // a held SYN let through: its connection arrives now
      if (is_driver_host(id.host)) {
        // The step was counted when it started; its connection arrives only now.
        for (size_t k = b.made.size(); k-- > 0;)
          if (by_step[b.made[k]] && by_step[b.made[k]]->identity.host == id.host &&
              by_step[b.made[k]]->identity.action != "syn") {
            b.made.erase(b.made.begin() + static_cast<std::ptrdiff_t>(k));
            break;
          }
      } else {
        auto h = std::find(held.begin(), held.end(), std::make_tuple(id.host, id.thread, id.resource));
        if (h != held.end()) held.erase(h);
      }
      if (allowed) b.made.push_back(t);
    } else if (is_driver_host(id.host)) {
      b.made.push_back(t);  // a fresh connection per step (CURLOPT_FRESH_CONNECT, TcpExchange)
    } else if (id.action == "connect") {
      if (e->outcome == "allow")
        b.made.push_back(t);
      else if (e->outcome.rfind("hold-syn", 0) == 0)
        held.emplace_back(id.host, scheduler::held_syn_thread(id.thread), id.resource);
      else if (e->outcome.rfind("deny", 0) != 0)
        b.uncertain = true;  // delayed: it lands later than its decision
    }
  }
  // A held SYN let through without an event (its fault ended first): its
  // connection arrived at a moment the trace does not show.
  for (const auto& [host, thread, iface] : held) backlogs[iface].uncertain = true;

  for (const auto& [iface, b] : backlogs) {
    if (b.uncertain) continue;
    const uint64_t w = waiting_on(iface);
    for (size_t k = 0; k < b.accepts.size(); ++k) {
      const size_t m = static_cast<size_t>(w) + k;
      if (m >= b.made.size() || b.made[m] >= b.accepts[k]) break;  // cannot happen when the guard held
      if (record.caused_by.size() <= b.accepts[k]) record.caused_by.resize(b.accepts[k] + 1);
      record.caused_by[b.accepts[k]] = b.made[m];
    }
  }
}

void pair_syns_with_connects(scheduler::RunRecord& record, const traces::TraceFile& trace) {
  const size_t n = record.decisions.size();
  const std::vector<const traces::TraceEvent*> by_step = decisions_by_step(trace, n);
  using Key = std::tuple<std::string, std::string, std::string>;  // host, syn thread, resource
  std::map<Key, std::deque<size_t>> held;  // a thread's held connects, in order: their SYNs go in that order
  std::map<Key, size_t> step;              // a fiber's latest step (one in flight at a time)
  for (size_t j = 0; j < n; ++j) {
    if (!by_step[j]) continue;
    const traces::TraceEvent& e = *by_step[j];
    const traces::EventIdentity& id = e.identity;
    if (id.action != "syn") {
      const Key key{id.host, scheduler::held_syn_thread(id.thread), id.resource};
      if (is_driver_host(id.host))
        step[key] = j;
      else if (id.action == "connect" && e.outcome.rfind("hold-syn", 0) == 0)
        held[key].push_back(j);
      continue;
    }
    const Key key{id.host, id.thread, id.resource};
    std::optional<size_t> sender;
    if (is_driver_host(id.host)) {
      if (auto it = step.find(key); it != step.end()) sender = it->second;
    } else if (auto it = held.find(key); it != held.end() && !it->second.empty()) {
      sender = it->second.front();
      it->second.pop_front();
    }
    if (!sender) continue;
    // Replaces what add_enablers() guessed (the decision after which the
    // delay happened to run out): that one could run after the release.
    if (record.caused_by.size() <= j) record.caused_by.resize(j + 1);
    record.caused_by[j] = *sender;
  }
}

void add_causes(scheduler::RunRecord& record, const traces::TraceFile& trace) {
  record.caused_by = caused_by_from_trace(trace, record.decisions.size());
  add_enablers(record);
  pair_accepts_with_connections(record, trace);
  pair_syns_with_connects(record, trace);
}

}  // namespace faultbox::explorer
