// The result of one run of one test (one seed), as `faultbox test` collects
// it for the terminal and for --junit / --json. Plain data, so the report
// writers depend on neither the engine nor the interpreter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faultbox::cli {

// One fault rule of a fault() application that ended during the run.
struct FaultHit {
  std::string name;     // the label, or what the rule says: `write=deny("ENOSPC")`
  std::string label;    // "" when the rule has none
  std::string syscall;  // the rule's key as written: "write", "connect"
  std::string target;   // the service
  uint64_t hits = 0;
  uint64_t cut_connections = 0;
  bool never_fired = false;
  std::string summary;  // the terminal's line: `disk full: 1 hit`
};

struct TestFailure {
  // "assertion" (assert_*, fail()), "error" (any other Starlark or engine
  // error), "service" (a service did not start or its healthcheck failed):
  // CI tools show an assertion differently from a broken test.
  std::string kind = "error";
  std::string message;   // one line: the assertion's message, or the cause
  std::string location;  // "spec.star:12:9" (innermost Starlark frame); "" when none
  std::string details;   // the full rendering the terminal shows (excerpt, backtrace, log tail)
};

struct TestRunResult {
  std::string test;      // "test_checkout_when_redis_down"
  int run_index = 0;     // 0..runs-1
  uint64_t seed = 0;
  bool passed = false;
  int64_t duration_ms = 0;
  std::optional<TestFailure> failure;  // set exactly when !passed
  std::vector<FaultHit> faults;        // in the order their applications ended
  std::string schedule;  // "random" (serialized, seeded) or "free"
  uint64_t decisions = 0;  // serialized decisions taken
  std::string trace;     // the trace file's path; "" when none was written
};

// What the report writers need besides the runs.
struct TestSuiteResult {
  std::string spec;  // the spec's path as given on the command line
  std::vector<TestRunResult> runs;
  int64_t duration_ms = 0;

  int failures() const {
    int n = 0;
    for (const auto& r : runs) n += r.passed ? 0 : 1;
    return n;
  }
};

}  // namespace faultbox::cli
