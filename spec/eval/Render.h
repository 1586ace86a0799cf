// Errors as users see them. A syntax/resolve error:
//
//   spec.star:3:1: undefined: servce (did you mean service?)
//     servce("api", "./api")
//     ^
//
// A runtime error: the same three lines at the innermost Starlark frame,
// then the backtrace in starlark-go's form (outermost call first; the last
// frame is where the error happened; when it happened inside a builtin,
// that builtin names the error instead of being listed):
//
//   spec.star:2:19: floored division by zero
//     def f(x): return 1//x
//                       ^
//   Traceback (most recent call last):
//     spec.star:4:2: in <toplevel>
//     spec.star:2:19: in f
//   Error: floored division by zero
//
// ("Error in fail: ..." when raised by the builtin fail.) A run of more than
// three identical frames (deep recursion) is cut short with
// "[previous line repeated N more times]".
#pragma once

#include <string>
#include <string_view>

#include "spec/eval/Error.h"
#include "spec/syntax/SourceError.h"

namespace faultbox::star {

// Every error of e, each followed by its source line and caret; no trailing newline.
std::string render_source_errors(const SourceErrors& e);

// Location, source line, caret (when the error happened in a Starlark
// frame), then the backtrace; no trailing newline.
std::string render_eval_error(const EvalError& e);

// starlark-go's EvalError.Backtrace(): "Traceback (most recent call
// last):\n  path:line:col: in name\n...Error[ in builtin]: msg".
std::string backtrace_text(const EvalError& e);

// The quoted line `pos.line` of `source` and a caret under `pos.col`, each
// line indented by two spaces and ending in '\n'; empty when the line does
// not exist. Tabs before the column are kept so the caret lines up.
std::string source_excerpt(std::string_view source, Pos pos);

}  // namespace faultbox::star
