// The Faultbox vocabulary: the predeclared names of a spec (DESIGN.md §2).
//
//   service(name, [binary], *interfaces, image=, args=[], env={}, depends_on=[], healthcheck=, cwd=)
//   interface(name, protocol, port)
//   http("host:port/path", timeout=)    tcp("host:port", timeout=)
//   deny(errno, label=, times=, nth=, after=, probability=, on=, path=)
//   delay(duration, label=, times=, nth=, after=, probability=, on=, path=)
//   fault(target, <syscall or family>=rule, ..., run=fn, direction=)
//   parallel(f1, f2, ...)
//   assert_true(cond, msg=)   assert_eq(a, b, msg=)   assert_ne(a, b, msg=)
//   struct(**fields), json (encode, decode, indent)
//
// Every other builtin of the Go Faultbox is predeclared too, and fails with
// "not supported: NAME" when used: a spec written for the Go tool never
// runs with part of it silently ignored.
#pragma once

#include <span>
#include <string_view>

#include "spec/eval/Error.h"
#include "spec/eval/Interpreter.h"

namespace faultbox::star {

// A failed assert_true/assert_eq/assert_ne: the test failed (exit 1), as
// opposed to any other error, which is a spec error (exit 2).
class AssertionFailure : public EvalError {
 public:
  using EvalError::EvalError;
};

// A misuse of the vocabulary found while a test runs (an unknown errno, a
// rule on a syscall seccomp cannot see, a bad argument): the spec is wrong,
// so `faultbox test` exits 2, as for errors found while the spec loads.
class SpecError : public EvalError {
 public:
  using EvalError::EvalError;
};

// The predeclared names every spec (and every file it loads) sees.
StringDict vocabulary_predeclared();

// The Go Faultbox builtins this implementation does not provide.
std::span<const std::string_view> unsupported_builtin_names();

}  // namespace faultbox::star
