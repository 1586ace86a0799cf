// Expression evaluation: a switch over the node kind, with inline fast paths
// for the small-int arithmetic and comparisons that dominate loops and
// recursion; everything else goes through Ops.h so semantics and messages
// live in one place.
#include <string>
#include <utility>
#include <vector>

#include "spec/eval/Dict.h"
#include "spec/eval/Evaluator.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"

namespace faultbox::star {

void throw_at(Env& env, Pos pos, std::string msg) {
  env.set_pos(pos);
  throw EvalError(std::move(msg));
}

namespace {

inline bool fast_truth(const Value& v) {
  switch (v.tag()) {
    case Value::Tag::Bool: return v.as_bool();
    case Value::Tag::None: return false;
    case Value::Tag::Int: return v.as_small_int() != 0;
    default: return truth(v);
  }
}

[[noreturn]] void unassigned(Env& env, const Ident* id, const char* what) {
  throw_at(env, id->pos, std::string(what) + " variable " + id->name + " referenced before assignment");
}

[[gnu::noinline]] Value lookup(Env& env, const Ident* id) {
  const Binding* b = id->binding;
  switch (b->scope) {
    case Scope::Local: {
      const Value& v = env.locals[b->index];
      if (v.is_absent()) unassigned(env, id, "local");
      return v;
    }
    case Scope::Cell: {
      const Value& v = env.locals[b->index].as<CellObj>()->v;
      if (v.is_absent()) unassigned(env, id, "local");
      return v;
    }
    case Scope::Free: {
      const Value& v = env.fn->freevars()[b->index].as<CellObj>()->v;
      if (v.is_absent()) unassigned(env, id, "local");
      return v;
    }
    case Scope::Global: {
      const Value& v = env.module->globals()[b->index];
      if (v.is_absent()) unassigned(env, id, "global");
      return v;
    }
    case Scope::Predeclared: {
      auto& pre = env.module->predeclared();
      if (static_cast<size_t>(b->index) < pre.size() && !pre[b->index].second.is_absent())
        return pre[b->index].second;
      throw_at(env, id->pos, "internal error: predeclared variable " + id->name + " is uninitialized");
    }
    case Scope::Universal: {
      auto& uni = env.module->universals();
      if (static_cast<size_t>(b->index) < uni.size() && !uni[b->index].is_absent()) return uni[b->index];
      throw_at(env, id->pos, "internal error: universal variable " + id->name + " is uninitialized");
    }
    case Scope::Undefined:
      break;
  }
  throw_at(env, id->pos, "undefined: " + id->name);
}

// x op y for two small ints, when the result is cheap and exact; false to
// take the general path (overflow, division, shifts...).
inline bool small_int_binary(Token op, int64_t x, int64_t y, Value& out) {
  int64_t z;
  switch (op) {
    case Token::Plus:
      if (__builtin_add_overflow(x, y, &z)) return false;
      out = Value::from_int(z);
      return true;
    case Token::Minus:
      if (__builtin_sub_overflow(x, y, &z)) return false;
      out = Value::from_int(z);
      return true;
    case Token::Star:
      if (__builtin_mul_overflow(x, y, &z)) return false;
      out = Value::from_int(z);
      return true;
    case Token::Percent:
      if (x < 0 || y <= 0) return false;
      out = Value::from_int(x % y);
      return true;
    case Token::SlashSlash:
      if (x < 0 || y <= 0) return false;
      out = Value::from_int(x / y);
      return true;
    case Token::Amp: out = Value::from_int(x & y); return true;
    case Token::Pipe: out = Value::from_int(x | y); return true;
    case Token::Circumflex: out = Value::from_int(x ^ y); return true;
    case Token::Lt: out = Value::boolean(x < y); return true;
    case Token::Le: out = Value::boolean(x <= y); return true;
    case Token::Gt: out = Value::boolean(x > y); return true;
    case Token::Ge: out = Value::boolean(x >= y); return true;
    case Token::Eql: out = Value::boolean(x == y); return true;
    case Token::Neq: out = Value::boolean(x != y); return true;
    default: return false;
  }
}

[[gnu::noinline]] Value eval_binary(Env& env, const BinaryExpr* b) {
  if (b->op == Token::And) {
    Value x = eval(env, b->x);
    if (!fast_truth(x)) return x;
    return eval(env, b->y);
  }
  if (b->op == Token::Or) {
    Value x = eval(env, b->x);
    if (fast_truth(x)) return x;
    return eval(env, b->y);
  }
  Value x = eval(env, b->x);
  Value y = eval(env, b->y);
  if (x.is_small_int() && y.is_small_int()) {
    Value z;
    if (small_int_binary(b->op, x.as_small_int(), y.as_small_int(), z)) return z;
  }
  env.set_pos(b->op_pos);
  switch (b->op) {
    case Token::Eql:
    case Token::Neq:
    case Token::Lt:
    case Token::Le:
    case Token::Gt:
    case Token::Ge:
      return Value::boolean(compare(env.t, b->op, x, y));
    case Token::NotIn:
      // starlark-go compiles `not in` as `in` then `not`: same errors as `in`.
      return Value::boolean(!truth(binary_op(env.t, Token::In, x, y)));
    default:
      return binary_op(env.t, b->op, x, y);
  }
}

[[gnu::noinline]] Value eval_unary(Env& env, const UnaryExpr* u) {
  Value x = eval(env, u->x);
  if (u->op == Token::Not) return Value::boolean(!fast_truth(x));
  if (u->op == Token::Minus && x.is_small_int() && x.as_small_int() != INT64_MIN)
    return Value::from_int(-x.as_small_int());
  env.set_pos(u->pos);
  return unary_op(env.t, u->op, x);
}

[[gnu::noinline]] Value eval_dict(Env& env, const DictExpr* d) {
  Value dict = make_dict(env.t.heap());
  HashTable& table = dict.as<DictObj>()->table();
  for (const DictEntry* entry : d->entries) {
    Value k = eval(env, entry->key);
    Value v = eval(env, entry->value);
    env.set_pos(entry->colon);
    if (!table.insert(env.t, k, v)) throw EvalError("duplicate key: " + repr(k));
  }
  return dict;
}

// One clause of a comprehension and, recursively, the ones after it.
void comprehension(Env& env, const Comprehension* c, size_t i, const Value& acc) {
  if (i == c->clauses.size()) {
    if (c->curly) {
      auto* entry = static_cast<const DictEntry*>(c->body);
      Value k = eval(env, entry->key);
      Value v = eval(env, entry->value);
      env.set_pos(entry->colon);
      acc.as<DictObj>()->table().insert(env.t, k, v);
    } else {
      Value v = eval(env, c->body);
      acc.as<ListObj>()->elems().push_back(std::move(v));
    }
    return;
  }
  const ComprehensionClause& clause = c->clauses[i];
  if (clause.kind == ComprehensionClause::Kind::If) {
    if (eval_truth(env, clause.x)) comprehension(env, c, i + 1, acc);
    return;
  }
  Value seq = eval(env, clause.x);
  env.set_pos(clause.pos);
  std::unique_ptr<Iterator> it = iterate(env.t, seq);
  if (!it) throw EvalError(std::string(type_name(seq)) + " value is not iterable");
  Value elem;
  while (it->next(elem)) {
    env.t.add_step();
    assign(env, clause.vars, std::move(elem), clause.pos);
    comprehension(env, c, i + 1, acc);
  }
}

[[gnu::noinline]] Value eval_slice(Env& env, const SliceExpr* s) {
  Value x = eval(env, s->x);
  Value lo = s->lo ? eval(env, s->lo) : Value::none();
  Value hi = s->hi ? eval(env, s->hi) : Value::none();
  Value step = s->step ? eval(env, s->step) : Value::none();
  env.set_pos(s->lbrack);
  return slice(env.t, x, lo, hi, step);
}

[[gnu::noinline]] Value eval_cond(Env& env, const CondExpr* c) {
  return eval_truth(env, c->cond) ? eval(env, c->then_) : eval(env, c->else_);
}

[[gnu::noinline]] Value eval_dot(Env& env, const DotExpr* d) {
  Value x = eval(env, d->x);
  env.set_pos(d->dot);
  return get_attr(env.t, x, d->name->name);
}

[[gnu::noinline]] Value eval_index(Env& env, const IndexExpr* ix) {
  Value x = eval(env, ix->x);
  Value k = eval(env, ix->index);
  env.set_pos(ix->lbrack);
  return get_index(env.t, x, k);
}

[[gnu::noinline]] Value eval_list(Env& env, const ListExpr* l) {
  std::vector<Value> elems;
  elems.reserve(l->elems.size());
  for (const Expr* x : l->elems) elems.push_back(eval(env, x));
  return make_list(env.t.heap(), std::move(elems));
}

[[gnu::noinline]] Value eval_tuple(Env& env, const TupleExpr* tu) {
  std::vector<Value> elems;
  elems.reserve(tu->elems.size());
  for (const Expr* x : tu->elems) elems.push_back(eval(env, x));
  return make_tuple(std::move(elems));
}

[[gnu::noinline]] Value eval_comprehension(Env& env, const Comprehension* c) {
  Value acc = c->curly ? make_dict(env.t.heap()) : make_list(env.t.heap());
  comprehension(env, c, 0, acc);
  return acc;
}

}  // namespace

// A thin dispatcher: each kind's work lives in its own function, so this one
// stays small and cheap to enter (it runs for every non-leaf expression).
Value eval_node(Env& env, const Expr* e) {
  switch (e->kind) {
    case NodeKind::Ident:
      return lookup(env, static_cast<const Ident*>(e));
    case NodeKind::Literal:
      return env.constants[static_cast<const Literal*>(e)->index];
    case NodeKind::ParenExpr:
      return eval(env, static_cast<const ParenExpr*>(e)->x);
    case NodeKind::BinaryExpr:
      return eval_binary(env, static_cast<const BinaryExpr*>(e));
    case NodeKind::CallExpr:
      return eval_call(env, static_cast<const CallExpr*>(e));
    case NodeKind::UnaryExpr:
      return eval_unary(env, static_cast<const UnaryExpr*>(e));
    case NodeKind::CondExpr:
      return eval_cond(env, static_cast<const CondExpr*>(e));
    case NodeKind::DotExpr:
      return eval_dot(env, static_cast<const DotExpr*>(e));
    case NodeKind::IndexExpr:
      return eval_index(env, static_cast<const IndexExpr*>(e));
    case NodeKind::SliceExpr:
      return eval_slice(env, static_cast<const SliceExpr*>(e));
    case NodeKind::ListExpr:
      return eval_list(env, static_cast<const ListExpr*>(e));
    case NodeKind::TupleExpr:
      return eval_tuple(env, static_cast<const TupleExpr*>(e));
    case NodeKind::DictExpr:
      return eval_dict(env, static_cast<const DictExpr*>(e));
    case NodeKind::Comprehension:
      return eval_comprehension(env, static_cast<const Comprehension*>(e));
    case NodeKind::LambdaExpr:
      return make_closure(env, static_cast<const LambdaExpr*>(e)->fn);
    default:
      break;
  }
  throw_at(env, e->pos, "internal error: unexpected expression");
}

bool eval_truth(Env& env, const Expr* e) {
  if (e->kind == NodeKind::BinaryExpr) {
    auto* b = static_cast<const BinaryExpr*>(e);
    switch (b->op) {
      case Token::And:
        return eval_truth(env, b->x) && eval_truth(env, b->y);
      case Token::Or:
        return eval_truth(env, b->x) || eval_truth(env, b->y);
      case Token::Eql:
      case Token::Neq:
      case Token::Lt:
      case Token::Le:
      case Token::Gt:
      case Token::Ge: {
        Value x = eval(env, b->x);
        Value y = eval(env, b->y);
        if (x.is_small_int() && y.is_small_int()) {
          const int64_t i = x.as_small_int(), j = y.as_small_int();
          switch (b->op) {
            case Token::Eql: return i == j;
            case Token::Neq: return i != j;
            case Token::Lt: return i < j;
            case Token::Le: return i <= j;
            case Token::Gt: return i > j;
            default: return i >= j;
          }
        }
        env.set_pos(b->op_pos);
        return compare(env.t, b->op, x, y);
      }
      default:
        break;
    }
  } else if (e->kind == NodeKind::UnaryExpr && static_cast<const UnaryExpr*>(e)->op == Token::Not) {
    return !eval_truth(env, static_cast<const UnaryExpr*>(e)->x);
  }
  return fast_truth(eval(env, e));
}

Value make_closure(Env& env, const Function* fn) {
  // Evaluating the defaults may fail; they are reported at the def/lambda.
  env.set_pos(fn->pos);
  std::vector<Value> defaults;
  bool any_default = false;
  for (const Param& p : fn->params) any_default |= p.kind == Param::Kind::Default;
  if (any_default) {
    for (const Param& p : fn->params) {
      if (p.kind == Param::Kind::Default)
        defaults.push_back(eval(env, p.default_value));
      else if (p.kind == Param::Kind::Normal)
        defaults.push_back(Value::absent());
    }
  }
  std::vector<Value> freevars;
  freevars.reserve(fn->freevars.size());
  for (const Binding* b : fn->freevars) {
    // The enclosing function's own cell, or one it captured itself.
    freevars.push_back(b->scope == Scope::Cell ? env.locals[b->index] : env.fn->freevars()[b->index]);
  }
  return Value(new FunctionObj(env.t.heap(), fn, Value(env.module), std::move(defaults), std::move(freevars)));
}

}  // namespace faultbox::star
