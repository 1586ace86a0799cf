#include "traces/TraceFile.h"

namespace faultbox::traces {

namespace {

// Identity fields are single tokens on the event line; the reader splits on spaces.
std::string token(const std::string& s) {
  if (s.empty()) return "-";
  std::string out = s;
  for (char& c : out)
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') c = '_';
  return out;
}

}  // namespace

std::string EventIdentity::text() const {
  std::string out = token(host) + " " + token(action) + " " + token(resource) + " #" + std::to_string(occurrence);
  if (!thread.empty()) out += " @t" + token(thread);
  return out;
}

std::string TraceEvent::text() const {
  std::string out = step ? "step=" + std::to_string(step) : std::string("step=-");
  out += " " + identity.text() + " -> " + (outcome.empty() ? std::string("-") : outcome);
  if (!label.empty()) out += " [" + label + "]";
  if (!detail.empty()) out += " | " + detail;
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

}  // namespace faultbox::traces
