// String formatting: the % operator ("%d items" % n) and str.format ("{}
// and {name}").
#pragma once

#include <string>
#include <string_view>

#include "spec/eval/Object.h"

namespace faultbox::star {

// format % x. x is a tuple of operands, a dict for %(name)s keys, or a
// single operand. Errors in starlark-go's words ("not enough arguments for
// format string", "unknown conversion %q"...).
Value string_interpolate(Thread& t, std::string_view format, const Value& x);

// "...".format(*args, **kwargs); errors are prefixed "format: ".
std::string format_fields(Thread& t, std::string_view format, const Args& args);

}  // namespace faultbox::star
