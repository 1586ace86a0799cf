// A loaded spec: its interpreter, its evaluated top level, the Topology it
// declared and the tests it defines. Loading evaluates the top level once
// (Dialect::spec(): set, while, recursion and top-level if/for on) with the
// vocabulary predeclared; load("other.star", ...) reads files relative to
// the loading file, with the same vocabulary, each once.
//
//   CheckHost host;
//   auto spec = Spec::load("examples/shop/faultbox.star", host);  // throws SourceErrors / EvalError
//   for (const TestSpec& t : spec->topology().tests) ...
//   auto thread = spec->new_thread("test");
//   spec->run_test(*thread, "test_checkout_when_redis_down");
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "spec/eval/Interpreter.h"
#include "spec/eval/Thread.h"
#include "spec/vocabulary/SpecContext.h"
#include "spec/vocabulary/SpecHost.h"
#include "spec/vocabulary/Topology.h"

namespace faultbox::star {

class Spec {
 public:
  // Reads and evaluates the spec at `path`. Throws SourceErrors (syntax and
  // resolve errors), EvalError (runtime and vocabulary errors, with a
  // backtrace) or std::runtime_error (unreadable file).
  static std::unique_ptr<Spec> load(const std::string& path, SpecHost& host);
  // The same for text already in memory.
  static std::unique_ptr<Spec> load_source(const std::string& path, std::string source, SpecHost& host);

  ~Spec();
  Spec(const Spec&) = delete;
  Spec& operator=(const Spec&) = delete;

  const Topology& topology() const { return context_.topology; }
  const std::string& path() const { return path_; }
  Interpreter& interpreter() { return interpreter_; }
  // The spec's module (its globals).
  const Value& module() const { return module_; }

  // A Thread for one fiber of this spec: it reaches the host, prints
  // through print_, and loads relative to the spec. Name it after its actor
  // ("test", "test/1").
  std::unique_ptr<Thread> new_thread(const std::string& name);

  // Calls the test function `name` (one of topology().tests) with no
  // arguments on `t`. Throws EvalError (AssertionFailure for a failed
  // assertion) like any Starlark call.
  Value run_test(Thread& t, const std::string& name);

  // Where print() output goes; default: stdout, one line per call.
  void set_print(std::function<void(Thread&, std::string_view)> print) { print_ = std::move(print); }

 private:
  Spec(std::string path, SpecHost& host);
  void evaluate(std::string source);
  Value load_module(Thread& t, std::string_view module, const std::string& from);
  void validate();

  // Declared first: destroyed last, after every Value below.
  Interpreter interpreter_;
  std::string path_;
  SpecContext context_;
  StringDict predeclared_;
  Value module_;
  std::map<std::string, Value> loaded_;  // path -> module (None while loading: a cycle)
  std::function<void(Thread&, std::string_view)> print_;
};

}  // namespace faultbox::star
