// Errors of the engine: environment problems (exit code 3: a missing binary,
// a kernel feature, a busy port) versus faults in a run. Each carries a
// one-line cause; the service's log tail is attached by the caller that has it.
#pragma once

#include <stdexcept>
#include <string>

namespace faultbox::engine {

class EnvironmentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// errno text helper: "what: strerror(errno)".
std::string errno_message(const std::string& what, int err);

}  // namespace faultbox::engine
