#include "spec/vocabulary/Spec.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "spec/eval/Function.h"
#include "spec/eval/Ops.h"
#include "spec/vocabulary/CloseMatches.h"
#include "spec/vocabulary/Vocabulary.h"

namespace faultbox::star {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The first line of a function's docstring, or "".
std::string doc_first_line(const Function& fn) {
  if (fn.body.empty() || fn.body[0]->kind != NodeKind::ExprStmt) return {};
  const Expr* x = static_cast<const ExprStmt*>(fn.body[0])->x;
  if (!x || x->kind != NodeKind::Literal) return {};
  const auto* lit = static_cast<const Literal*>(x);
  if (lit->token != Token::String) return {};
  std::string_view s = lit->str_value;
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  s.remove_prefix(b);
  s = s.substr(0, s.find('\n'));
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

Spec::Spec(std::string path, SpecHost& host) : path_(std::move(path)) {
  context_.host = &host;
  context_.spec = this;
  predeclared_ = vocabulary_predeclared();
  print_ = [](Thread&, std::string_view msg) {
    std::cout << msg << '\n';
    std::cout.flush();
  };
}

Spec::~Spec() {
  // Values first (they may refer into the interpreter's heap and programs).
  loaded_.clear();
  module_ = Value();
  predeclared_.clear();
}

std::unique_ptr<Spec> Spec::load(const std::string& path, SpecHost& host) {
  return load_source(path, read_text(path), host);
}

std::unique_ptr<Spec> Spec::load_source(const std::string& path, std::string source, SpecHost& host) {
  std::unique_ptr<Spec> spec(new Spec(path, host));
  spec->evaluate(std::move(source));
  return spec;
}

std::unique_ptr<Thread> Spec::new_thread(const std::string& name) {
  auto t = std::make_unique<Thread>(interpreter_.heap(), name);
  t->host_data = &context_;
  t->print = [this](Thread& th, std::string_view msg) { print_(th, msg); };
  t->load = [this](Thread& th, std::string_view module, const std::string& from) {
    return load_module(th, module, from);
  };
  return t;
}

void Spec::evaluate(std::string source) {
  auto t = new_thread("spec");
  context_.phase = SpecContext::Phase::Load;
  module_ = interpreter_.exec_file(*t, path_, std::move(source), Dialect::spec(), predeclared_);
  validate();
  context_.phase = SpecContext::Phase::Run;
  context_.host->topology_ready(context_.topology);
}

Value Spec::load_module(Thread& t, std::string_view module, const std::string& from) {
  namespace fs = std::filesystem;
  fs::path p(module);
  if (p.is_relative()) p = fs::path(from).parent_path() / p;
  std::string path = p.lexically_normal().string();
  if (auto it = loaded_.find(path); it != loaded_.end()) {
    if (it->second.is_none()) throw EvalError("cycle in load graph: " + path + " loads itself");
    return it->second;
  }
  std::string source;
  try {
    source = read_text(path);
  } catch (const std::exception& e) {
    throw EvalError(e.what());
  }
  loaded_[path] = Value();  // loading
  try {
    Value m = interpreter_.exec_file(t, path, std::move(source), Dialect::spec(), predeclared_);
    loaded_[path] = m;
    return m;
  } catch (...) {
    loaded_.erase(path);
    throw;
  }
}

void Spec::validate() {
  Topology& topo = context_.topology;
  auto* module = module_.as<ModuleObj>();
  const auto& file = module->program()->file;

  // An error about a declaration, reported at the declaring call.
  auto error_at = [&](const SourceLocation& at, std::string msg) {
    EvalError e(std::move(msg));
    CallFrame frame;
    frame.name = "<toplevel>";
    if (at.path == file->path) frame.file = file;
    frame.pos = Pos{at.line, at.col};
    e.set_backtrace({frame});
    return e;
  };

  std::vector<std::string> names;
  for (const ServiceSpec& s : topo.services) names.push_back(s.name);
  for (const ServiceSpec& s : topo.services) {
    for (const std::string& d : s.depends_on) {
      if (d == s.name) throw error_at(s.declared_at, "service " + s.name + ": depends_on names the service itself");
      if (!topo.find_service(d)) {
        auto near = close_matches(d, names);
        throw error_at(s.declared_at, "service " + s.name + ": depends_on: no service named \"" + d + "\"" +
                                          (near.empty() ? "" : " (did you mean " + or_list(near) + "?)"));
      }
    }
  }
  // depends_on must be acyclic: services start in dependency order.
  std::map<std::string, int> state;  // 0 unvisited, 1 visiting, 2 done
  std::function<void(const ServiceSpec&, std::vector<std::string>&)> visit = [&](const ServiceSpec& s,
                                                                                 std::vector<std::string>& path) {
    int& st = state[s.name];
    if (st == 2) return;
    if (st == 1) {
      std::string cycle;
      auto from = std::find(path.begin(), path.end(), s.name);
      for (auto it = from; it != path.end(); ++it) cycle += *it + " -> ";
      throw error_at(s.declared_at, "services depend on each other in a cycle: " + cycle + s.name);
    }
    st = 1;
    path.push_back(s.name);
    for (const std::string& d : s.depends_on) visit(*topo.find_service(d), path);
    path.pop_back();
    st = 2;
  };
  for (const ServiceSpec& s : topo.services) {
    std::vector<std::string> path;
    visit(s, path);
  }

  // Tests: top-level callables named test_*, in the order they are defined.
  topo.tests.clear();
  const auto& globals = module->globals();
  for (size_t i = 0; i < globals.size() && i < file->globals.size(); ++i) {
    const Binding* b = file->globals[i];
    if (!b || !b->first) continue;
    const std::string& name = b->first->name;
    const Value& v = globals[i];
    if (!name.starts_with("test_") || v.is_absent() || !v.is_obj() || !v.obj()->callable()) continue;
    TestSpec test;
    test.name = name;
    if (v.is(ObjKind::Function)) {
      const Function* fn = v.as<FunctionObj>()->fn();
      test.doc = doc_first_line(*fn);
      test.declared_at = SourceLocation{file->path, fn->pos.line, fn->pos.col};
    } else {
      test.declared_at = SourceLocation{file->path, b->first->pos.line, b->first->pos.col};
    }
    topo.tests.push_back(std::move(test));
  }
  std::stable_sort(topo.tests.begin(), topo.tests.end(), [](const TestSpec& a, const TestSpec& b) {
    return a.declared_at.line < b.declared_at.line;
  });
}

Value Spec::run_test(Thread& t, const std::string& name) {
  auto* module = module_.as<ModuleObj>();
  Value fn = module->global(name);
  if (fn.is_absent() || !name.starts_with("test_"))
    throw EvalError("no test named " + name + " in " + path_);
  context_.phase = SpecContext::Phase::Run;
  return call_value(t, fn, Args{});
}

}  // namespace faultbox::star
