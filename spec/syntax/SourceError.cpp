#include "spec/syntax/SourceError.h"

namespace faultbox::star {

std::string SourceError::str() const {
  // starlark-go's Position.String: "file:line:col", "file:line" without a
  // column, just the file without a line.
  std::string s = path;
  if (pos.line > 0) {
    s += ':';
    s += std::to_string(pos.line);
    if (pos.col > 0) {
      s += ':';
      s += std::to_string(pos.col);
    }
  }
  s += ": ";
  s += msg;
  return s;
}

}  // namespace faultbox::star
