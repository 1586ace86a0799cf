// The expected-failures list: chunks known to fail, one per line as
//   starlark/testdata/string.star:123  # why it fails
// ('#' starts the justification; blank lines and comment-only lines are
// ignored). A chunk is named by its file (relative to the testdata root) and
// the line its chunk starts on.
#pragma once

#include <map>
#include <string>

namespace faultbox::star::conformance {

struct ExpectedFailures {
  std::string path;                         // where the list came from
  std::map<std::string, std::string> why;   // "rel:line" -> justification

  static std::string key(const std::string& rel, int line) { return rel + ":" + std::to_string(line); }
  bool contains(const std::string& rel, int line) const { return why.count(key(rel, line)) != 0; }
};

// Throws std::runtime_error on an unreadable file or a malformed line.
ExpectedFailures load_expected_failures(const std::string& path);

}  // namespace faultbox::star::conformance
