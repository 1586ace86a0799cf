// Scanner + parser entry points (starlark-go's grammar). Both stop at the
// first error and throw SourceErrors with starlark-go's wording
// ("got X, want Y", "unexpected unindent", "invalid escape sequence \q").
#pragma once

#include <memory>
#include <string>

#include "spec/syntax/Ast.h"
#include "spec/syntax/SourceError.h"

namespace faultbox::star {

// Parses a whole file. The returned File owns its nodes; File::source holds `source`.
std::shared_ptr<File> parse_file(const std::string& path, std::string source);

// Parses a single expression (for `faultbox` tools and tests); the File's
// stmts hold one ExprStmt.
std::shared_ptr<File> parse_expr(const std::string& path, std::string source);

}  // namespace faultbox::star
