// Float formatting, mixed int/float comparison and the float side of the
// numeric hash. Formatting follows starlark-go (Go's strconv with the 'g'
// shortest form), which differs from C's %g: the digits are the shortest that
// round-trip, and the switch to exponent notation is at 1e6 / 1e-5.
#include "spec/eval/Float.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "spec/eval/Int.h"
#include "spec/eval/NumberHash.h"

namespace faultbox::star {

namespace {

// Shortest round-trip digits of a finite, non-negative double: the digit
// string (no dot, no leading zeros unless the value is 0) and the decimal
// exponent of its first digit.
struct ShortestDigits {
  char digits[32];
  int ndigits = 0;
  int exp10 = 0;
};

ShortestDigits shortest_digits(double d) {
  // to_chars in scientific form yields exactly the shortest digits as
  // d[.ddd]e±XX; pick them apart.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  ShortestDigits out;
  const char* p = buf;
  for (; p < res.ptr && *p != 'e'; ++p)
    if (*p >= '0' && *p <= '9') out.digits[out.ndigits++] = *p;
  int exp = 0;
  std::from_chars(p + 1 + (p[1] == '+'), res.ptr, exp);
  out.exp10 = exp;
  return out;
}

void append_exponent(std::string& out, int exp, char e) {
  out += e;
  out += exp < 0 ? '-' : '+';
  int a = exp < 0 ? -exp : exp;
  if (a < 10) out += '0';
  out += std::to_string(a);
}

// Go's FormatFloat(d, 'g', -1, 64), then ".0" when the text has neither a
// '.' nor an exponent; `e` is the exponent letter.
std::string format_shortest(double d, char e) {
  std::string out;
  if (std::signbit(d)) {
    out += '-';
    d = -d;
  }
  ShortestDigits sd = shortest_digits(d);
  int exp = sd.exp10;
  if (exp < -4 || exp >= 6) {
    out += sd.digits[0];
    if (sd.ndigits > 1) {
      out += '.';
      out.append(sd.digits + 1, sd.ndigits - 1);
    }
    append_exponent(out, exp, e);
    return out;
  }
  if (exp < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exp - 1), '0');
    out.append(sd.digits, sd.ndigits);
    return out;
  }
  // exp in [0, 6): the integer part has exp+1 digits.
  int int_digits = exp + 1;
  if (sd.ndigits <= int_digits) {
    out.append(sd.digits, sd.ndigits);
    out.append(static_cast<size_t>(int_digits - sd.ndigits), '0');
    out += ".0";
  } else {
    out.append(sd.digits, int_digits);
    out += '.';
    out.append(sd.digits + int_digits, sd.ndigits - int_digits);
  }
  return out;
}

bool non_finite(double d, std::string& out) {
  if (std::isnan(d)) {
    out = "nan";
    return true;
  }
  if (std::isinf(d)) {
    out = d > 0 ? "+inf" : "-inf";
    return true;
  }
  return false;
}

}  // namespace

std::string float_to_string(double d) {
  std::string out;
  if (non_finite(d, out)) return out;
  return format_shortest(d, 'e');
}

std::string float_format(double d, char conv) {
  std::string out;
  if (non_finite(d, out)) return out;
  switch (conv) {
    case 'g':
      return format_shortest(d, 'e');
    case 'G':
      return format_shortest(d, 'E');
    case 'e':
    case 'E':
    case 'f':
    case 'F': {
      // glibc prints the exact decimal expansion, like Go's strconv.
      const char fmt[] = {'%', '.', '6', conv, '\0'};
      int n = std::snprintf(nullptr, 0, fmt, d);
      out.resize(static_cast<size_t>(n) + 1);
      std::snprintf(out.data(), out.size(), fmt, d);
      out.resize(static_cast<size_t>(n));
      return out;
    }
    default:
      return format_shortest(d, 'e');
  }
}

int int_float_cmp(const Value& i, double d) {
  // starlark-go orders NaN above every number, +inf above every int.
  if (std::isnan(d)) return -1;
  if (std::isinf(d)) return d > 0 ? -1 : +1;
  if (i.is_small_int()) {
    int64_t x = i.as_small_int();
    constexpr double two63 = 9223372036854775808.0;
    if (d >= two63) return -1;
    if (d < -two63) return +1;
    double whole = std::trunc(d);  // |whole| <= 2^63 and -2^63 fits
    int64_t w = static_cast<int64_t>(whole);
    if (x != w) return x < w ? -1 : +1;
    double frac = d - whole;
    return frac > 0 ? -1 : frac < 0 ? +1 : 0;
  }
  // A big int: GMP compares exactly.
  int c = mpz_cmp_d(i.as<BigIntObj>()->mpz(), d);
  return c < 0 ? -1 : c > 0 ? +1 : 0;
}

double float_mod(double x, double y) {
  double z = std::fmod(x, y);
  if (z != 0 && ((x < 0) != (y < 0))) z += y;
  return z;
}

double float_floordiv(double x, double y) { return std::floor(x / y); }

uint32_t float_hash(double d) {
  if (!std::isfinite(d)) return 1618033;  // NaN == NaN in Starlark, so one hash for all
  double whole = std::trunc(d);
  if (whole != d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    return hash_u64(bits ^ 0x9e3779b97f4a7c15ull);
  }
  // Integral: hash the value modulo 2^64, as ints do.
  constexpr double two63 = 9223372036854775808.0;
  if (d >= -two63 && d < two63) return hash_int64(static_cast<int64_t>(d));
  int exp = 0;
  double m = std::frexp(std::fabs(d), &exp);  // |d| = m * 2^exp, m in [0.5, 1)
  uint64_t mant = static_cast<uint64_t>(std::ldexp(m, 53));
  int shift = exp - 53;  // >= 11 here
  uint64_t low = shift >= 64 ? 0 : mant << shift;
  if (d < 0) low = ~low + 1;
  return hash_u64(low);
}

}  // namespace faultbox::star
