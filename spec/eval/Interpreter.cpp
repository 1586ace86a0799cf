// From text to an executed module: parse, resolve, turn literals into
// constants and number the builtin names the file uses (so every lookup at
// run time is an array index), then run the toplevel as a function of a new
// module and freeze the module.
#include "spec/eval/Interpreter.h"

#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "spec/eval/Float.h"
#include "spec/eval/Int.h"
#include "spec/eval/Ops.h"
#include "spec/eval/String.h"
#include "spec/resolve/Resolver.h"
#include "spec/syntax/Parser.h"
#include "spec/syntax/Walk.h"

namespace faultbox::star {

namespace {

// Walks a resolved file once: records global names, numbers Predeclared and
// Universal bindings by name (Binding::index), and precomputes the
// FunctionInfo of every function.
class ProgramLinker {
 public:
  explicit ProgramLinker(Program& program) : p_(program) {}

  void link(File& file) {
    p_.global_names.assign(file.globals.size(), std::string());
    for (size_t i = 0; i < file.globals.size(); ++i)
      if (file.globals[i]->first) p_.global_names[i] = file.globals[i]->first->name;
    FunctionInfo toplevel = make_function_info(file.toplevel);
    toplevel.body = &file.stmts;
    p_.functions.emplace(&file.toplevel, std::move(toplevel));
    stmts(file.stmts);
  }

 private:
  static int32_t intern(std::unordered_map<std::string, int32_t>& index, std::vector<std::string>& names,
                        const std::string& name) {
    auto [it, fresh] = index.emplace(name, static_cast<int32_t>(names.size()));
    if (fresh) names.push_back(name);
    return it->second;
  }

  void ident(Ident* id) {
    if (!id) return;
    Binding* b = id->binding;
    if (!b) return;
    switch (b->scope) {
      case Scope::Global:
        if (b->index >= 0 && static_cast<size_t>(b->index) < p_.global_names.size() &&
            p_.global_names[b->index].empty())
          p_.global_names[b->index] = id->name;
        break;
      case Scope::Predeclared:
        b->index = intern(predeclared_, p_.predeclared_names, id->name);
        break;
      case Scope::Universal:
        b->index = intern(universal_, p_.universal_names, id->name);
        break;
      default:
        break;
    }
  }

  // One generic walk (spec/syntax/Walk.h): identifiers get numbered, every
  // def and lambda gets its FunctionInfo. The parser bounds the depth.
  void visit(Node* n) {
    switch (n->kind) {
      case NodeKind::Ident:
        ident(static_cast<Ident*>(n));
        break;
      case NodeKind::DefStmt:
        add_function(static_cast<DefStmt*>(n)->fn);
        break;
      case NodeKind::LambdaExpr:
        add_function(static_cast<LambdaExpr*>(n)->fn);
        break;
      default:
        break;
    }
    for_each_child(n, [this](Node* child) { visit(child); });
  }

  void add_function(Function* fn) { p_.functions.emplace(fn, make_function_info(*fn)); }

  void stmts(const std::vector<Stmt*>& list) {
    for (Stmt* s : list) visit(s);
  }

  Program& p_;
  std::unordered_map<std::string, int32_t> predeclared_;
  std::unordered_map<std::string, int32_t> universal_;
};

Value literal_value(const Literal& lit) {
  switch (lit.token) {
    case Token::Int:
      return lit.int_fits ? make_int(lit.int_value) : make_int_from_decimal(lit.int_decimal);
    case Token::Float:
      return Value::from_float(lit.float_value);
    case Token::Bytes:
      return make_bytes(lit.str_value);
    default:
      return make_string(lit.str_value);
  }
}

const Value* find(const StringDict& dict, std::string_view name) {
  for (const auto& [k, v] : dict)
    if (k == name) return &v;
  return nullptr;
}

}  // namespace

Interpreter::Interpreter() { make_universe(heap_, universe_); }

Interpreter::~Interpreter() { universe_.clear(); }

Value Interpreter::universal(std::string_view name) const {
  const Value* v = find(universe_, name);
  return v ? *v : Value::absent();
}

std::shared_ptr<Program> Interpreter::compile(const std::string& path, std::string source,
                                              const Dialect& dialect, const StringDict& predeclared) {
  std::shared_ptr<File> file = parse_file(path, std::move(source));

  std::unordered_set<std::string_view> predeclared_names;
  for (const auto& [name, v] : predeclared) predeclared_names.insert(name);
  std::unordered_set<std::string_view> universal_names;
  for (const auto& [name, v] : universe_) universal_names.insert(name);

  ResolveEnv env;
  env.dialect = dialect;
  env.is_predeclared = [&](std::string_view n) { return predeclared_names.count(n) != 0; };
  env.is_universal = [&](std::string_view n) { return universal_names.count(n) != 0; };
  env.candidate_names = [&](std::vector<std::string>& out) {
    for (const auto& [name, v] : predeclared) out.push_back(name);
    for (const auto& [name, v] : universe_) out.push_back(name);
  };
  resolve_file(*file, env);

  // Like starlark-go, the toplevel is a function named <toplevel> that
  // starts at the first statement.
  file->toplevel.name = "<toplevel>";
  if (!file->toplevel.pos.valid()) file->toplevel.pos = file->stmts.empty() ? Pos{1, 1} : file->stmts.front()->pos;

  auto program = std::make_shared<Program>();
  program->file = file;
  program->dialect = dialect;
  program->constants.resize(file->literals.size());
  for (const Literal* lit : file->literals)
    if (lit && lit->index >= 0 && static_cast<size_t>(lit->index) < program->constants.size())
      program->constants[lit->index] = literal_value(*lit);
  ProgramLinker(*program).link(*file);
  return program;
}

Value Interpreter::exec(Thread& t, const std::shared_ptr<Program>& program, const StringDict& predeclared,
                        const std::string& module_name) {
  auto* module = new ModuleObj(heap_, program, module_name);
  Value module_value(module);
  module->globals().assign(program->file->globals.size(), Value::absent());
  for (const std::string& name : program->predeclared_names) {
    const Value* v = find(predeclared, name);
    module->predeclared().emplace_back(name, v ? *v : Value::absent());
  }
  for (const std::string& name : program->universal_names) module->universals().push_back(universal(name));

  Value toplevel(new FunctionObj(heap_, &program->file->toplevel, module_value, {}, {}));
  try {
    toplevel.as<FunctionObj>()->call(t, Args{});
  } catch (...) {
    module->freeze();
    throw;
  }
  // starlark-go freezes a module's globals once its file has run.
  module->freeze();
  return module_value;
}

Value Interpreter::exec_file(Thread& t, const std::string& path, std::string source, const Dialect& dialect,
                             const StringDict& predeclared) {
  std::shared_ptr<Program> program = compile(path, std::move(source), dialect, predeclared);
  return exec(t, program, predeclared, path);
}

}  // namespace faultbox::star
