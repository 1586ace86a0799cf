// Float formatting and arithmetic helpers shared by the evaluator and the
// library (str(float), %g/%e/%f, float(), mixed int/float comparison).
#pragma once

#include <string>

#include "spec/eval/Value.h"

namespace faultbox::star {

// str(x) / repr(x) of a float as starlark-go prints it: the shortest digits
// that round-trip, %e style when the exponent is < -4 or >= 6, and always a
// '.' or an exponent ("1.0", "1e+20", "1.5e-07", "+inf", "-inf", "nan").
std::string float_to_string(double d);
// The `%` conversions of a float: conv is one of e f g E F G. e/f/E/F use six
// digits of precision; g/G are float_to_string (G with an upper-case 'E').
// Infinities and NaN print as "+inf", "-inf", "nan" whatever the conversion.
std::string float_format(double d, char conv);
// Exact comparison of an int Value with a double (no rounding of big ints).
int int_float_cmp(const Value& i, double d);
// Float modulo with the sign of the divisor; floor division.
double float_mod(double x, double y);
double float_floordiv(double x, double y);
// Hash consistent with int hashing when the float is integral.
uint32_t float_hash(double d);

}  // namespace faultbox::star
