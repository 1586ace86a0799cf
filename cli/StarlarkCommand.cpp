// faultbox starlark FILE: a plain Starlark interpreter.
//
// Dialect: Dialect::all() — the whole language with every option on (set,
// while, recursion, top-level if/for/while, global reassignment), so any
// program the specification allows runs; only the deprecated
// load-binds-globally stays off. json, math and struct are predeclared.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/Commands.h"
#include "cli/ExitCodes.h"
#include "spec/eval/Interpreter.h"
#include "spec/eval/Render.h"
#include "spec/lib/Json.h"
#include "spec/lib/Math.h"
#include "spec/lib/StructBuiltin.h"

namespace faultbox::cli {

namespace {

using namespace faultbox::star;

bool read_text(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// load() for plain programs: files relative to the loading file, each run
// once, with the same dialect and predeclared names.
class FileLoader {
 public:
  FileLoader(Interpreter& interp, const StringDict& predeclared) : interp_(interp), predeclared_(predeclared) {}
  ~FileLoader() { modules_.clear(); }

  Value load(Thread& t, std::string_view module, const std::string& from) {
    namespace fs = std::filesystem;
    fs::path p(module);
    if (p.is_relative()) p = fs::path(from).parent_path() / p;
    std::string path = p.lexically_normal().string();
    if (auto it = modules_.find(path); it != modules_.end()) {
      if (it->second.is_none()) throw EvalError("cycle in load graph: " + path + " loads itself");
      return it->second;
    }
    std::string source;
    if (!read_text(path, source)) throw EvalError("cannot read " + path);
    modules_[path] = Value();
    try {
      Value m = interp_.exec_file(t, path, std::move(source), Dialect::all(), predeclared_);
      modules_[path] = m;
      return m;
    } catch (...) {
      modules_.erase(path);
      throw;
    }
  }

 private:
  Interpreter& interp_;
  const StringDict& predeclared_;
  std::map<std::string, Value> modules_;
};

}  // namespace

int run_starlark(const std::string& file) {
  std::string source;
  if (!read_text(file, source)) {
    std::cerr << "faultbox starlark: cannot read " << file << "\n";
    return kExitUsage;
  }
  Interpreter interp;
  StringDict predeclared = {
      {"json", make_json_module()}, {"math", make_math_module()}, {"struct", make_struct_builtin()}};
  FileLoader loader(interp, predeclared);
  Thread t(interp.heap(), "main");
  t.print = [](Thread&, std::string_view msg) {
    std::cout << msg << '\n';
    std::cout.flush();
  };
  t.load = [&loader](Thread& th, std::string_view module, const std::string& from) {
    return loader.load(th, module, from);
  };
  try {
    interp.exec_file(t, file, std::move(source), Dialect::all(), predeclared);
  } catch (const SourceErrors& e) {
    std::cout.flush();
    std::cerr << render_source_errors(e) << "\n";
    return kExitTestFailed;
  } catch (const EvalError& e) {
    std::cout.flush();
    std::cerr << render_eval_error(e) << "\n";
    return kExitTestFailed;
  }
  return kExitOk;
}

}  // namespace faultbox::cli
