// UTF-8 text as ShiViz's JavaScript sees it. ShiViz reads a trace with the
// browser's UTF-8 decoder and splits it with a JavaScript regex, so whether
// our file means to ShiViz what it means to us depends on two JavaScript
// character classes: `\s` (whitespace, which ends the `\S*` host) and the
// line terminators (which end `.`, so they end the clock and the event).
// Both are wider than ASCII's: U+00A0 is whitespace, U+2028 ends a line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace faultbox::traces::js {

// One code point at byte `i`, as a browser's decoder reads it: a malformed
// or truncated sequence reads as U+FFFD and consumes one byte (the next
// byte is read afresh, which finds the same valid code points as the
// WHATWG decoder does). `len` is at least 1.
struct CodePoint {
  char32_t value;
  size_t len;
};
CodePoint decode_at(std::string_view text, size_t i);

// JavaScript's `\s`: ECMAScript WhiteSpace and LineTerminator.
bool is_whitespace(char32_t c);
// What JavaScript's `.` does not match: \n, \r, U+2028, U+2029.
bool is_line_terminator(char32_t c);
// Well-formed UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
bool is_valid_utf8(std::string_view text);
// Every line terminator replaced by one space, so the text stays one line
// for JavaScript as well as for us.
std::string flatten_line_terminators(std::string_view text);

}  // namespace faultbox::traces::js
