#include "recorder/HostClocks.h"

#include <algorithm>
#include <stdexcept>

namespace faultbox::recorder {

traces::VectorClock HostClocks::tick(const std::string& host, const std::vector<traces::VectorClock>& merges) {
  if (host.empty()) throw std::logic_error("HostClocks::tick: empty host name");
  // Check every merge before changing anything, so a rejected tick leaves
  // the clocks as they were.
  for (const traces::VectorClock& m : merges) check_mergeable(host, m);

  traces::VectorClock& clock = clocks_[host];
  for (const traces::VectorClock& m : merges)
    for (const auto& [h, n] : m) {
      uint64_t& mine = clock[h];
      mine = std::max(mine, n);
    }
  // A merged clock may carry the host's own entry (an event that saw an
  // earlier event of this host, e.g. a reply): it is at most the host's
  // count (checked above), so the max left it unchanged and +1 still steps
  // by exactly one.
  ++clock[host];
  return clock;
}

void HostClocks::check_mergeable(const std::string& into, const traces::VectorClock& clock) const {
  for (const auto& [h, n] : clock) {
    uint64_t logged = events_of(h);
    if (n == 0 || n > logged)
      throw std::logic_error("HostClocks::tick: clock merged into " + into + " has " + h + ":" + std::to_string(n) +
                             " but " + h + " has logged " + std::to_string(logged) +
                             " event(s) (a clock must come from an event already recorded in this run)");
  }
}

traces::VectorClock HostClocks::clock_of(const std::string& host) const {
  auto it = clocks_.find(host);
  return it == clocks_.end() ? traces::VectorClock{} : it->second;
}

uint64_t HostClocks::events_of(const std::string& host) const {
  auto it = clocks_.find(host);
  if (it == clocks_.end()) return 0;
  auto own = it->second.find(host);
  return own == it->second.end() ? 0 : own->second;
}

std::vector<std::string> HostClocks::hosts() const {
  std::vector<std::string> out;
  out.reserve(clocks_.size());
  for (const auto& [h, c] : clocks_) out.push_back(h);
  return out;
}

}  // namespace faultbox::recorder
