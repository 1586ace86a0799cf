// What ShiViz itself reads from a trace file, found the way ShiViz finds it
// (facts from bestchai/shiviz: js/shiviz.js, js/model/parser.js,
// js/util/regexp.js), so TraceValidator can compare it with what our
// reader reads:
//   - an uploaded file's line 1 (up to the first "\n") is the parser regex,
//     line 2 the delimiter between executions ("" = one execution), and the
//     log is everything after the second "\n";
//   - the parser regex is compiled with flags "gm" and applied with exec()
//     in a loop over the whole log: unanchored, leftmost match first, the
//     next search starting where the last match ended;
//   - with our regex `(?<host>\S*) (?<clock>{.*})\n(?<event>.*)` that means:
//     a match starts wherever a run of non-whitespace is followed by " {"
//     on a line that ends with "}" right before a "\n" — not only at the
//     start of a line — and the event is the next line up to the first
//     line terminator (which may be a U+2028 in the middle of our line).
// JavaScript's whitespace and line terminators are used (traces/JsText.h),
// on the text as the browser decodes it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace faultbox::traces {

struct ShivizMatch {
  uint64_t line = 0;         // 1-based line of the file where the match starts
  bool at_line_start = false;  // the host begins the line
  bool whole_event_line = false;  // the event runs to the "\n" ending its line (or to the end)
  std::string host;
  std::string clock;  // the JSON text, as ShiViz hands it to JSON.parse
  std::string event;
};

struct ShivizView {
  std::string parser_regex;  // line 1, as ShiViz takes it (JavaScript-trimmed by ShiViz later)
  std::string delimiter;     // line 2
  bool has_two_lines = false;  // ShiViz's upload code throws on a file without a second "\n"
  std::vector<ShivizMatch> matches;
};

// Splits an uploaded file the way ShiViz does and lists every event its
// parser regex captures from the log (assumes the regex on line 1 is ours,
// kShivizParserRegex; the caller checks that).
ShivizView shiviz_view(std::string_view file_text);

}  // namespace faultbox::traces
