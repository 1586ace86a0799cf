#include "spec/eval/Quote.h"

#include "spec/eval/GoUtf8.h"
#include "spec/eval/Runes.h"

namespace faultbox::star {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Bytes that can be copied as they are: printable ASCII but '"' and '\'.
inline bool plain_ascii(unsigned char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; }

void append_hex_escape(std::string& out, char prefix, char32_t v, int digits) {
  out.push_back('\\');
  out.push_back(prefix);
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out.push_back(kHex[(v >> shift) & 0xF]);
}

}  // namespace

void append_quoted(std::string& out, std::string_view s, bool bytes) {
  out.reserve(out.size() + s.size() + 3);
  if (bytes) out.push_back('b');
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Copy the longest run of plain bytes at once.
    size_t j = i;
    while (j < s.size() && plain_ascii(static_cast<unsigned char>(s[j]))) ++j;
    out.append(s.data() + i, j - i);
    i = j;
    if (i == s.size()) break;

    utf8::DecodedRune d = utf8::decode_rune(s, i);
    char32_t r = d.rune;
    if (d.size == 1 && r == utf8::kReplacement) {
      // An invalid byte: \x even in a string literal, which the scanner
      // would reject for non-ASCII values, but no other form denotes it.
      append_hex_escape(out, 'x', static_cast<unsigned char>(s[i]), 2);
      i += 1;
      continue;
    }
    i += static_cast<size_t>(d.size);
    if (r == '"' || r == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(r));
      continue;
    }
    if (r >= 0x80 && runes::is_print(r)) {
      out.append(s.data() + i - static_cast<size_t>(d.size), static_cast<size_t>(d.size));
      continue;
    }
    switch (r) {
      case '\a': out += "\\a"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\v': out += "\\v"; continue;
      default: break;
    }
    if (r < ' ' || r == 0x7F)
      append_hex_escape(out, 'x', r, 2);
    else if (r < 0x10000)
      append_hex_escape(out, 'u', r, 4);
    else
      append_hex_escape(out, 'U', r, 8);
  }
  out.push_back('"');
}

std::string quote(std::string_view s, bool bytes) {
  std::string out;
  append_quoted(out, s, bytes);
  return out;
}

}  // namespace faultbox::star
