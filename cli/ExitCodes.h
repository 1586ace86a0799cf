// Exit codes of every faultbox command (DESIGN.md §7).
#pragma once

namespace faultbox::cli {

enum ExitCode : int {
  kExitOk = 0,          // all passed
  kExitTestFailed = 1,  // a test failed (a failed healthcheck included); `starlark`: any Starlark error
  kExitUsage = 2,       // usage or spec error
  kExitEnvironment = 3, // missing binary, busy port, no Docker daemon, kernel feature, cannot intercept
  kExitDivergence = 4,  // replay diverged from the trace
};

}  // namespace faultbox::cli
