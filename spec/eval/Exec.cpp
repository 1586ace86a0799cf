// Statement execution. Loops count one step per iteration (the step budget of
// bounded evaluation); break/continue/return travel back as a Flow value.
#include <memory>
#include <string>
#include <utility>

#include "spec/eval/Evaluator.h"
#include "spec/eval/Ops.h"
#include "spec/syntax/SourceError.h"

namespace faultbox::star {

namespace {

// The value named `name` in a loaded module, or absent.
Value module_member(Thread& t, const Value& module, const std::string& name) {
  if (module.is(ObjKind::Module)) return module.as<ModuleObj>()->global(name);
  if (module.is_obj()) return module.obj()->attr(t, name);
  return Value::absent();
}

std::vector<std::string> module_member_names(const Value& module) {
  if (module.is_obj()) return module.obj()->attr_names();
  return {};
}

Flow exec_load(Env& env, const LoadStmt* s) {
  Thread& t = env.t;
  env.set_pos(s->pos);
  const std::string& name = s->module->str_value;
  if (!t.load) throw EvalError("load not implemented by this application");
  Value module;
  try {
    module = t.load(t, name, env.fn->program().file->path);
  } catch (const CancelledError&) {
    throw;
  } catch (const EvalError& e) {
    // Like starlark-go, the loaded file's own backtrace is not kept: the
    // error is reported at this load statement.
    env.set_pos(s->pos);
    throw EvalError("cannot load " + name + ": " + e.msg());
  } catch (const SourceErrors& e) {
    env.set_pos(s->pos);
    throw EvalError("cannot load " + name + ": " + e.what());
  }
  env.set_pos(s->pos);
  for (size_t i = 0; i < s->from.size(); ++i) {
    const std::string& from = s->from[i]->name;
    Value v = module_member(t, module, from);
    if (v.is_absent()) {
      std::string msg = "load: name " + from + " not found in module " + name;
      std::string near = nearest_attr_name(from, module_member_names(module));
      if (!near.empty()) msg += " (did you mean " + near + "?)";
      throw EvalError(std::move(msg));
    }
    assign(env, s->to[i], std::move(v), s->pos);
  }
  return Flow::Normal;
}

Flow exec_for(Env& env, const ForStmt* s) {
  Value seq = eval(env, s->x);
  env.set_pos(s->pos);
  std::unique_ptr<Iterator> it = iterate(env.t, seq);
  if (!it) throw EvalError(std::string(type_name(seq)) + " value is not iterable");
  Value elem;
  while (it->next(elem)) {
    env.t.add_step();
    assign(env, s->vars, std::move(elem), s->pos);
    switch (exec_block(env, s->body)) {
      case Flow::Break: return Flow::Normal;
      case Flow::Return: return Flow::Return;
      default: break;
    }
  }
  return Flow::Normal;
}

Flow exec_while(Env& env, const WhileStmt* s) {
  for (;;) {
    env.t.add_step();
    if (!eval_truth(env, s->cond)) return Flow::Normal;
    switch (exec_block(env, s->body)) {
      case Flow::Break: return Flow::Normal;
      case Flow::Return: return Flow::Return;
      default: break;
    }
  }
}

inline Flow exec_stmt(Env& env, const Stmt* s) {
  switch (s->kind) {
    case NodeKind::ExprStmt:
      eval(env, static_cast<const ExprStmt*>(s)->x);
      return Flow::Normal;
    case NodeKind::AssignStmt:
      exec_assign(env, static_cast<const AssignStmt*>(s));
      return Flow::Normal;
    case NodeKind::ReturnStmt: {
      auto* r = static_cast<const ReturnStmt*>(s);
      env.result = r->result ? eval(env, r->result) : Value::none();
      return Flow::Return;
    }
    case NodeKind::IfStmt: {
      auto* i = static_cast<const IfStmt*>(s);
      return exec_block(env, eval_truth(env, i->cond) ? i->then_ : i->else_);
    }
    case NodeKind::ForStmt:
      return exec_for(env, static_cast<const ForStmt*>(s));
    case NodeKind::WhileStmt:
      return exec_while(env, static_cast<const WhileStmt*>(s));
    case NodeKind::DefStmt: {
      auto* d = static_cast<const DefStmt*>(s);
      assign(env, d->name, make_closure(env, d->fn), d->pos);
      return Flow::Normal;
    }
    case NodeKind::BranchStmt:
      switch (static_cast<const BranchStmt*>(s)->token) {
        case Token::Break: return Flow::Break;
        case Token::Continue: return Flow::Continue;
        default: return Flow::Normal;
      }
    case NodeKind::LoadStmt:
      return exec_load(env, static_cast<const LoadStmt*>(s));
    default:
      break;
  }
  throw_at(env, s->pos, "internal error: unexpected statement");
}

}  // namespace

Flow exec_block(Env& env, const std::vector<Stmt*>& stmts) {
  for (const Stmt* s : stmts) {
    Flow f = exec_stmt(env, s);
    if (f != Flow::Normal) return f;
  }
  return Flow::Normal;
}

Value run_function(Thread& t, FunctionObj* fn, Value* locals) {
  // Locals captured by nested functions live in cells, made on entry (a
  // parameter's value moves into its cell).
  for (int32_t slot : fn->info().cell_slots) {
    auto* cell = new CellObj(t.heap());
    cell->v = std::move(locals[slot]);
    locals[slot] = Value(cell);
  }
  Env env{t, fn, fn->module(), locals, fn->program().constants.data(), Value()};
  if (exec_block(env, *fn->info().body) == Flow::Return) return std::move(env.result);
  return Value::none();
}

}  // namespace faultbox::star
