#include "engine/OneLine.h"

#include <cctype>

namespace faultbox::engine {

std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::iscntrl(static_cast<unsigned char>(c)) || c == ' ') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace faultbox::engine
