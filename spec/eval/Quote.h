// Starlark string and bytes literals as repr() prints them: double quotes,
// '"' and '\' backslashed, printable runes verbatim, \a \b \f \n \r \t \v,
// other control bytes and invalid UTF-8 bytes as \xNN, other non-printable
// runes as \uNNNN or \UNNNNNNNN (starlark-go's syntax.Quote, which matches
// Go's strconv.Quote for valid text).
#pragma once

#include <string>
#include <string_view>

namespace faultbox::star {

// Appends the quoted form of s; with `bytes`, a b"..." literal.
void append_quoted(std::string& out, std::string_view s, bool bytes = false);
std::string quote(std::string_view s, bool bytes = false);

}  // namespace faultbox::star
