// JSON syntax as Go's encoding/json scanner sees it, byte by byte, with its
// error texts ("invalid character 'x' looking for beginning of value",
// "unexpected end of JSON input"). starlark-go's json.indent is Go's
// json.Indent and json.decode leans on Go's string unquoting, so their
// errors are this scanner's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultbox::star::json_syntax {

// What a byte means to the scanner.
enum class Op : uint8_t {
  Continue,       // inside a literal, string or number
  BeginLiteral,   // first byte of a string, number, true/false/null
  BeginObject,    // {
  ObjectKey,      // the ':' after a key
  ObjectValue,    // the ',' after a key:value pair
  EndObject,      // }
  BeginArray,     // [
  ArrayValue,     // the ',' after an element
  EndArray,       // ]
  SkipSpace,      // insignificant white space
  End,            // white space after the top-level value
  Error,
};

class Scanner {
 public:
  Scanner();
  // Feeds one byte.
  Op step(unsigned char c);
  // Call at the end of the input: returns the error, if the input was not
  // one complete value.
  std::optional<std::string> finish();
  const std::string& error() const { return error_; }

 private:
  enum class State : uint8_t;
  enum class Parse : uint8_t { ObjectKey, ObjectValue, ArrayValue };

  Op begin_value(unsigned char c);
  Op begin_value_or_empty(unsigned char c);
  Op begin_string_or_empty(unsigned char c);
  Op begin_string(unsigned char c);
  Op end_value(unsigned char c);
  Op end_top(unsigned char c);
  Op after_zero(unsigned char c);
  Op exponent_sign(unsigned char c);
  Op literal(unsigned char c, std::string_view word);
  Op fail(unsigned char c, std::string_view context);
  Op pop();

  State state_;
  std::vector<Parse> stack_;
  std::string error_;
  bool end_top_ = false;
  int hex_left_ = 0;       // \uXXXX digits still expected
  uint8_t literal_pos_ = 0;  // next expected letter of true/false/null
  std::string_view word_;
};

// Go's quoteChar: a byte as a single-quoted Go character literal ('x',
// '\'', '\n', '\x01', '\u0080').
std::string quote_char(unsigned char c);

// Go's json.Indent. Throws nothing; returns the scanner error instead.
std::optional<std::string> indent(std::string_view src, std::string_view prefix,
                                  std::string_view indent_unit, std::string& out);

}  // namespace faultbox::star::json_syntax
