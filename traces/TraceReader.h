// The text of a trace file → TraceFile, for `faultbox replay` (DESIGN.md §6;
// layout in TraceFile.h). Strict: whatever the writer would not have
// written is an error naming the file, the line and what is wrong — a
// replay must never run from a file it half understood. Unknown `#` header
// lines are skipped so that newer header fields do not break older readers.
// Any bytes are safe to feed it (it is fuzzed): no recursion, no unbounded
// number parsing, every index checked.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "traces/TraceFile.h"

namespace faultbox::traces {

class TraceFormatError : public std::runtime_error {
 public:
  // what() is "FILE:LINE: PROBLEM" (line 0: "FILE: PROBLEM"), followed by
  // `more` on further lines when there was more than one problem.
  TraceFormatError(std::string file, uint64_t line, std::string problem, const std::string& more = {});
  const std::string& file() const { return file_; }
  uint64_t line() const { return line_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  uint64_t line_;
  std::string problem_;
};

struct ParsedTrace {
  TraceFile trace;
  // 1-based line of each event's `HOST CLOCK` line (its event line is the next).
  std::vector<uint64_t> event_lines;
};

// Parses the file's text; `file_name` only labels the errors. Checks the
// format, not ShiViz's clock rules (TraceValidator does those).
ParsedTrace parse_trace(std::string_view text, const std::string& file_name = "trace.log");

// What `faultbox replay` calls: reads `path`, parses it and checks every
// rule validate_trace_text() checks; the first problem becomes the
// TraceFormatError (all of them are in what()). An unreadable file is a
// TraceFormatError at line 0.
TraceFile load_trace(const std::string& path);

}  // namespace faultbox::traces
