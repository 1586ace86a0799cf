// The `struct(**kwargs)` builtin (starlarkstruct.Make): an immutable record
// whose fields are the keyword arguments, printed as struct(a = 1, b = "x").
#pragma once

#include "spec/eval/Value.h"

namespace faultbox::star {

Value make_struct_builtin();

}  // namespace faultbox::star
