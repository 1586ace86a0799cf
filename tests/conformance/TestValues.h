// The values starlark-go's Go tests give their test files, written natively:
//  - the `assert` module of starlarktest/assert.star (eq ne true lt contains
//    fails fail) and its `freeze`, with the same messages. Assertion
//    failures do not stop the chunk: they are reported to the AssertReporter
//    found in Thread::host_data, at the innermost call site in the test file;
//  - eval_test.go's `hasfields()` (a value with settable fields) and
//    `fibonacci` (an infinite iterable);
//  - struct_test.go's `gensym(name)`, a symbol whose calls make "branded"
//    structs;
//  - bench_test.go's benchmark object passed to bench_* functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "spec/eval/Interpreter.h"

namespace faultbox::star::conformance {

// Where assertion failures go: one per failed assert call, with the line of
// its innermost frame in `filename`.
struct AssertReporter {
  std::string filename;
  struct Failure {
    int line;  // 0 when no frame of the test file is on the stack
    std::string msg;
  };
  std::vector<Failure> failures;

  // Records msg at the current call site of thread t.
  void report(Thread& t, std::string msg);
};

// The line of the innermost frame of `t` in `filename`, or 0.
int innermost_line_in(const Thread& t, const std::string& filename);

// Members of the module "assert.star" as load() sees them: `assert` and
// `freeze` (the underscore-named globals of assert.star are not exported).
StringDict assert_star_members(Heap& heap);

// eval_test.go's extra predeclared values.
Value make_hasfields_builtin();
Value make_fibonacci();
// struct_test.go's gensym builtin.
Value make_gensym_builtin();
// bench_test.go's benchmark object with b.n == n.
Value make_benchmark(int64_t n);

}  // namespace faultbox::star::conformance
