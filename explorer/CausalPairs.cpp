#include "explorer/CausalPairs.h"

#include <algorithm>
#include <map>
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
