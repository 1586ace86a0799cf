// A vector clock as the JSON object on a trace's host line (DESIGN.md §6):
// `{"api":2,"test":1}`. ShiViz hands that text to JSON.parse, so the writer
// emits strict JSON and the reader accepts only what can be a clock:
// a flat object of distinct host strings to positive integers that a
// JavaScript number holds exactly (at most 2^53 - 1).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "traces/TraceFile.h"

namespace faultbox::traces {

// Largest count ShiViz's JavaScript holds exactly (Number.MAX_SAFE_INTEGER).
inline constexpr uint64_t kMaxClockValue = (uint64_t{1} << 53) - 1;

// Keys in the map's (sorted) order, JSON-escaped; U+2028 and U+2029 are
// escaped too, since JavaScript's `.` would stop at them.
std::string clock_to_json(const VectorClock& clock);

struct ClockJsonResult {
  VectorClock clock;
  std::string error;  // empty when `clock` is valid; else what is wrong, and where
  bool ok() const { return error.empty(); }
};

// Parses one clock object; JSON whitespace between tokens is allowed, nothing
// before `{` or after `}`. Never recurses, so any input is safe.
ClockJsonResult parse_clock_json(std::string_view text);

}  // namespace faultbox::traces
