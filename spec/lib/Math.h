// The math module (starlark-go's lib/math): ceil, floor (ints), fabs, round,
// mod, pow, remainder, copysign, exp, sqrt, log(x[, base]), gamma, the
// trigonometric and hyperbolic functions, degrees, radians, and the
// constants e and pi. Every function takes ints or floats.
#pragma once

#include "spec/eval/Value.h"

namespace faultbox::star {

Value make_math_module();

}  // namespace faultbox::star
