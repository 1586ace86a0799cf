// Unicode helpers the scanner needs, with Go's semantics (starlark-go's
// scanner is written in Go): UTF-8 decoding where an invalid byte decodes to
// U+FFFD with length 1, unicode.IsLetter and strconv.IsPrint.
#pragma once

#include <cstddef>
#include <string>

namespace faultbox::star::unicode {

constexpr char32_t kRuneError = 0xFFFD;
constexpr char32_t kMaxRune = 0x10FFFF;

// Decodes the code point starting at s[0] (n > 0 bytes available). Returns
// the number of bytes it occupies; an invalid or truncated sequence decodes
// as kRuneError of length 1, exactly like Go's utf8.DecodeRune.
size_t decode(const char* s, size_t n, char32_t& out);

// Appends the UTF-8 encoding of c (an invalid code point encodes as U+FFFD).
void append(std::string& out, char32_t c);

// Go's unicode.IsLetter (categories L*).
bool is_letter(char32_t c);

// Go's strconv.IsPrint: categories L, M, N, P, S and the ASCII space.
bool is_print(char32_t c);

}  // namespace faultbox::star::unicode
