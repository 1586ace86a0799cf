#include "traces/JsText.h"

namespace faultbox::traces::js {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

}  // namespace

CodePoint decode_at(std::string_view text, size_t i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) return {b0, 1};
  size_t need = 0;
  char32_t value = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, value = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, value = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, value = b0 & 0x07, min = 0x10000;
  } else {
    return {kReplacement, 1};
  }
  if (text.size() - i <= need) return {kReplacement, 1};
  for (size_t k = 1; k <= need; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if (!continuation(b)) return {kReplacement, 1};
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {kReplacement, 1};
  return {value, need + 1};
}

bool is_line_terminator(char32_t c) { return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029; }

bool is_whitespace(char32_t c) {
  switch (c) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x00A0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
    case 0x205F: case 0x3000: case 0xFEFF:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

bool is_valid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const CodePoint cp = decode_at(text, i);
    // A literal U+FFFD in the text is three bytes; a decoding error is one.
    if (cp.value == kReplacement && cp.len == 1) return false;
    i += cp.len;
  }
  return true;
}

std::string flatten_line_terminators(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const CodePoint cp = decode_at(text, i);
    if (is_line_terminator(cp.value))
      out += ' ';
    else
      out.append(text.substr(i, cp.len));
    i += cp.len;
  }
  return out;
}

}  // namespace faultbox::traces::js
