// Arbitrary-precision integers: a Value holds an int64 inline; results that
// do not fit become a BigIntObj (GMP). Every operation normalizes back to a
// small int when the result fits, so a given number has one representation.
#pragma once

#include <gmp.h>

#include <cstdint>
#include <optional>
#include <string>

#include "spec/eval/Value.h"

namespace faultbox::star {

class BigIntObj final : public Object {
 public:
  BigIntObj();  // zero
  ~BigIntObj() override;
  mpz_t& mpz() { return z_; }
  const mpz_t& mpz() const { return z_; }
  std::string_view type_name() const override { return "int"; }
  void repr(std::string& out, ReprPath& path) const override;
  uint32_t hash(Thread& t) const override;
  bool equals(Thread& t, const Object& other, int depth) const override;
  int compare(Thread& t, const Object& other, Token op, int depth) const override;
  // BigIntObj is never zero, so truth is always true.

 private:
  mpz_t z_;
};

// Normalizing constructors.
Value make_int(int64_t i);                 // small
Value make_int_from_mpz(const mpz_t z);    // small if it fits
// Parses decimal digits (optionally signed); used for big literals.
Value make_int_from_decimal(const std::string& digits);

// Integer arithmetic on two int Values (small or big). Division by zero and
// negative shift counts throw EvalError with starlark-go's wording.
Value int_add(const Value& x, const Value& y);
Value int_sub(const Value& x, const Value& y);
Value int_mul(const Value& x, const Value& y);
Value int_floordiv(const Value& x, const Value& y);  // floored
Value int_mod(const Value& x, const Value& y);       // sign of divisor
Value int_and(const Value& x, const Value& y);
Value int_or(const Value& x, const Value& y);
Value int_xor(const Value& x, const Value& y);
Value int_lshift(const Value& x, const Value& y);
Value int_rshift(const Value& x, const Value& y);
Value int_neg(const Value& x);
Value int_invert(const Value& x);
int int_cmp(const Value& x, const Value& y);  // <0, 0, >0
int int_sign(const Value& x);

// The int as int64 when it fits.
std::optional<int64_t> int_to_int64(const Value& x);
// Exact conversion to double, or nullopt when out of float range ("int too
// large to convert to float").
std::optional<double> int_to_double(const Value& x);
// Decimal text.
std::string int_to_string(const Value& x);
// Text in base 2..36 (lower-case digits, '-' sign, no prefix): for %o %x.
std::string int_to_string(const Value& x, int base);
// int(string, base) parsing per the spec: optional sign, then a 0x/0o/0b
// prefix allowed when base is 0 or matches it, no underscores, base 0 = from
// the prefix (and a leading 0 must then be all zeros). nullopt on malformed
// input; *error_base (when given) receives the base starlark-go names in
// "invalid literal with base N" (0 when detection itself failed).
std::optional<Value> int_parse(std::string_view s, int base, int* error_base = nullptr);
// A finite float truncated towards zero (int(1e100) is exact).
Value int_from_double(double d);

}  // namespace faultbox::star
