// The heap object base: reference count, kind tag and the protocols a value
// may support (starlark-go's optional interfaces as virtual functions with
// "not supported" defaults). Every failure is thrown as EvalError (Error.h)
// with starlark-go's wording; the evaluator adds position and backtrace.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "spec/eval/Value.h"

namespace faultbox::star {

class Heap;
struct MethodTable;

// One keyword argument of a call. `name` points into the syntax tree or a
// **kwargs dict key that outlives the call.
struct NamedArg {
  std::string_view name;
  Value value;
};

// The arguments of one call, already evaluated (*args and **kwargs expanded).
struct Args {
  std::span<const Value> positional;
  std::span<const NamedArg> named;
};

// Iteration: next() fills `out` and returns true, or returns false at the
// end. Destroying the iterator ends the iteration (lists and dicts count
// live iterators to reject mutation during iteration).
class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual bool next(Value& out) = 0;
};

// Cycle guard for repr/str of containers: containers already on the path
// print as "[...]" / "{...}" like starlark-go.
struct ReprPath {
  std::vector<const Object*> stack;
  bool contains(const Object* o) const {
    for (auto* p : stack)
      if (p == o) return true;
    return false;
  }
};

class Object {
 public:
  explicit Object(ObjKind kind) : kind_(kind) {}
  virtual ~Object() = default;
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  ObjKind kind() const { return kind_; }

  // --- required ---
  virtual std::string_view type_name() const = 0;

  // --- printing ---
  // Appends the Starlark repr. Default: "<type_name>".
  virtual void repr(std::string& out, ReprPath& path) const;
  // Appends str(); only strings differ from repr.
  virtual void str(std::string& out, ReprPath& path) const { repr(out, path); }

  // --- truth, hashing, equality, ordering ---
  virtual bool truth() const { return true; }
  // Throws "unhashable type: T" unless the type is hashable ("unhashable:
  // module" for modules, as starlark-go spells it).
  virtual uint32_t hash(Thread& t) const;
  // Called only when both operands have the same type_name. Default: identity.
  virtual bool equals(Thread& t, const Object& other, int depth) const;
  // Ordered comparison of two values of the same type; returns <0, 0, >0.
  // Default throws "T < T not implemented" (op spelled with `op`). Ops.h's
  // compare() turns the result into a bool for `op`, compare3() passes Lt.
  virtual int compare(Thread& t, const Object& other, Token op, int depth) const;

  // --- mutability ---
  virtual void freeze() {}
  virtual bool frozen() const { return true; }

  // --- attributes (x.f) ---
  // Returns Value::absent() when there is no such attribute.
  virtual Value attr(Thread& t, std::string_view name);
  virtual std::vector<std::string> attr_names() const { return {}; }
  // The type's method table (Builtin.h), or null. When a type returns one,
  // attr(name) must bind exactly those methods for those names: the
  // evaluator calls `x.f(...)` straight from the table, without building the
  // bound method (the NativeFn then gets a BuiltinObj that lives only for the
  // call, so a method must not keep a reference to `self`).
  virtual const MethodTable* methods() const { return nullptr; }
  // Default throws "can't assign to .NAME field of T" (starlark-go wording).
  // Overrides throw NoSuchAttrError for an unknown field to get a spelling hint.
  virtual void set_attr(Thread& t, std::string_view name, const Value& v);

  // --- sequences and mappings ---
  // len(x), or -1 when the value has no length.
  virtual int64_t len() const { return -1; }
  // Returns null when not iterable.
  virtual std::unique_ptr<Iterator> iterate(Thread& t);
  // x[key]; default throws "unhandled index operation T[K]".
  virtual Value get_index(Thread& t, const Value& key);
  // x[key] = v; default throws "T value does not support item assignment".
  virtual void set_index(Thread& t, const Value& key, const Value& v);
  // x[lo:hi:step] with indices already normalized for this length; only
  // sequences (string, bytes, list, tuple, range) support it. Returns absent
  // when unsupported.
  virtual Value slice(Thread& t, int64_t start, int64_t end, int64_t step);
  // `y in x`; returns absent when unsupported.
  virtual Value contains(Thread& t, const Value& y);

  // --- operators ---
  // x op y with this object as x (this_on_left) or y. Returns absent when
  // unsupported; the caller then tries the other operand and finally
  // reports "unknown binary op: T op U".
  virtual Value binary(Thread& t, Token op, const Value& other, bool this_on_left);
  // -x +x ~x; absent when unsupported.
  virtual Value unary(Thread& t, Token op);

  // --- calls ---
  virtual bool callable() const { return false; }
  virtual Value call(Thread& t, const Args& args);
  // Name shown in backtraces and "error in NAME"; default type_name.
  virtual std::string name() const { return std::string(type_name()); }

  // Reference counting (Value does this; nothing else should).
  void incref() const noexcept { ++refs_; }
  bool decref() const noexcept { return --refs_ == 0; }  // true: delete me
  uint32_t refs() const noexcept { return refs_; }

 private:
  mutable uint32_t refs_ = 0;
  ObjKind kind_;
};

inline Value::Value(Object* o) noexcept : tag_(Tag::Obj) {
  u_.o = o;
  o->incref();
}
inline bool Value::is(ObjKind k) const { return tag_ == Tag::Obj && u_.o->kind() == k; }
inline void Value::retain() const noexcept {
  if (tag_ == Tag::Obj) u_.o->incref();
}
inline void Value::release() noexcept {
  if (tag_ == Tag::Obj && u_.o->decref()) delete u_.o;
}

}  // namespace faultbox::star
