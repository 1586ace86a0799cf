#include "explorer/CausalPairs.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <string>

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

}  // namespace faultbox::explorer

namespace faultbox::explorer {

namespace {

bool is_driver_host(const std::string& host) { return host == "test" || host.rfind("test/", 0) == 0; }

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

// The accept of service S as an enabled set shows it: S's own event whose
// only resource is its listening sockets (scheduler::footprint_of).
std::optional<std::string> accepting_service(const scheduler::EventRef& e) {
  const scheduler::Footprint& f = e.footprint;
  if (f.resources.size() == 1 && f.resources[0] == "listen:" + f.service) return f.service;
  return std::nullopt;
}

// The thread a held SYN's release is named for (engine/DecisionLoop).
std::string syn_thread_of(const std::string& thread) { return thread.empty() ? "syn" : thread + "~syn"; }

struct Backlog {
  std::vector<size_t> made;      // decisions that made a connection to S, in order
  std::vector<size_t> accepts;   // accept events of S that took one, in order
  std::set<std::string> interfaces;
  bool uncertain = false;
};

}  // namespace

void pair_accepts_with_connections(scheduler::RunRecord& record, const traces::TraceFile& trace) {
  if (!trace.header.waiting_accepts) return;
  const size_t n = std::min(record.decisions.size(), record.enabled.size());
  std::vector<const traces::TraceEvent*> by_step(n, nullptr);
  for (const traces::TraceEvent& e : trace.events)
    if (e.step > 0 && e.step <= n) by_step[e.step - 1] = &e;
  std::map<std::string, uint64_t> waiting;
  for (const auto& [service, count] : *trace.header.waiting_accepts) waiting[service] = count;

  std::map<std::string, Backlog> backlogs;
  std::vector<std::tuple<std::string, std::string, std::string>> held;  // hold-syn connects awaiting their syn
  // made_before[S][t] / accepted_before[S][t] are read off as the walk goes:
  // the guard compares them at every decision where an accept of S is enabled.
  for (size_t t = 0; t < n; ++t) {
    for (const scheduler::EventRef& x : record.enabled[t]) {
      const std::optional<std::string> s = accepting_service(x);
      if (!s) continue;
      Backlog& b = backlogs[*s];
      const uint64_t w = waiting.count(*s) ? waiting[*s] : 0;
      if (b.made.size() < w + b.accepts.size() + 1) b.uncertain = true;  // enabled with nothing waiting
    }
    const traces::TraceEvent* e = by_step[t];
    if (!e) continue;  // the trace lacks the decision: nothing known about it
    const traces::EventIdentity& id = e->identity;
    const bool allowed = e->outcome == "allow";
    if (is_accept(id)) {
      Backlog& b = backlogs[id.host];
      b.interfaces.insert(id.resource);
      if (allowed) b.accepts.push_back(t);
      else if (e->outcome.rfind("deny", 0) != 0) b.uncertain = true;
      continue;
    }
    const std::string target = service_of_interface(id.resource);
    if (target.empty() || target == id.host) continue;
    if (id.action == "syn") {  // a held SYN let through: its connection arrives now
      Backlog& b = backlogs[target];
      b.interfaces.insert(id.resource);
      if (allowed) b.made.push_back(t);
      auto h = std::find(held.begin(), held.end(), std::make_tuple(id.host, id.thread, id.resource));
      if (h != held.end()) held.erase(h);
    } else if (is_driver_host(id.host)) {
      Backlog& b = backlogs[target];
      b.interfaces.insert(id.resource);
      b.made.push_back(t);
    } else if (id.action == "connect") {
      Backlog& b = backlogs[target];
      b.interfaces.insert(id.resource);
      if (e->outcome == "allow")
        b.made.push_back(t);
      else if (e->outcome.rfind("hold-syn", 0) == 0)
        held.emplace_back(id.host, syn_thread_of(id.thread), id.resource);  // made by its "syn" event, if any
      else if (e->outcome.rfind("deny", 0) != 0)
        b.uncertain = true;  // delayed: it lands later than its decision
    }
  }
  // A held SYN let through without an event (its fault ended first): its
  // connection arrived at a moment the trace does not show.
  for (const auto& [host, thread, resource] : held) backlogs[service_of_interface(resource)].uncertain = true;

  for (const auto& [service, b] : backlogs) {
    const uint64_t w = waiting.count(service) ? waiting[service] : 0;
    if (b.uncertain || (w > 0 && b.interfaces.size() > 1)) continue;
    for (size_t k = 0; k < b.accepts.size(); ++k) {
      const size_t m = static_cast<size_t>(w) + k;
      if (m >= b.made.size() || b.made[m] >= b.accepts[k]) break;  // cannot happen when the guard held
      if (record.caused_by.size() <= b.accepts[k]) record.caused_by.resize(b.accepts[k] + 1);
      record.caused_by[b.accepts[k]] = b.made[m];
    }
  }
}

}  // namespace faultbox::explorer

namespace faultbox::explorer {

void pair_syns_with_connects(scheduler::RunRecord& record, const traces::TraceFile& trace) {
  const size_t n = record.decisions.size();
  std::vector<const traces::TraceEvent*> by_step(n, nullptr);
  for (const traces::TraceEvent& e : trace.events)
    if (e.step > 0 && e.step <= n) by_step[e.step - 1] = &e;
  for (size_t j = 0; j < n; ++j) {
    if (!by_step[j] || by_step[j]->identity.action != "syn") continue;
    const traces::EventIdentity& syn = by_step[j]->identity;
    for (size_t i = j; i-- > 0;) {
      if (!by_step[i]) continue;
      const traces::EventIdentity& c = by_step[i]->identity;
      if (c.host == syn.host && c.resource == syn.resource && c.action != "syn" &&
          syn_thread_of(c.thread) == syn.thread) {
        if (record.caused_by.size() <= j) record.caused_by.resize(j + 1);
        if (!record.caused_by[j] || *record.caused_by[j] < i) record.caused_by[j] = i;
        break;
      }
    }
  }
}

}  // namespace faultbox::explorer
