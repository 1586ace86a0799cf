// The event line of a trace (the second line of each event pair, written
// by TraceEvent::text()):
//   step=N HOST ACTION RESOURCE #OCC [@tTHREAD] -> OUTCOME[ [LABEL]][ | DETAIL]
// Parsed here for the reader, and by the validator to prove that what the
// writer is about to write reads back as the same step, outcome, label and
// detail.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "traces/TraceFile.h"

namespace faultbox::traces {

// Fills e.step, e.identity, e.outcome, e.label and e.detail from `line`;
// returns "" on success, else what is wrong (without a location).
// The label ends at the first "]" that ends the line or precedes " | ";
// everything after the first " | " outside the label is the detail.
std::string parse_event_line(std::string_view line, TraceEvent& e);

// A count in a trace line: decimal digits, no sign, no leading zero (but
// "0"), below 2^64.
std::optional<uint64_t> parse_trace_number(std::string_view s);

}  // namespace faultbox::traces
