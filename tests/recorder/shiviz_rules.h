// ShiViz's clock rules, checked on the recorder's events independently of
// traces/TraceValidator: each host's own entry starts at 1 and steps by
// exactly 1; the own host is present; every host a clock references has
// events; no reference beyond the referenced host's event count (in the
// whole trace — ShiViz reads the file entire). Returns the violations, one
// line each; empty when the events would load.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "traces/TraceFile.h"

namespace faultbox::recorder::testing {

inline std::vector<std::string> shiviz_violations(const std::vector<traces::TraceEvent>& events) {
  std::vector<std::string> out;
  std::map<std::string, uint64_t> count;
  for (const traces::TraceEvent& e : events) ++count[e.host];
  std::map<std::string, uint64_t> seen;
  for (size_t i = 0; i < events.size(); ++i) {
    const traces::TraceEvent& e = events[i];
    std::string where = "event " + std::to_string(i + 1) + " (" + e.host + ")";
    uint64_t expected = ++seen[e.host];
    auto own = e.clock.find(e.host);
    if (own == e.clock.end())
      out.push_back(where + ": own host missing from its clock");
    else if (own->second != expected)
      out.push_back(where + ": own entry " + std::to_string(own->second) + ", expected " + std::to_string(expected));
    for (const auto& [h, n] : e.clock) {
      if (n == 0)
        out.push_back(where + ": references " + h + ":0");
      else if (!count.count(h))
        out.push_back(where + ": references " + h + ", which has no events");
      else if (n > count[h])
        out.push_back(where + ": references " + h + ":" + std::to_string(n) + " but " + h + " has " +
                      std::to_string(count[h]) + " events");
    }
  }
  return out;
}

}  // namespace faultbox::recorder::testing
