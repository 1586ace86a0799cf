// Internals shared by the string and bytes implementation files (String.cpp,
// StringMethods.cpp, BytesMethods.cpp, StringIterables.cpp, Format.cpp).
// Not a contract for other parts of the interpreter: String.h is.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "spec/eval/Error.h"
#include "spec/eval/GoUtf8.h"
#include "spec/eval/String.h"
#include "spec/eval/Value.h"

namespace faultbox::star::strings {

// starlark-go's indices(): optional start/end arguments (None or omitted =
// whole range) resolved against a sequence of length len, negative values
// counting from the end, both clamped to [0, len]. start may exceed end.
// Throws "FN: invalid start index: ..." / "FN: invalid end index: ...".
void indices(std::string_view fn, const Value& start, const Value& end, int64_t len, int64_t& lo,
             int64_t& hi);

// The string's own text (v must be a string).
inline const std::string& text(const Value& v) { return v.as<StringObj>()->str(); }
inline const std::string& bytes_of(const Value& v) { return v.as<BytesObj>()->bytes(); }

// x[lo:hi:step] of a byte sequence; indices already normalized the way
// Object::slice documents.
std::string slice_bytes(std::string_view s, int64_t start, int64_t end, int64_t step);

// s * n, with starlark-go's limits ("repeat count N too large",
// "excessive repeat (L * N elements)").
std::string repeat(std::string_view s, const Value& n);

// The iterable views returned by string.elems(), .elem_ords(),
// .codepoints(), .codepoint_ords() and bytes.elems().
enum class ViewKind : uint8_t { Elems, ElemOrds, Codepoints, CodepointOrds, BytesElems };
Value make_view(const Value& string_or_bytes, ViewKind kind);

[[noreturn]] inline void fail(std::string msg) { throw EvalError(std::move(msg)); }

// a[0:n] == b[0:n]. Most compared strings (dict keys, prefixes) are short:
// compare those inline rather than through a call to memcmp.
inline bool same_bytes(const char* a, const char* b, size_t n) {
  if (n > 16) return std::memcmp(a, b, n) == 0;
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// Whether every byte is ASCII (then bytes are runes).
inline bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// The last rune of s[0:end] (end > 0), like Go's utf8.DecodeLastRuneInString:
// U+FFFD of size 1 unless a valid encoding ends exactly at `end`.
inline utf8::DecodedRune decode_last_rune(std::string_view s, size_t end) {
  auto c = static_cast<unsigned char>(s[end - 1]);
  if (c < 0x80) return {c, 1};
  // Back up over at most 3 continuation bytes to a possible start byte.
  size_t lim = end >= 4 ? end - 4 : 0;
  size_t start = end - 1;
  while (start > lim && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
  utf8::DecodedRune d = utf8::decode_rune(s.substr(0, end), start);
  if (start + static_cast<size_t>(d.size) != end) return {utf8::kReplacement, 1};
  return d;
}

}  // namespace faultbox::star::strings
