// Calls: evaluating a call expression's arguments (positional and named in
// source order, then *args, then **kwargs, as starlark-go does), calling
// builtins under a frame of their own so backtraces name them, and the
// allocation-free path for `x.method(...)`.
#include <string>
#include <utility>

#include "spec/eval/Builtin.h"
#include "spec/eval/Dict.h"
#include "spec/eval/Evaluator.h"
#include "spec/eval/Ops.h"
#include "spec/eval/SmallVec.h"
#include "spec/eval/String.h"

namespace faultbox::star {

namespace {

// Pops the frame pushed for a call, however the call ends.
struct FramePop {
  Thread& t;
  ~FramePop() { t.frames().pop_back(); }
};

Value call_native(Thread& t, Object& callee, const Args& args) {
  t.frames().push_back(Frame{&callee, nullptr, Pos{}});
  FramePop pop{t};
  try {
    return callee.call(t, args);
  } catch (EvalError& e) {
    if (!e.has_backtrace()) e.set_backtrace(t.call_stack());
    throw;
  }
}

}  // namespace

Value call_value(Thread& t, const Value& fn, const Args& args) {
  if (fn.is(ObjKind::Function)) return fn.as<FunctionObj>()->call(t, args);
  if (fn.is_obj() && fn.obj()->callable()) return call_native(t, *fn.obj(), args);
  throw EvalError("invalid call of non-function (" + std::string(type_name(fn)) + ")");
}

namespace {

// Calls the callee (or the method found in its receiver's table).
inline Value dispatch(Thread& t, const Value& callee, const Method* method, const Value& receiver,
                      const Args& args) {
  if (method) {
    // The method's own frame, under a transient bound method.
    BuiltinObj bound(std::string(method->name), method->fn, receiver);
    return call_native(t, bound, args);
  }
  if (callee.is(ObjKind::Function)) return callee.as<FunctionObj>()->call(t, args);
  return call_value(t, callee, args);
}

// A call with named, *args or **kwargs arguments.
[[gnu::noinline]] Value call_general(Env& env, const CallExpr* call, const Value& callee, const Method* method,
                                     const Value& receiver) {
  Thread& t = env.t;
  SmallVec<Value, 8> positional;
  SmallVec<NamedArg, 4> named;
  const Expr* star = nullptr;
  const Expr* starstar = nullptr;
  for (const Argument& a : call->args) {
    switch (a.kind) {
      case Argument::Kind::Positional:
        positional.push_back(eval(env, a.value));
        break;
      case Argument::Kind::Named:
        named.push_back(NamedArg{a.name->name, eval(env, a.value)});
        break;
      case Argument::Kind::Star:
        star = a.value;
        break;
      case Argument::Kind::StarStar:
        starstar = a.value;
        break;
    }
  }
  Value star_value = star ? eval(env, star) : Value();
  Value kwargs_value = starstar ? eval(env, starstar) : Value();

  env.set_pos(call->lparen);
  SmallVec<Value, 4> kwargs_keys;  // keeps the **kwargs key strings alive for the call
  if (star) {
    std::unique_ptr<Iterator> it = iterate(t, star_value);
    if (!it) throw EvalError("argument after * must be iterable, not " + std::string(type_name(star_value)));
    Value x;
    while (it->next(x)) positional.push_back(std::move(x));
  }
  if (starstar) {
    if (!kwargs_value.is(ObjKind::Dict))
      throw EvalError("argument after ** must be a mapping, not " + std::string(type_name(kwargs_value)));
    const auto& entries = kwargs_value.as<DictObj>()->table().entries();
    for (const auto& entry : entries) {
      if (!entry.live) continue;
      if (!entry.key.is_string())
        throw EvalError("keywords must be strings, not " + std::string(type_name(entry.key)));
    }
    for (const auto& entry : entries) {
      if (!entry.live) continue;
      kwargs_keys.push_back(entry.key);
      named.push_back(NamedArg{kwargs_keys.back().as<StringObj>()->str(), entry.value});
    }
  }
  return dispatch(t, callee, method, receiver, Args{positional.span(), named.span()});
}

}  // namespace

Value eval_call(Env& env, const CallExpr* call) {
  Thread& t = env.t;

  // The callee. For x.f(...) on a type with a method table, find the method
  // without building a bound method value.
  Value callee;
  Value receiver;
  const Method* method = nullptr;
  if (call->fn->kind == NodeKind::DotExpr) {
    auto* dot = static_cast<const DotExpr*>(call->fn);
    receiver = eval(env, dot->x);
    if (receiver.is_obj()) {
      if (const MethodTable* table = receiver.obj()->methods()) method = table->find(dot->name->name);
    }
    if (!method) {
      env.set_pos(dot->dot);
      callee = get_attr(t, receiver, dot->name->name);
    }
  } else {
    callee = eval(env, call->fn);
  }

  // Arguments: positional and named in source order, then *args, then
  // **kwargs. The usual call has positional arguments only.
  for (const Argument& a : call->args)
    if (a.kind != Argument::Kind::Positional) return call_general(env, call, callee, method, receiver);
  SmallVec<Value, 6> positional;
  for (const Argument& a : call->args) positional.push_back(eval(env, a.value));
  env.set_pos(call->lparen);
  return dispatch(t, callee, method, receiver, Args{positional.span(), {}});
}

}  // namespace faultbox::star
