// A small but complete trace for the traces/ tests: the shop's failing
// checkout (driver → api → redis → api → driver), a parallel branch
// "test/2", a delayed reply with a label, a non-decision receive and a
// failed assertion with its message, and two warnings (one ending in "}",
// which the writer must keep away from ShiViz's regex).
#pragma once

#include <string>

#include "traces/TraceFile.h"

namespace faultbox::traces::sample {

inline TraceEvent sample_event(const std::string& host, VectorClock clock, uint64_t step, const std::string& action,
                               const std::string& resource, uint64_t occurrence, const std::string& thread,
                               const std::string& outcome, const std::string& label = "",
                               const std::string& detail = "") {
  TraceEvent e;
  e.host = host;
  e.clock = std::move(clock);
  e.step = step;
  e.identity = {host, action, resource, occurrence, thread};
  e.outcome = outcome;
  e.label = label;
  e.detail = detail;
  return e;
}

inline TraceFile sample_trace() {
  TraceFile t;
  TraceHeader& h = t.header;
  h.spec_path = "examples/shop/faultbox.star";
  h.spec_sha256 = std::string(64, 'a');
  h.binaries = {{"api", "sha256:" + std::string(64, 'b')}, {"redis", "sha256:" + std::string(64, 'c')}};
  h.test = "test_checkout";
  h.run = 17;
  h.strategy = "random";
  h.seed = 4711;
  h.verdict = "FAIL faultbox.star:23 checkout should succeed (DB fallback) or fail gracefully, not 500";
  h.replayable = true;
  h.warnings = {"quiescence wait hit its cap (200ms) before step 5", "api thread 3 still running: state {R}"};
  t.events = {
      sample_event("test", {{"test", 1}}, 1, "POST", "api", 1, "", "sent"),                           // line 12
      sample_event("api", {{"api", 1}, {"test", 1}}, 2, "accept", "test", 1, "1", "allow"),          // 14
      sample_event("api", {{"api", 2}, {"test", 1}}, 3, "sendto", "redis.main", 1, "2", "allow"),    // 16
      sample_event("redis", {{"api", 2}, {"redis", 1}, {"test", 1}}, 4, "recvfrom", "api", 1, "1", "allow"),  // 18
      sample_event("redis", {{"api", 2}, {"redis", 2}, {"test", 1}}, 5, "sendto", "api", 1, "1", "delay 10s",
                   "slow redis"),  // 20
      sample_event("api", {{"api", 3}, {"redis", 2}, {"test", 1}}, 6, "recvfrom", "redis.main", 1, "2", "allow"),  // 22
      sample_event("api", {{"api", 4}, {"redis", 2}, {"test", 1}}, 7, "sendto", "test", 1, "1", "allow"),          // 24
      sample_event("test", {{"api", 4}, {"redis", 2}, {"test", 2}}, 0, "response", "api", 1, "", "status 500"),    // 26
      sample_event("test/2", {{"api", 4}, {"redis", 2}, {"test", 2}, {"test/2", 1}}, 8, "GET", "api", 1, "",
                   "error connection refused", "api down"),  // 28
      sample_event("test", {{"api", 4}, {"redis", 2}, {"test", 3}, {"test/2", 1}}, 0, "assert", "-", 1, "", "failed",
                   "", "checkout should succeed (DB fallback) or fail gracefully, not 500 faultbox.star:23"),  // 30
  };
  return t;
}

// Line of event i (0-based) in the written sample: 2 ShiViz lines, 9 header lines.
inline uint64_t sample_event_line(size_t i) { return 12 + 2 * i; }

}  // namespace faultbox::traces::sample
