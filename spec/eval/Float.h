// Float formatting and arithmetic helpers shared by the evaluator and the
// library (str(float), %g/%e/%f, float(), mixed int/float comparison).
#pragma once

#include <string>

#include "spec/eval/Value.h"

namespace faultbox::star {

// str(x) / repr(x) of a float as starlark-go prints it ("1.0", "1e+20", "inf", "nan").
std::string float_to_string(double d);
// Exact comparison of an int Value with a double (no rounding of big ints).
int int_float_cmp(const Value& i, double d);
// Float modulo with the sign of the divisor; floor division.
double float_mod(double x, double y);
double float_floordiv(double x, double y);
// Hash consistent with int hashing when the float is integral.
uint32_t float_hash(double d);

}  // namespace faultbox::star
