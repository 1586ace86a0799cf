// UTF-8 decoding with Go's rules, which starlark-go's messages and results
// depend on (ord, chr, str(bytes), bytes(str), hash, json): an invalid,
// truncated, overlong or surrogate sequence decodes as U+FFFD consuming
// exactly one byte, so "\xe7\x95" counts as two code points.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace faultbox::star::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;
inline constexpr char32_t kMaxRune = 0x10FFFF;

struct DecodedRune {
  char32_t rune;
  int size;  // bytes consumed; 0 only at the end of the input
};

// Decodes the rune starting at s[i] (i < s.size()).
inline DecodedRune decode_rune(std::string_view s, size_t i) {
  if (i >= s.size()) return {kReplacement, 0};
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return {b0, 1};
  const DecodedRune bad{kReplacement, 1};
  // Length and the valid range of the second byte, by first byte.
  int n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;          // overlong
    if (b0 == 0xED) hi = 0x9F;          // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;          // overlong
    if (b0 == 0xF4) hi = 0x8F;          // beyond U+10FFFF
  } else {
    return bad;
  }
  if (i + n > s.size()) {
    // Truncated: still one byte, whatever follows.
    return bad;
  }
  const unsigned char b1 = byte(i + 1);
  if (b1 < lo || b1 > hi) return bad;
  char32_t r;
  if (n == 2) {
    r = (char32_t(b0 & 0x1F) << 6) | (b1 & 0x3F);
  } else if (n == 3) {
    const unsigned char b2 = byte(i + 2);
    if (b2 < 0x80 || b2 > 0xBF) return bad;
    r = (char32_t(b0 & 0x0F) << 12) | (char32_t(b1 & 0x3F) << 6) | (b2 & 0x3F);
  } else {
    const unsigned char b2 = byte(i + 2), b3 = byte(i + 3);
    if (b2 < 0x80 || b2 > 0xBF || b3 < 0x80 || b3 > 0xBF) return bad;
    r = (char32_t(b0 & 0x07) << 18) | (char32_t(b1 & 0x3F) << 12) | (char32_t(b2 & 0x3F) << 6) |
        (b3 & 0x3F);
  }
  return {r, n};
}

// Appends the UTF-8 encoding of r; surrogates and values beyond U+10FFFF
// become U+FFFD (Go's utf8.EncodeRune).
inline void append_rune(std::string& out, char32_t r) {
  if ((r >= 0xD800 && r <= 0xDFFF) || r > kMaxRune) r = kReplacement;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

// Number of runes, counting each invalid byte as one.
inline size_t rune_count(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i += decode_rune(s, i).size) ++n;
  return n;
}

inline bool valid(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto d = decode_rune(s, i);
    if (d.rune == kReplacement && d.size == 1) return false;
    i += d.size;
  }
  return true;
}

// s with every invalid byte replaced by the encoding of U+FFFD.
inline std::string transcode(std::string_view s) {
  if (valid(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    auto d = decode_rune(s, i);
    append_rune(out, d.rune);
    i += d.size;
  }
  return out;
}

}  // namespace faultbox::star::utf8
