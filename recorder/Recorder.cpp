#include "recorder/Recorder.h"

#include <stdexcept>

namespace faultbox::recorder {

namespace {

// Identity fields are single tokens on the trace line; "-" stands for none
// (the same spelling EventIdentity::text() prints), so that the counter's
// key and the printed identity agree.
std::string token(const std::string& s) {
  if (s.empty()) return "-";
  std::string out = s;
  for (char& c : out)
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') c = '_';
  return out;
}

traces::EventIdentity make_identity(const std::string& host, const std::string& action, const std::string& resource,
                                    const std::string& thread) {
  if (host.empty()) throw std::logic_error("Recorder: an event needs a host");
  if (action.empty()) throw std::logic_error("Recorder: an event of " + host + " needs an action");
  traces::EventIdentity id;
  id.host = token(host);
  id.action = token(action);
  id.resource = token(resource);
  id.thread = thread.empty() ? std::string() : token(thread);
  return id;
}

}  // namespace

Recorder::Recorder(ResourceNormalizer normalizer) : normalizer_(std::move(normalizer)) {}

traces::EventIdentity Recorder::identify(const std::string& host, const std::string& action,
                                         const std::string& resource, const std::string& thread) {
  traces::EventIdentity id = make_identity(host, action, resource, thread);
  id.occurrence = occurrences_.take(id.host, id.action, id.resource);
  return id;
}

traces::EventIdentity Recorder::preview(const std::string& host, const std::string& action,
                                        const std::string& resource, const std::string& thread) const {
  traces::EventIdentity id = make_identity(host, action, resource, thread);
  id.occurrence = occurrences_.peek(id.host, id.action, id.resource);
  return id;
}

const traces::TraceEvent& Recorder::record(traces::EventIdentity id, uint64_t step, std::string outcome,
                                           std::string label, std::string detail,
                                           const std::vector<traces::VectorClock>& merges) {
  if (id.occurrence == 0 || id.occurrence > occurrences_.taken(id.host, id.action, id.resource))
    throw std::logic_error("Recorder::record: " + id.text() +
                           " was not identified in this run (identify() takes the occurrence; preview() does not)");
  traces::TraceEvent ev;
  ev.clock = clocks_.tick(id.host, merges);
  ev.host = id.host;
  ev.step = step;
  ev.identity = std::move(id);
  ev.outcome = std::move(outcome);
  ev.label = std::move(label);
  ev.detail = std::move(detail);
  events_.push_back(std::move(ev));
  return events_.back();
}

}  // namespace faultbox::recorder
