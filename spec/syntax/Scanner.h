// The Starlark lexer: turns source text into tokens with starlark-go's rules
// (INDENT/OUTDENT with tab stops of 8, implicit line joining inside brackets,
// backslash continuation, every literal form) and its error messages. It
// stops at the first error by throwing SourceErrors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "spec/syntax/Ast.h"
#include "spec/syntax/SourceError.h"
#include "spec/syntax/Token.h"

namespace faultbox::star {

// What the scanner knows of the token it returned.
struct TokenValue {
  Pos pos;          // start of the token
  std::string raw;  // its text (newlines in string literals normalized to '\n')
  // Int
  bool int_fits = true;
  int64_t int_value = 0;
  std::string int_decimal;  // when !int_fits: decimal digits
  // Float
  double float_value = 0;
  // String, Bytes: the decoded value
  std::string str;
};

class Scanner {
 public:
  // `source` must outlive the scanner; `path` names it in errors.
  Scanner(std::string_view path, std::string_view source);

  // Scans the next token into `val` and returns its kind. After Eof, keeps
  // returning Eof.
  Token next(TokenValue& val);

  // Where the scanner stands: just past the last token returned. The parser
  // reports most errors here, as starlark-go does.
  Pos pos() const { return pos_; }

  [[noreturn]] void error(Pos pos, std::string msg) const;

 private:
  char32_t peek() const;
  char32_t read();
  bool at_eof() const { return off_ >= src_.size(); }

  Token scan_string(TokenValue& val, size_t token_start, char32_t quote);
  Token scan_number(TokenValue& val, size_t token_start, char32_t c);
  void parse_int(TokenValue& val, Pos start);

  std::string_view path_;
  std::string_view src_;
  size_t off_ = 0;
  Pos pos_{1, 1};
  int depth_ = 0;               // nesting of () [] {}
  std::vector<int> indents_{0};  // stack of indentation levels
  int dents_ = 0;               // pending INDENT (>0) or OUTDENT (<0) tokens
  bool line_start_ = true;      // at the start of a line: measure indentation
};

}  // namespace faultbox::star
