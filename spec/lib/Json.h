// The json module (starlark-go's lib/json, formerly starlarkjson):
//   json.encode(x)                     compact JSON; dict keys sorted
//   json.decode(x[, default])          dicts, lists, ints (any size), floats
//   json.indent(s, *, prefix="", indent="\t")
// with starlark-go's results and error texts. The C++ entry points let
// hosts (e.g. an HTTP response's .json()) reuse the same codec.
#pragma once

#include <string>
#include <string_view>

#include "spec/eval/Value.h"

namespace faultbox::star {

// Throws EvalError with the bare reason ("cannot encode builtin_function_or_method
// as JSON", "in dict key \"x\": ..."); json.encode prefixes its name.
std::string json_encode(Thread& t, const Value& x);

// Throws EvalError("at offset N, <reason>") for malformed input; json.decode
// prefixes its name.
Value json_decode(Thread& t, std::string_view text);

// Go's json.Indent; throws EvalError with the scanner's reason.
std::string json_indent(std::string_view text, std::string_view prefix, std::string_view indent);

// The `json` module value.
Value make_json_module();

}  // namespace faultbox::star
