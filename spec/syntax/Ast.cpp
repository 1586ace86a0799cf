#include "spec/syntax/Ast.h"

namespace faultbox::star {

std::string_view File::line_text(int32_t line) const {
  if (line < 1) return {};
  // Lines end at "\n", "\r\n" or a lone "\r", as the scanner counts them.
  const std::string_view src(source);
  size_t begin = 0;
  for (int32_t n = 1; n < line; ++n) {
    size_t eol = src.find_first_of("\r\n", begin);
    if (eol == std::string_view::npos) return {};
    begin = eol + 1;
    if (src[eol] == '\r' && begin < src.size() && src[begin] == '\n') ++begin;
  }
  if (begin > src.size()) return {};
  size_t end = src.find_first_of("\r\n", begin);
  if (end == std::string_view::npos) end = src.size();
  return src.substr(begin, end - begin);
}

}  // namespace faultbox::star
