// The library values the Go tests hand to their test files, taken from our
// own spec/lib: struct() (starlarkstruct.Make), the json module
// (starlarkjson.Module, loaded as "json.star") and the math module
// (lib/math, loaded as "math.star").
#pragma once

#include "spec/eval/Interpreter.h"

namespace faultbox::star::conformance {

Value struct_builtin();
// Members of "json.star": {"json": <json module>}.
StringDict json_star_members(Heap& heap);
bool math_supported();
// Members of "math.star": {"math": <math module>}.
StringDict math_star_members(Heap& heap);

}  // namespace faultbox::star::conformance
