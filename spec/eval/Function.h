// Starlark-defined functions, the cells they capture, and modules (the
// globals of one executed file). A Program is a resolved File plus its
// literal constants; functions keep their program (and so the syntax tree)
// alive.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "spec/eval/Heap.h"
#include "spec/syntax/Ast.h"

namespace faultbox::star {

// What the evaluator precomputes about one def/lambda (or the toplevel), once
// per program, so calls need no scans of the syntax tree.
struct FunctionInfo {
  int32_t nparams = 0;  // ordinary parameters (positional then keyword-only), not *args/**kwargs
  std::vector<std::string_view> param_names;  // by parameter slot, nparams of them
  std::vector<int32_t> cell_slots;            // locals of Scope::Cell (captured by closures)
  bool positional_defaults = false;           // some parameter before * has a default
  const std::vector<Stmt*>* body = nullptr;   // Function::body, or File::stmts for the toplevel
};

struct Program {
  std::shared_ptr<File> file;    // parsed and resolved
  std::vector<Value> constants;  // by Literal::index
  Dialect dialect;               // the dialect the file was resolved with (recursion check...)
  // Names of the module's globals, by Binding::index of Scope::Global.
  std::vector<std::string> global_names;
  // Interpreter::compile numbers the Predeclared and Universal bindings
  // (Binding::index) by the distinct names the file uses, in these lists,
  // so lookups are an array index (ModuleObj::predeclared()/universals()).
  std::vector<std::string> predeclared_names;
  std::vector<std::string> universal_names;
  std::unordered_map<const Function*, FunctionInfo> functions;  // every def/lambda and the toplevel
};

// Computes the FunctionInfo of `fn` (compile does it for every function of a program).
FunctionInfo make_function_info(const Function& fn);

// The globals of one module. Globals not yet assigned hold Value::absent()
// ("global variable x referenced before assignment").
class ModuleObj final : public Container {
 public:
  ModuleObj(Heap& heap, std::shared_ptr<const Program> program, std::string name);
  const std::shared_ptr<const Program>& program() const { return program_; }
  std::vector<Value>& globals() { return globals_; }
  const std::vector<Value>& globals() const { return globals_; }
  // Predeclared names visible to this module (looked up by Scope::Predeclared):
  // exactly Program::predeclared_names, in that order (absent if the host
  // did not provide one).
  std::vector<std::pair<std::string, Value>>& predeclared() { return predeclared_; }
  // Universal values the program uses, by Program::universal_names.
  std::vector<Value>& universals() { return universals_; }
  const std::string& module_name() const { return name_; }
  // The value of global `name`, or absent.
  Value global(std::string_view name) const;

  std::string_view type_name() const override { return "module"; }
  void repr(std::string& out, ReprPath& path) const override;  // <module "name">
  void freeze() override;  // freezes every global
  bool frozen() const override { return frozen_; }
  Value attr(Thread& t, std::string_view name) override;  // exported globals
  std::vector<std::string> attr_names() const override;
  // "can't assign to .x field of module"
  void set_attr(Thread& t, std::string_view name, const Value& v) override;
  void clear_references() override {
    globals_.clear();
    predeclared_.clear();
    universals_.clear();
  }

 private:
  std::shared_ptr<const Program> program_;
  std::string name_;
  std::vector<Value> globals_;
  std::vector<std::pair<std::string, Value>> predeclared_;
  std::vector<Value> universals_;
  bool frozen_ = false;
};

// A captured variable shared between a function and its closures.
class CellObj final : public Container {
 public:
  explicit CellObj(Heap& heap) : Container(ObjKind::Cell, heap), v(Value::absent()) {}
  Value v;
  std::string_view type_name() const override { return "cell"; }
  void freeze() override;
  bool frozen() const override { return frozen_; }
  void clear_references() override { v = Value(); }

 private:
  bool frozen_ = false;
};

class FunctionObj final : public Container {
 public:
  FunctionObj(Heap& heap, const Function* fn, Value module, std::vector<Value> defaults,
              std::vector<Value> freevars);
  const Function* fn() const { return fn_; }
  ModuleObj* module() const { return module_.as<ModuleObj>(); }
  // One per ordinary parameter slot (FunctionInfo::param_names); absent
  // where the parameter has no default.
  const std::vector<Value>& defaults() const { return defaults_; }
  const std::vector<Value>& freevars() const { return freevars_; }  // CellObj values
  const Program& program() const { return *program_; }
  const FunctionInfo& info() const { return *info_; }

  std::string_view type_name() const override { return "function"; }
  void repr(std::string& out, ReprPath& path) const override;  // <function NAME>
  uint32_t hash(Thread& t) const override;  // by identity
  void freeze() override;
  bool frozen() const override { return frozen_; }
  bool callable() const override { return true; }
  Value call(Thread& t, const Args& args) override;  // Function.cpp
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
  std::shared_ptr<const Program> program_;  // keeps fn_ (and info_) alive even after clear_references
  // program_->file without ownership (the aliasing constructor over an empty
  // shared_ptr): the frame of a call carries it without refcounting, since
  // this function keeps the file alive while the frame exists.
  std::shared_ptr<const File> frame_file_;
  const FunctionInfo* info_ = nullptr;
  std::unique_ptr<FunctionInfo> own_info_;  // when the program has none for fn_
  bool frozen_ = false;
};

}  // namespace faultbox::star
