// The commands faultbox can run today. Each returns its exit code
// (ExitCodes.h) and writes its own output.
#pragma once

#include <string>

namespace faultbox::cli {

// faultbox starlark FILE
int run_starlark(const std::string& file);

// faultbox check SPEC
int run_check(const std::string& spec);

}  // namespace faultbox::cli
