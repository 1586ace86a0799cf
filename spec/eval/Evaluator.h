// The tree-walking evaluator's internals (private to spec/eval): one Env per
// running Starlark function (the toplevel included), expression evaluation,
// statement execution, assignment and calls. The public entry points are
// FunctionObj::call, call_value (Ops.h) and Interpreter::exec.
//
// Positions: before any operation that can fail, the evaluator stores the
// operation's position in the function's Frame (Thread::frames().back());
// FunctionObj::call snapshots the stack into the EvalError when the error
// leaves the function, so the backtrace shows where each frame was.
// Control flow (break/continue/return) is returned as a Flow value, never
// thrown.
#pragma once

#include <vector>

#include "spec/eval/Function.h"
#include "spec/eval/Thread.h"
#include "spec/eval/Value.h"
#include "spec/syntax/Ast.h"

namespace faultbox::star {

struct Env {
  Thread& t;
  FunctionObj* fn;   // the running function (the toplevel is one too)
  ModuleObj* module;
  Value* locals;     // fn's locals, parameters first
  const Value* constants;
  Value result;      // set by `return`

  void set_pos(Pos p) { t.frames().back().pos = p; }
};

enum class Flow { Normal, Break, Continue, Return };

// Expressions (Eval.cpp). eval() handles the commonest leaves (an assigned
// local, a constant) inline and leaves the rest to eval_node().
Value eval_node(Env& env, const Expr* e);
inline Value eval(Env& env, const Expr* e) {
  if (e->kind == NodeKind::Ident) {
    const Binding* b = static_cast<const Ident*>(e)->binding;
    if (b->scope == Scope::Local) {
      const Value& v = env.locals[b->index];
      if (!v.is_absent()) return v;
    }
  } else if (e->kind == NodeKind::Literal) {
    return env.constants[static_cast<const Literal*>(e)->index];
  }
  return eval_node(env, e);
}
// truth(eval(e)), without making the bool of a comparison or `not`.
bool eval_truth(Env& env, const Expr* e);
// A def or lambda: defaults evaluated now, free variables captured.
Value make_closure(Env& env, const Function* fn);

// Statements (Exec.cpp).
Flow exec_block(Env& env, const std::vector<Stmt*>& stmts);
// Runs fn's body with its locals already bound (cells not yet made).
Value run_function(Thread& t, FunctionObj* fn, Value* locals);

// Assignment (Assign.cpp). `pos` is where unpacking errors are reported.
void assign(Env& env, const Expr* target, Value v, Pos pos);
void exec_assign(Env& env, const AssignStmt* s);

// Calls (Call.cpp).
Value eval_call(Env& env, const CallExpr* call);

// "local variable x referenced before assignment" etc. at `pos`.
[[noreturn]] void throw_at(Env& env, Pos pos, std::string msg);

}  // namespace faultbox::star
