// Text from elsewhere (a daemon's message, a tool's output, a shim's report)
// made fit for one line of faultbox's output: every run of control
// characters and spaces becomes one space, ends trimmed.
#pragma once

#include <string>
#include <string_view>

namespace faultbox::engine {

std::string one_line(std::string_view text);

}  // namespace faultbox::engine
