#include "spec/eval/Runes.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace faultbox::star::runes {
namespace {

struct Range {
  char32_t lo, hi;  // inclusive
};

struct CaseDelta {
  char32_t lo, hi;  // inclusive
  int32_t delta;
  uint32_t stride;  // 1: every rune in [lo, hi]; 2: lo, lo+2, ...
};

#include "spec/eval/RuneTables.inc"

template <size_t N>
bool in_table(const Range (&table)[N], char32_t r) {
  // First range whose hi >= r; r is in it if lo <= r.
  const Range* it = std::lower_bound(std::begin(table), std::end(table), r,
                                     [](const Range& x, char32_t v) { return x.hi < v; });
  return it != std::end(table) && it->lo <= r;
}

template <size_t N>
char32_t map_case(const CaseDelta (&table)[N], char32_t r) {
  const CaseDelta* it = std::lower_bound(std::begin(table), std::end(table), r,
                                         [](const CaseDelta& x, char32_t v) { return x.hi < v; });
  if (it == std::end(table) || it->lo > r) return r;
  if ((r - it->lo) % it->stride != 0) return r;
  return static_cast<char32_t>(static_cast<int64_t>(r) + it->delta);
}

}  // namespace

bool is_letter(char32_t r) {
  if (r < 0x80) return (r | 0x20) >= 'a' && (r | 0x20) <= 'z';
  return in_table(kLetter, r);
}

bool is_digit(char32_t r) {
  if (r < 0x80) return r >= '0' && r <= '9';
  return in_table(kDigit, r);
}

bool is_upper(char32_t r) {
  if (r < 0x80) return r >= 'A' && r <= 'Z';
  return in_table(kUpper, r);
}

bool is_lower(char32_t r) {
  if (r < 0x80) return r >= 'a' && r <= 'z';
  return in_table(kLower, r);
}

bool is_title(char32_t r) {
  if (r < 0x80) return false;
  return in_table(kTitle, r);
}

bool is_space(char32_t r) {
  // The White_Space property, as Go's unicode.IsSpace spells it out.
  if (r < 0x100) {
    return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xA0;
  }
  return r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 ||
         r == 0x202F || r == 0x205F || r == 0x3000;
}

bool is_print(char32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  return in_table(kPrint, r);
}

char32_t to_upper(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') ? r - 32 : r;
  return map_case(kToUpper, r);
}

char32_t to_lower(char32_t r) {
  if (r < 0x80) return (r >= 'A' && r <= 'Z') ? r + 32 : r;
  return map_case(kToLower, r);
}

char32_t to_title(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') ? r - 32 : r;
  return map_case(kToTitle, r);
}

bool is_cased(char32_t r) {
  if (r < 0x80) return (r | 0x20) >= 'a' && (r | 0x20) <= 'z';
  return in_table(kCased, r);
}

}  // namespace faultbox::star::runes
