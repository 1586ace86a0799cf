// Runs one test file of the suite in its mode and judges each chunk the way
// starlark-go's Go test for that file does.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tests/conformance/ChunkedFile.h"
#include "tests/conformance/Suite.h"

namespace faultbox::star::conformance {

struct ChunkResult {
  int first_line = 1;
  bool passed = false;
  std::vector<std::string> reasons;  // why it failed (empty when passed)
};

struct RunLimits {
  // Every loop iteration and call is a step; a chunk past this many is
  // cancelled (an evaluator bug must not hang the whole suite).
  uint64_t max_steps = 200'000'000;
};

// The chunks of a file as its mode splits it.
std::vector<Chunk> chunks_of(const TestFile& f);

// Checks that the interpreter under test really executes code and raises
// errors, so that a do-nothing evaluator cannot "pass" the many chunks whose
// only checks are assertions: runs a canary whose assertions must fail and
// whose division by zero must raise. Returns "" when sane, else why not.
std::string sanity_check(const RunLimits& limits);

// Runs every chunk of f, calling on_chunk after each one (in order).
void run_file(const TestFile& f, const RunLimits& limits,
              const std::function<void(const ChunkResult&)>& on_chunk);

}  // namespace faultbox::star::conformance
