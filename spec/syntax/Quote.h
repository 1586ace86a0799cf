// Decoding the text of string and bytes literals with starlark-go's escape
// rules and error messages ("invalid escape sequence \q", "non-ASCII hex
// escape \xff (use \u00FF for the UTF-8 encoding of U+00FF)", ...).
#pragma once

#include <string>
#include <string_view>

namespace faultbox::star {

// Decodes `body`, the characters between the quotes of a literal (newlines
// already normalized to '\n'). `raw`: an r-prefixed literal (backslashes are
// kept). `is_bytes`: a b-prefixed literal (\x and octal escapes may denote
// any byte). On success stores the value in `out` and returns true; on
// failure stores starlark-go's message in `error` and returns false.
bool unquote_literal(std::string_view body, bool raw, bool is_bytes, std::string& out,
                     std::string& error);

}  // namespace faultbox::star
