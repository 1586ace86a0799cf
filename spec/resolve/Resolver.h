// The static resolver: binds every identifier to a Scope and slot, computes
// each function's locals and free variables, and checks the dialect rules.
// It reports *all* errors of a file at once, in source order, in
// starlark-go's wording, with "did you mean" suggestions for undefined names.
#pragma once

#include <functional>
#include <string_view>

#include "spec/syntax/Ast.h"
#include "spec/syntax/SourceError.h"

namespace faultbox::star {

struct ResolveEnv {
  Dialect dialect;
  std::function<bool(std::string_view)> is_predeclared;  // module-specific names (assert, service...)
  std::function<bool(std::string_view)> is_universal;    // len, range, ...
  // All names that could be meant, for "did you mean" (predeclared + universal).
  std::function<void(std::vector<std::string>&)> candidate_names;
};

// Throws SourceErrors with every error found.
void resolve_file(File& file, const ResolveEnv& env);

}  // namespace faultbox::star
