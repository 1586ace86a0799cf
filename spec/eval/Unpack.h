// Argument unpacking for native functions, with starlark-go's messages
// ("len: got 2 arguments, want 1", "split: unexpected keyword argument x",
// "int: for parameter base: got string, want int"...).
//
//   Value x; int64_t n = -1; std::string sep;
//   unpack_args("split", args, {{"sep?", &sep}, {"maxsplit?", &n}});
//
// A name ending in '?' is optional (its output keeps its initial value); '??'
// is optional and treats a None argument as absent. All parameters accept
// positional or keyword arguments; unpack_positional takes positional only.
// Messages are starlark-go's UnpackArgs wording: "f: got 3 arguments, want at
// most 2", "f: missing argument for x", "f: unexpected keyword argument y",
// "f: got multiple values for keyword argument x", "f: for parameter x: got
// string, want int" ("for parameter 2" in unpack_positional).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "spec/eval/Value.h"

namespace faultbox::star {

struct Param_ {
  std::string_view name;
  // Value*: any value (a None argument stays None). int64_t*: an int that fits
  // ("N out of range (want value in signed 64-bit range)"). std::string*: a
  // string. bool*: a bool ("got int, want bool", as starlark-go: use Value*
  // for truth). double*: int or float.
  std::variant<Value*, int64_t*, std::string*, bool*, double*> out;
};

void unpack_args(std::string_view fn, const Args& args, std::initializer_list<Param_> params);
// Only positional arguments (no keywords allowed): at least `min` of params.
void unpack_positional(std::string_view fn, const Args& args, size_t min,
                       std::initializer_list<Param_> params);
// Rejects any argument: "fn: got N arguments, want 0".
void unpack_none(std::string_view fn, const Args& args);

}  // namespace faultbox::star
