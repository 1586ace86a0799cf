// Errors found before evaluation (scanner, parser, resolver), each at a
// position in a named file. The parser stops at its first error; the
// resolver reports every error of a file.
#pragma once

#include <exception>
#include <string>
#include <vector>

#include "spec/syntax/Ast.h"

namespace faultbox::star {

struct SourceError {
  std::string path;
  Pos pos;
  std::string msg;  // bare message, starlark-go's wording ("undefined: x")
  // "path:line:col: msg"
  std::string str() const;
};

// Thrown by parse_file and resolve_file. `source` is the file's text (for
// quoting lines in rendered messages).
class SourceErrors : public std::exception {
 public:
  SourceErrors(std::vector<SourceError> errors, std::string source)
      : errors_(std::move(errors)), source_(std::move(source)) {
    what_ = errors_.empty() ? "source error" : errors_.front().str();
  }
  const std::vector<SourceError>& errors() const { return errors_; }
  const std::string& source() const { return source_; }
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  std::vector<SourceError> errors_;
  std::string source_;
  std::string what_;
};

}  // namespace faultbox::star
