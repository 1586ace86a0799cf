// Starlark-defined functions, the cells they capture, and modules (the
// globals of one executed file). A Program is a resolved File plus its
// literal constants; functions keep their program (and so the syntax tree)
// alive.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "spec/eval/Heap.h"
#include "spec/syntax/Ast.h"

namespace faultbox::star {

struct Program {
  std::shared_ptr<File> file;    // parsed and resolved
  std::vector<Value> constants;  // by Literal::index
};

// The globals of one module. Globals not yet assigned hold Value::absent()
// ("global variable x referenced before assignment").
class ModuleObj final : public Container {
 public:
  ModuleObj(Heap& heap, std::shared_ptr<const Program> program, std::string name);
  const std::shared_ptr<const Program>& program() const { return program_; }
  std::vector<Value>& globals() { return globals_; }
  const std::vector<Value>& globals() const { return globals_; }
  // Predeclared names visible to this module (looked up by Scope::Predeclared).
  std::vector<std::pair<std::string, Value>>& predeclared() { return predeclared_; }
  // The value of global `name`, or absent.
  Value global(std::string_view name) const;

  std::string_view type_name() const override { return "module"; }
  void repr(std::string& out, ReprPath& path) const override;  // <module "name">
  void freeze() override;  // freezes every global
  bool frozen() const override { return frozen_; }
  Value attr(Thread& t, std::string_view name) override;  // exported globals
  std::vector<std::string> attr_names() const override;
  void clear_references() override {
    globals_.clear();
    predeclared_.clear();
  }

 private:
  std::shared_ptr<const Program> program_;
  std::string name_;
  std::vector<Value> globals_;
  std::vector<std::pair<std::string, Value>> predeclared_;
  bool frozen_ = false;
};

// A captured variable shared between a function and its closures.
class CellObj final : public Container {
 public:
  explicit CellObj(Heap& heap) : Container(ObjKind::Cell, heap), v(Value::absent()) {}
  Value v;
  std::string_view type_name() const override { return "cell"; }
  void freeze() override;
  void clear_references() override { v = Value(); }
};

class FunctionObj final : public Container {
 public:
  FunctionObj(Heap& heap, const Function* fn, Value module, std::vector<Value> defaults,
              std::vector<Value> freevars);
  const Function* fn() const { return fn_; }
  ModuleObj* module() const { return module_.as<ModuleObj>(); }
  const std::vector<Value>& defaults() const { return defaults_; }  // one per Default param; absent for others
  const std::vector<Value>& freevars() const { return freevars_; }  // CellObj values

  std::string_view type_name() const override { return "function"; }
  void repr(std::string& out, ReprPath& path) const override;  // <function NAME>
  uint32_t hash(Thread& t) const override;  // by identity
  void freeze() override;
  bool callable() const override { return true; }
  Value call(Thread& t, const Args& args) override;  // Eval.cpp
  std::string name() const override { return fn_->name; }
  void clear_references() override {
    module_ = Value();
    defaults_.clear();
    freevars_.clear();
  }

 private:
  const Function* fn_;
  Value module_;
  std::vector<Value> defaults_;
  std::vector<Value> freevars_;
};

}  // namespace faultbox::star
