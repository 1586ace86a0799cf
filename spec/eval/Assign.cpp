// Assignment: to variables, x[k], x.f and (nested) tuple/list targets, and
// augmented assignment. As in starlark-go the right-hand side is evaluated
// first; `x[k] op= y` and `x.f op= y` evaluate x and k once; `list += iterable`
// extends the list in place.
#include <memory>
#include <string>
#include <utility>

#include "spec/eval/Evaluator.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"
#include "spec/eval/SmallVec.h"

namespace faultbox::star {

namespace {

const Expr* unparen(const Expr* e) {
  while (e->kind == NodeKind::ParenExpr) e = static_cast<const ParenExpr*>(e)->x;
  return e;
}

void assign_ident(Env& env, const Ident* id, Value v) {
  const Binding* b = id->binding;
  switch (b->scope) {
    case Scope::Local:
      env.locals[b->index] = std::move(v);
      return;
    case Scope::Cell:
      env.locals[b->index].as<CellObj>()->v = std::move(v);
      return;
    case Scope::Global:
      env.module->globals()[b->index] = std::move(v);
      return;
    case Scope::Free:
      env.fn->freevars()[b->index].as<CellObj>()->v = std::move(v);
      return;
    default:
      break;
  }
  throw_at(env, id->pos, "internal error: cannot assign to " + id->name);
}

std::string unpack_count(const char* what, int64_t got, size_t want) {
  return std::string(what) + " values to unpack (got " + std::to_string(got) + ", want " + std::to_string(want) +
         ")";
}

void unpack(Env& env, const std::vector<Expr*>& targets, const Value& v, Pos pos) {
  const size_t n = targets.size();
  SmallVec<Value, 8> elems;
  const std::vector<Value>* seq = nullptr;
  if (v.is(ObjKind::Tuple)) seq = &v.as<TupleObj>()->elems();
  if (v.is(ObjKind::List)) seq = &v.as<ListObj>()->elems();
  if (seq) {
    if (seq->size() != n) {
      env.set_pos(pos);
      throw EvalError(unpack_count(seq->size() > n ? "too many" : "too few", static_cast<int64_t>(seq->size()), n));
    }
    // Copied first: assigning the targets may change the list.
    for (const Value& x : *seq) elems.push_back(x);
  } else {
    env.set_pos(pos);
    std::unique_ptr<Iterator> it = iterate(env.t, v);
    if (!it) throw EvalError("got " + std::string(type_name(v)) + " in sequence assignment");
    Value x;
    while (elems.size() < n && it->next(x)) elems.push_back(std::move(x));
    if (elems.size() == n && it->next(x)) throw EvalError(unpack_count("too many", len(v), n));
    if (elems.size() < n) throw EvalError(unpack_count("too few", static_cast<int64_t>(elems.size()), n));
  }
  for (size_t i = 0; i < n; ++i) assign(env, targets[i], std::move(elems[i]), pos);
}

// x op y for an augmented assignment, reported at `pos`.
Value augmented(Env& env, Token op, const Value& x, const Value& y, Pos pos) {
  if (x.is_small_int() && y.is_small_int()) {
    int64_t z;
    if (op == Token::Plus && !__builtin_add_overflow(x.as_small_int(), y.as_small_int(), &z))
      return Value::from_int(z);
    if (op == Token::Minus && !__builtin_sub_overflow(x.as_small_int(), y.as_small_int(), &z))
      return Value::from_int(z);
  }
  env.set_pos(pos);
  if (op == Token::Plus && x.is(ObjKind::List)) {
    auto* list = x.as<ListObj>();
    if (y.is(ObjKind::List)) {
      list->check_mutable("apply += to");
      std::vector<Value> more = y.as<ListObj>()->elems();  // a copy: y may be x
      for (Value& e : more) list->elems().push_back(std::move(e));
      return x;
    }
    // Any other iterable extends the list too; a non-iterable y falls back
    // to list + y (which reports the error).
    if (std::unique_ptr<Iterator> it = iterate(env.t, y)) {
      list->check_mutable("apply += to");
      Value e;
      while (it->next(e)) list->elems().push_back(std::move(e));
      return x;
    }
  }
  return binary_op(env.t, op, x, y);
}

}  // namespace

void assign(Env& env, const Expr* target, Value v, Pos pos) {
  switch (target->kind) {
    case NodeKind::Ident:
      assign_ident(env, static_cast<const Ident*>(target), std::move(v));
      return;
    case NodeKind::ParenExpr:
      assign(env, static_cast<const ParenExpr*>(target)->x, std::move(v), pos);
      return;
    case NodeKind::TupleExpr:
      unpack(env, static_cast<const TupleExpr*>(target)->elems, v, pos);
      return;
    case NodeKind::ListExpr:
      unpack(env, static_cast<const ListExpr*>(target)->elems, v, pos);
      return;
    case NodeKind::IndexExpr: {
      auto* ix = static_cast<const IndexExpr*>(target);
      Value x = eval(env, ix->x);
      Value k = eval(env, ix->index);
      env.set_pos(ix->lbrack);
      set_index(env.t, x, k, v);
      return;
    }
    case NodeKind::DotExpr: {
      auto* d = static_cast<const DotExpr*>(target);
      Value x = eval(env, d->x);
      env.set_pos(d->dot);
      set_attr(env.t, x, d->name->name, v);
      return;
    }
    default:
      break;
  }
  throw_at(env, target->pos, "internal error: cannot assign to this expression");
}

void exec_assign(Env& env, const AssignStmt* s) {
  if (s->op == Token::Eq) {
    Value v = eval(env, s->rhs);
    assign(env, s->lhs, std::move(v), s->op_pos);
    return;
  }
  const Token op = augmented_op(s->op);
  const Expr* lhs = unparen(s->lhs);
  switch (lhs->kind) {
    case NodeKind::Ident: {
      Value x = eval(env, lhs);
      Value y = eval(env, s->rhs);
      assign_ident(env, static_cast<const Ident*>(lhs), augmented(env, op, x, y, s->op_pos));
      return;
    }
    case NodeKind::IndexExpr: {
      auto* ix = static_cast<const IndexExpr*>(lhs);
      Value obj = eval(env, ix->x);
      Value k = eval(env, ix->index);
      env.set_pos(ix->lbrack);
      Value x = get_index(env.t, obj, k);
      Value y = eval(env, s->rhs);
      Value z = augmented(env, op, x, y, s->op_pos);
      env.set_pos(ix->lbrack);
      set_index(env.t, obj, k, z);
      return;
    }
    case NodeKind::DotExpr: {
      auto* d = static_cast<const DotExpr*>(lhs);
      Value obj = eval(env, d->x);
      env.set_pos(d->dot);
      Value x = get_attr(env.t, obj, d->name->name);
      Value y = eval(env, s->rhs);
      Value z = augmented(env, op, x, y, s->op_pos);
      env.set_pos(d->dot);
      set_attr(env.t, obj, d->name->name, z);
      return;
    }
    default:
      break;
  }
  throw_at(env, s->pos, "internal error: invalid augmented assignment target");
}

}  // namespace faultbox::star
