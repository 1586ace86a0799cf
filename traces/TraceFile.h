// The trace of one run as data (DESIGN.md §6): what ShivizWriter writes,
// TraceReader reads back for `faultbox replay`, and TraceValidator checks
// against ShiViz's clock rules. Plain data; no I/O here.
//
// The file:
//
//   (?<host>\S*) (?<clock>{.*})\n(?<event>.*)      line 1: ShiViz's parser regex
//                                                  line 2: empty (one execution per file)
//   # faultbox trace 1
//   # spec: examples/shop/faultbox.star sha256:…
//   # binary: api sha256:…                         one line per service (binary or image)
//   # test: test_checkout  run: 17  strategy: random  seed: 4711
//   # verdict: FAIL faultbox.star:23 checkout should succeed …
//   # replayable: yes                              "no (--free)" for free runs
//   # schedule: pct depth=3 k=40 change-points=7,19   optional (explore's strategies)
//   # placements: placed at steps 4, 9             optional: the run explored fault placements
//                                                  ("none placed" when it placed none)
//   # warning: …                                   zero or more (determinism warnings)
//   api {"api":1}
//   step=1 api connect redis.main #1 @t1 -> deny ECONNREFUSED [Redis down]
//   …
//
// An event is two lines: `HOST CLOCK` then the event text. The event text
// of a decision starts with `step=N` (N = 1, 2, … in decision order);
// events that were not decisions (a driver's receive, an assertion, a
// syscall answered on the fast path because a rule faulted it) start with
// `step=-`. After the identity comes ` -> ` and the outcome, then an
// optional ` [label]`, then an optional ` | detail` (free text, e.g. an
// assertion's message and file:line). `#` lines never have `{` right after
// the first space, so ShiViz skips them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faultbox::traces {

// Line 1 of every trace file: ShiViz's parser regex, as ShiViz reads it from
// an uploaded file's first line.
inline constexpr std::string_view kShivizParserRegex = R"((?<host>\S*) (?<clock>{.*})\n(?<event>.*))";
// The `# faultbox trace N` version this faultbox writes and reads.
inline constexpr int kTraceVersion = 1;

// host → counter; ShiViz's JSON object of the clock line. Hosts compare as
// strings; the writer prints them in this (sorted) order.
using VectorClock = std::map<std::string, uint64_t>;

// Who did what to which resource, stable across runs (DESIGN.md §4):
// never pids, fd numbers or ephemeral ports.
//   host        the service, "test" for the driver, "test/N" for parallel branch N
//   action      the syscall's kernel name ("connect", "pwrite64"), or a driver
//               action ("POST", "GET", "send", "response", "assert", "return")
//   resource    normalized: a file path with the run's directory written as
//               "$RUN" and pids/temp suffixes folded, "redis.main" for a peer
//               service interface, "test" for the driver as a peer, "-" if none
//   occurrence  1-based count of earlier events with the same (host, action,
//               resource) in this run, plus one
//   thread      the thread ordinal within the service ("1", "3", "2.1"); "" for
//               the driver — a tie-breaker only
// Text: `api connect redis.main #1 @t1` (the `@t…` part only when thread is set).
// No field contains whitespace (the writer replaces it with '_').
struct EventIdentity {
  std::string host;
  std::string action;
  std::string resource;
  uint64_t occurrence = 0;
  std::string thread;

  std::string text() const;
  bool operator==(const EventIdentity&) const = default;
};

struct TraceEvent {
  std::string host;  // the ShiViz host of the event (== identity.host)
  VectorClock clock;
  uint64_t step = 0;  // decision number (1-based); 0 = not a decision (`step=-`)
  EventIdentity identity;
  // What happened, one token or a few words, no " [", " | " or newline:
  // "allow", "deny ECONNREFUSED", "delay 10s", "hold-syn 10s", "status 200",
  // "error connection refused", "failed", "ok".
  std::string outcome;
  std::string label;   // the fault's label, "" if none
  std::string detail;  // free text on the same line, "" if none

  std::string text() const;  // the event line (second line of the pair)
  bool operator==(const TraceEvent&) const = default;
};

struct TraceHeader {
  int version = 1;
  std::string spec_path;    // as the user gave it
  std::string spec_sha256;  // hex
  // service → "sha256:…" of its binary (or the image id in container mode), in spec order.
  std::vector<std::pair<std::string, std::string>> binaries;
  std::string test;
  uint64_t run = 1;
  std::string strategy;  // "random", "replay", "free", "dpor", …
  uint64_t seed = 0;
  // "PASS", or "FAIL " + file:line + " " + message (one line).
  std::string verdict;
  bool replayable = true;         // false for --free runs
  // What the strategy chose beyond its name and seed (`# schedule:`): pct's
  // change points, a permutation's index; "" when nothing.
  std::string schedule;
  // Set when the run explored fault placements (`faultbox explore`: rules
  // with times=/probability= fire only where the strategy placed them): the
  // decisions at which it placed one, in order. A replay places them again
  // at the same decisions; without the line the rules apply as written.
  std::optional<std::vector<uint64_t>> placed;
  // Serialized runs: per declared interface, the threads already blocked in
  // accept() on it when the body started (`# waiting accepts: store.main 1`
  // or `none`). Such an accept began while start-up ran free, so the
  // connection it takes is no event of the trace; exploration needs the
  // count to pair every accept event with the connection it consumes
  // (explorer/CausalPairs). Absent in free runs and in traces written
  // before the line existed.
  std::optional<std::vector<std::pair<std::string, uint64_t>>> waiting_accepts;
  std::vector<std::string> warnings;  // determinism warnings, one line each
  bool operator==(const TraceHeader&) const = default;
};

struct TraceFile {
  TraceHeader header;
  std::vector<TraceEvent> events;
  bool operator==(const TraceFile&) const = default;
};

}  // namespace faultbox::traces
