// ShiViz's rules for a trace, and the file's own, as a list of problems
// rather than the first one: save_trace() refuses a trace with any (a
// faultbox bug), load_trace() refuses a file with any (`faultbox replay`),
// and tests run it on every trace they write.
//
// Rules ShiViz enforces (bestchai/shiviz: js/model/vectorTimestamp.js,
// js/model/modelGraph.js, js/model/parser.js), mirrored here:
//   - the event's own host is in its clock ("Local host … is missing from
//     timestamp");
//   - each host's own entries are 1, 2, 3, … ("must start at 1", "must
//     increase monotonically by 1"; ShiViz sorts a host's events by own
//     entry first, we require file order, which the recorder produces);
//   - every host a clock names has events ("unrecognized host");
//   - no entry exceeds that host's event count, none is below 1 ("invalid
//     clock value"; ShiViz drops 0 entries, our writer never writes them);
//   - the regex captures at least one event ("does not capture any events");
//   - the clock parses as JSON (JSON.parse), and each value is a number a
//     JavaScript double holds exactly (≤ 2^53 - 1);
//   - host names: `\S*` ends at JavaScript whitespace (U+00A0 too), and
//     ShiViz keeps hosts as keys of plain JavaScript objects, so a host
//     named like an Object.prototype member ("constructor", "toString", …)
//     is mistaken for a known host and crashes its graph builder.
// Rules of a consistent vector-clock run, which ShiViz's own (unused)
// stepThroughAndVerify() and its layout assume and which our recorder keeps:
//   - along one host's events no entry ever goes backwards (or disappears);
//   - an entry h:k refers to an event already in the file above it, so
//     file order is a causal order and the graph has no cycle;
//   - a clock includes everything the event it refers to knew: for h:k,
//     every entry of h's k-th event is ≤ the entry here ("impermissible
//     vector clock").
// Rules of our own format: identity host == event host, 1-based
// occurrences, decision steps 1..N each once, outcomes and labels that
// the event line can carry unambiguously, a complete header.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "traces/TraceFile.h"

namespace faultbox::traces {

struct ParsedTrace;

struct TraceProblem {
  uint64_t line = 0;   // 1-based line of the file; 0 when there is none
  size_t event = 0;    // 1-based event index; 0 for the header or the whole file
  std::string message;

  // "FILE:LINE: message" (or "line N: …", "event N: …", plain message).
  std::string text(std::string_view file = {}) const;
  bool operator==(const TraceProblem&) const = default;
};

// A TraceFile about to be written: problems name events by index.
std::vector<TraceProblem> validate_trace(const TraceFile& trace);

// The text of a trace file: the reader's strict parse (a format error is
// one problem), then what ShiViz's own regex splits out of the text
// compared with what the reader read (traces/ShivizScan.h), then every
// rule of validate_trace with line numbers.
std::vector<TraceProblem> validate_trace_text(std::string_view text, const std::string& file_name = "trace.log");

// validate_trace_text for a text already parsed by parse_trace().
std::vector<TraceProblem> validate_parsed_trace(std::string_view text, const ParsedTrace& parsed);

}  // namespace faultbox::traces
