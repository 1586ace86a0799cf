#include "tests/conformance/ExpectedFailures.h"

#include <fstream>
#include <stdexcept>

namespace faultbox::star::conformance {

namespace {

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

ExpectedFailures load_expected_failures(const std::string& path) {
  ExpectedFailures list;
  list.path = path;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read expected-failures list " + path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string why;
    if (size_t hash = line.find('#'); hash != std::string::npos) {
      why = trim(line.substr(hash + 1));
      line = line.substr(0, hash);
    }
    line = trim(line);
    if (line.empty()) continue;
    size_t colon = line.rfind(':');
    bool ok = colon != std::string::npos && colon + 1 < line.size();
    for (size_t i = colon + 1; ok && i < line.size(); ++i) ok = line[i] >= '0' && line[i] <= '9';
    if (!ok)
      throw std::runtime_error(path + ":" + std::to_string(n) + ": want FILE:LINE  # why, got: " + line);
    if (why.empty())
      throw std::runtime_error(path + ":" + std::to_string(n) + ": entry " + line +
                               " has no justification (add '# why' after it)");
    list.why[line] = why;
  }
  return list;
}

}  // namespace faultbox::star::conformance
