// libFuzzer target over the trace reader and validator (traces/): any bytes
// may be rejected with a TraceFormatError or a list of problems; none may
// crash, hang, leak or trip a sanitizer. A file that reads and validates
// must also survive the writer: writing what was read and reading it again
// gives the same trace, and the written text validates too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "traces/ShivizWriter.h"
#include "traces/TraceReader.h"
#include "traces/TraceValidator.h"

using namespace faultbox::traces;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return -1;  // a few hundred events is plenty
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const TraceProblem& p : validate_trace_text(text)) (void)p.text("fuzz.log");
  ParsedTrace parsed;
  try {
    parsed = parse_trace(text, "fuzz.log");
  } catch (const TraceFormatError& e) {
    if (e.problem().empty()) std::abort();
    return 0;
  }
  if (parsed.event_lines.size() != parsed.trace.events.size()) std::abort();
  if (!validate_parsed_trace(text, parsed).empty()) return 0;
  // Valid: the writer's text of it must read back to the same trace.
  if (!validate_trace(parsed.trace).empty()) std::abort();
  const std::string again = write_shiviz(parsed.trace);
  if (!validate_trace_text(again).empty()) std::abort();
  if (!(parse_trace(again).trace == parsed.trace)) std::abort();
  return 0;
}
