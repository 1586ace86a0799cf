// TraceFile → the ShiViz file of one run (DESIGN.md §6; layout in
// TraceFile.h). Free text (verdict, warnings, event details) is flattened to
// one line as JavaScript counts lines, and a header line that would end in
// "}" gets one trailing space: ShiViz's unanchored regex would otherwise
// take a header such as `# verdict: FAIL … got {"a": 1}` for an event.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "traces/TraceFile.h"
#include "traces/TraceValidator.h"

namespace faultbox::traces {

// The file's text. Does not validate: save_trace() does.
std::string write_shiviz(const TraceFile& trace);

// A trace that breaks ShiViz's rules or the file's own: faultbox recorded
// something wrong, so this is a bug, not a user error.
class InvalidTraceError : public std::logic_error {
 public:
  InvalidTraceError(const std::string& path, std::vector<TraceProblem> problems);
  const std::vector<TraceProblem>& problems() const { return problems_; }

 private:
  std::vector<TraceProblem> problems_;
};

// Validates the trace (TraceValidator, then the written text once more as
// ShiViz would split it) and writes it atomically: a temporary file in the
// same folder, fsync, rename over `path`. Throws InvalidTraceError (nothing
// written) for an invalid trace, std::runtime_error naming the path and the
// cause for an I/O failure; no temporary file is left behind either way.
void save_trace(const std::string& path, const TraceFile& trace);

}  // namespace faultbox::traces
