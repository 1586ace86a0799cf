// Native functions and bound methods. A method of a built-in type (list.append,
// str.split...) is a NativeFn that finds its receiver in self.receiver();
// `x.f` builds a BuiltinObj binding the receiver, and the evaluator may call
// method tables directly to skip that allocation for `x.f(...)`.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "spec/eval/Value.h"

namespace faultbox::star {

class BuiltinObj;
using NativeFn = Value (*)(Thread& t, const BuiltinObj& self, const Args& args);

class BuiltinObj final : public Object {
 public:
  BuiltinObj(std::string name, NativeFn fn, Value receiver = Value(),
             std::shared_ptr<void> data = nullptr)
      : Object(ObjKind::Builtin),
        name_(std::move(name)),
        fn_(fn),
        receiver_(std::move(receiver)),
        data_(std::move(data)) {}
  const Value& receiver() const { return receiver_; }  // None for plain functions
  bool is_method() const { return !receiver_.is_none(); }
  // Host data for host-defined builtins (the SpecHost context etc.).
  void* data() const { return data_.get(); }
  NativeFn fn() const { return fn_; }

  std::string_view type_name() const override { return "builtin_function_or_method"; }
  // "<built-in function NAME>" or "<built-in method NAME of TYPE value>"
  void repr(std::string& out, ReprPath& path) const override;
  uint32_t hash(Thread& t) const override;  // hashable by identity (name ^ receiver)
  bool equals(Thread& t, const Object& other, int depth) const override;
  bool callable() const override { return true; }
  Value call(Thread& t, const Args& args) override { return fn_(t, *this, args); }
  std::string name() const override { return name_; }

 private:
  std::string name_;
  NativeFn fn_;
  Value receiver_;
  std::shared_ptr<void> data_;
};

// A sorted-by-name table of a type's methods.
struct Method {
  std::string_view name;
  NativeFn fn;
};
struct MethodTable {
  const Method* begin;
  const Method* end;
  // Binary search; null if absent.
  const Method* find(std::string_view name) const;
  std::vector<std::string> names() const;
};

// x.name for a method table: a new bound BuiltinObj, or absent.
Value bind_method(const MethodTable& table, std::string_view name, const Value& receiver);

Value make_builtin(std::string name, NativeFn fn);

}  // namespace faultbox::star
