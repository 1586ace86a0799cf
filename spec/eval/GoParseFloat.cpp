#include "spec/eval/GoParseFloat.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace faultbox::star {

namespace {

bool is_digit(char c, bool hex) {
  if (c >= '0' && c <= '9') return true;
  return hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
}

// Checks the syntax and returns the text strtod should read (underscores
// removed), or false.
bool normalize(std::string_view s, std::string& out) {
  size_t i = 0;
  out.clear();
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) out += s[i++];
  bool hex = false;
  if (i + 1 < s.size() && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    hex = true;
    out += "0x";
    i += 2;
  }
  // Mantissa: digits, at most one point, underscores only with a prefix.
  bool digits = false, point = false, underscores = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      underscores = true;
      continue;
    }
    if (c == '.') {
      if (point) return false;
      point = true;
      out += c;
      continue;
    }
    if (!is_digit(c, hex)) break;
    digits = true;
    out += c;
  }
  if (!digits) return false;
  if (underscores && !hex) return false;
  // Exponent.
  if (i < s.size() && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
    out += s[i++];
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) out += s[i++];
    bool exp_digits = false;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (c == '_' && hex) continue;
      if (c < '0' || c > '9') break;
      exp_digits = true;
      out += c;
    }
    if (!exp_digits) return false;
  } else if (hex) {
    return false;  // a hexadecimal mantissa requires a 'p' exponent
  }
  return i == s.size();
}

}  // namespace

ParsedFloat parse_go_float(std::string_view s) {
  ParsedFloat r;
  std::string text;
  if (!normalize(s, text)) return r;
  r.value = std::strtod(text.c_str(), nullptr);
  r.status = std::isinf(r.value) ? ParsedFloat::Status::TooLarge : ParsedFloat::Status::Ok;
  return r;
}

}  // namespace faultbox::star
