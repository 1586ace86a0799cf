// Parsing a float the way Go's strconv.ParseFloat accepts it, which
// float(string) and json.decode inherit from starlark-go: an optional sign,
// then decimal digits with an optional point and exponent, or a 0x
// hexadecimal mantissa with a mandatory p exponent (underscores only after a
// base prefix). No surrounding spaces; no inf/nan (callers handle those).
#pragma once

#include <string_view>

namespace faultbox::star {

struct ParsedFloat {
  enum class Status { Ok, Syntax, TooLarge } status = Status::Syntax;
  double value = 0;  // correctly rounded; underflow gives 0 or a denormal
};

ParsedFloat parse_go_float(std::string_view s);

}  // namespace faultbox::star
