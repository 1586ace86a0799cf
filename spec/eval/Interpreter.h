// The interpreter as a whole: a Heap, the universe of builtins, and the
// entry points that take a file from text to an executed module. A host
// (the conformance harness, `faultbox starlark`, the Faultbox spec loader)
// makes one Interpreter, one Thread per flow of evaluation, and passes its
// own predeclared names.
//
// Member order matters: the heap is declared first so it is destroyed last,
// after every Value the interpreter holds.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/eval/Error.h"
#include "spec/eval/Function.h"
#include "spec/eval/Heap.h"
#include "spec/eval/Thread.h"
#include "spec/syntax/Ast.h"
#include "spec/syntax/SourceError.h"

namespace faultbox::star {

using StringDict = std::vector<std::pair<std::string, Value>>;

// Fills `out` with every universal builtin (None, True, False, len, range,
// dict, ...). Library.cpp.
void make_universe(Heap& heap, StringDict& out);

class Interpreter {
 public:
  Interpreter();
  ~Interpreter();
  Heap& heap() { return heap_; }
  const StringDict& universe() const { return universe_; }
  // Universal builtin by name, or absent.
  Value universal(std::string_view name) const;

  // Parse + resolve + build constants. Throws SourceErrors.
  std::shared_ptr<Program> compile(const std::string& path, std::string source,
                                   const Dialect& dialect, const StringDict& predeclared);

  // Runs a compiled program's toplevel as a new module; freezes the module's
  // globals afterwards. Returns the ModuleObj. Throws EvalError.
  Value exec(Thread& t, const std::shared_ptr<Program>& program, const StringDict& predeclared,
             const std::string& module_name);

  // compile + exec.
  Value exec_file(Thread& t, const std::string& path, std::string source, const Dialect& dialect,
                  const StringDict& predeclared);

 private:
  Heap heap_;
  StringDict universe_;
};

}  // namespace faultbox::star
