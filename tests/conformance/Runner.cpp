#include "tests/conformance/Runner.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "spec/eval/Function.h"
#include "spec/eval/Interpreter.h"
#include "spec/eval/Ops.h"
#include "spec/resolve/Resolver.h"
#include "spec/syntax/Parser.h"
#include "tests/conformance/LibModules.h"
#include "tests/conformance/Quote.h"
#include "tests/conformance/TestValues.h"

namespace faultbox::star::conformance {

namespace fs = std::filesystem;

namespace {

std::string describe(const SourceErrors& e, size_t max = 3) {
  std::string out;
  size_t n = 0;
  for (auto& err : e.errors()) {
    if (n == max) {
      out += " (and " + std::to_string(e.errors().size() - max) + " more)";
      break;
    }
    if (n++) out += "; ";
    out += std::to_string(err.pos.line) + ":" + std::to_string(err.pos.col) + ": " + err.msg;
  }
  return out;
}

std::string describe_backtrace(const EvalError& e) {
  std::string out;
  for (auto& f : e.backtrace()) {
    if (!out.empty()) out += " <- ";
    out += f.name;
    if (f.file) out += " at " + f.path() + ":" + std::to_string(f.pos.line);
  }
  return out.empty() ? "no backtrace" : out;
}

// A module whose globals are `members`, made by executing a tiny program
// (so load() sees it exactly as it sees a module loaded from a file).
Value native_module(Interpreter& interp, Thread& t, const std::string& name, const StringDict& members) {
  std::string src;
  StringDict pre;
  for (size_t i = 0; i < members.size(); ++i) {
    std::string hidden = "native_member_" + std::to_string(i);
    src += members[i].first + " = " + hidden + "\n";
    pre.emplace_back(hidden, members[i].second);
  }
  auto program = interp.compile(name, std::move(src), Dialect{}, pre);
  return interp.exec(t, program, pre, name);
}

// One execution environment: an interpreter, a thread, the assert reporter
// and the load hook of the Go test that runs the file.
class ExecEnv {
 public:
  ExecEnv(const TestFile& file, Dialect dialect, const RunLimits& limits, bool files_loadable)
      : file_(file), dialect_(dialect), thread_(interp_.heap(), "conformance"), files_loadable_(files_loadable) {
    reporter_.filename = file.path;
    thread_.host_data = &reporter_;
    thread_.print = [](Thread&, std::string_view) {};  // the Go tests discard output too
    thread_.max_steps = limits.max_steps;
    thread_.load = [this](Thread& t, std::string_view module, const std::string& from) {
      return load(t, std::string(module), from);
    };
  }
  Interpreter& interp() { return interp_; }
  Thread& thread() { return thread_; }
  AssertReporter& reporter() { return reporter_; }

  // Runs source as the test file; every error is turned into the checker's
  // verdict the way the Go test does.
  Value exec(const std::string& source, const StringDict& predeclared, ChunkChecker& checker) {
    try {
      return interp_.exec_file(thread_, file_.path, source, dialect_, predeclared);
    } catch (const SourceErrors& e) {
      checker.fail("static error (the Go test fails on these too): " + describe(e));
    } catch (const CancelledError& e) {
      checker.fail("cancelled: " + e.msg() + " (after " + std::to_string(thread_.steps) + " steps)");
    } catch (const EvalError& e) {
      report_eval_error(e, checker);
    } catch (const std::exception& e) {
      checker.fail(std::string("internal error (C++ exception): ") + e.what());
    }
    return Value::absent();
  }

  // An uncaught runtime error: it belongs to the innermost frame in the
  // test file, as eval_test.go finds it.
  void report_eval_error(const EvalError& e, ChunkChecker& checker) {
    if (!e.has_backtrace()) {
      checker.fail("error without a backtrace (cannot tell its line): " + e.msg());
      return;
    }
    const auto& bt = e.backtrace();
    for (auto it = bt.rbegin(); it != bt.rend(); ++it) {
      if (it->file && it->path() == file_.path) {
        checker.got_error(it->pos.line, e.msg());
        return;
      }
    }
    checker.fail("error outside the test file: " + e.msg() + " [" + describe_backtrace(e) + "]");
  }

  void report_assertions(ChunkChecker& checker) {
    for (auto& f : reporter_.failures)
      checker.fail("line " + std::to_string(f.line) + ": assertion failed: " + f.msg);
  }

 private:
  Value load(Thread& t, const std::string& module, const std::string& from) {
    if (module == "assert.star") return cached(module, [&] { return assert_star_members(interp_.heap()); }, t);
    if (files_loadable_) {
      if (module == "json.star") return cached(module, [&] { return json_star_members(interp_.heap()); }, t);
      if (module == "math.star" && math_supported())
        return cached(module, [&] { return math_star_members(interp_.heap()); }, t);
      std::string path = (fs::path(from).parent_path() / module).string();
      if (auto it = cache_.find(path); it != cache_.end()) return it->second;
      std::string src;
      try {
        src = read_file(path);
      } catch (const std::exception&) {
        throw EvalError("open " + path + ": no such file or directory");
      }
      Value m = interp_.exec_file(t, path, std::move(src), dialect_, {});
      cache_[path] = m;
      return m;
    }
    throw EvalError("load not implemented");
  }

  template <class F>
  Value cached(const std::string& module, F members, Thread& t) {
    if (auto it = cache_.find(module); it != cache_.end()) return it->second;
    Value m = native_module(interp_, t, module, members());
    cache_[module] = m;
    return m;
  }

  const TestFile& file_;
  Dialect dialect_;
  Interpreter interp_;
  Thread thread_;
  AssertReporter reporter_;
  bool files_loadable_;
  std::map<std::string, Value> cache_;
};

StringDict eval_test_predeclared() {
  return {
      {"hasfields", make_hasfields_builtin()},
      {"fibonacci", make_fibonacci()},
      {"struct", struct_builtin()},
  };
}

ChunkResult finish(const Chunk& chunk, ChunkChecker& checker) {
  checker.done();
  ChunkResult r;
  r.first_line = chunk.first_line;
  r.passed = checker.passed();
  r.reasons = checker.failures();
  return r;
}

ChunkResult run_exec_chunk(const TestFile& f, const Chunk& chunk, OptionStyle style, const RunLimits& limits) {
  ChunkChecker checker(chunk);
  ExecEnv env(f, chunk_dialect(chunk.source, style), limits, /*files_loadable=*/true);
  env.exec(chunk.source, eval_test_predeclared(), checker);
  env.report_assertions(checker);
  return finish(chunk, checker);
}

// struct_test.go: the whole file, struct and gensym predeclared, only
// assert.star loadable; any error fails it.
ChunkResult run_exec_whole(const TestFile& f, const Chunk& chunk, const RunLimits& limits) {
  ChunkChecker checker(chunk);
  ExecEnv env(f, Dialect{}, limits, /*files_loadable=*/false);
  StringDict pre = {{"struct", struct_builtin()}, {"gensym", make_gensym_builtin()}};
  env.exec(chunk.source, pre, checker);
  env.report_assertions(checker);
  return finish(chunk, checker);
}

// BenchmarkProgram: compile and run paths.star with nothing predeclared.
ChunkResult run_program(const TestFile& f, const Chunk& chunk, const RunLimits& limits) {
  ChunkChecker checker(chunk);
  ExecEnv env(f, Dialect{}, limits, /*files_loadable=*/false);
  env.exec(chunk.source, {}, checker);
  return finish(chunk, checker);
}

// bench_test.go: execute the file with its options, then call each global
// bench_* function (sorted by name) with a benchmark whose n is 1.
ChunkResult run_bench(const TestFile& f, const Chunk& chunk, OptionStyle style, const RunLimits& limits) {
  ChunkChecker checker(chunk);
  ExecEnv env(f, chunk_dialect(chunk.source, style), limits, /*files_loadable=*/false);
  Value mod = env.exec(chunk.source, {}, checker);
  if (mod.is_absent() || !checker.passed()) return finish(chunk, checker);
  if (!mod.is(ObjKind::Module)) {
    checker.fail("exec_file did not return a module");
    return finish(chunk, checker);
  }
  auto* m = mod.as<ModuleObj>();
  std::vector<std::string> names;
  for (auto* b : m->program()->file->globals)
    if (b && b->first && b->first->name.starts_with("bench_")) names.push_back(b->first->name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (auto& name : names) {
    Value fn = m->global(name);
    if (!fn.is(ObjKind::Function)) continue;
    Value b = make_benchmark(1);
    Value argv[1] = {b};
    try {
      call_value(env.thread(), fn, Args{std::span<const Value>(argv, 1), {}});
    } catch (const EvalError& e) {
      checker.fail(name + "(b) failed: " + e.msg() + " [" + describe_backtrace(e) + "]");
    } catch (const std::exception& e) {
      checker.fail(name + "(b): internal error (C++ exception): " + e.what());
    }
  }
  return finish(chunk, checker);
}

// resolve_test.go: parse (a parse error fails the chunk), then resolve with
// M predeclared and U, float universal; every resolver error is checked.
ChunkResult run_resolve_chunk(const TestFile& f, const Chunk& chunk, OptionStyle style) {
  ChunkChecker checker(chunk);
  std::shared_ptr<File> file;
  try {
    file = parse_file(f.path, chunk.source);
  } catch (const SourceErrors& e) {
    checker.fail("parse error (resolve_test.go fails on these): " + describe(e));
    return finish(chunk, checker);
  }
  ResolveEnv env;
  env.dialect = chunk_dialect(chunk.source, style);
  env.is_predeclared = [](std::string_view n) { return n == "M"; };
  env.is_universal = [](std::string_view n) { return n == "U" || n == "float"; };
  env.candidate_names = [](std::vector<std::string>& out) {
    out.insert(out.end(), {"M", "U", "float"});
  };
  try {
    resolve_file(*file, env);
  } catch (const SourceErrors& e) {
    for (auto& err : e.errors()) checker.got_error(err.pos.line, err.msg);
  } catch (const std::exception& e) {
    checker.fail(std::string("internal error (C++ exception): ") + e.what());
  }
  return finish(chunk, checker);
}

// parse_test.go TestParseErrors: the parser's first error is checked.
ChunkResult run_parse_chunk(const TestFile& f, const Chunk& chunk) {
  ChunkChecker checker(chunk);
  try {
    parse_file(f.path, chunk.source);
  } catch (const SourceErrors& e) {
    if (e.errors().empty())
      checker.fail("parse failed without an error");
    else
      checker.got_error(e.errors().front().pos.line, e.errors().front().msg);
  } catch (const std::exception& e) {
    checker.fail(std::string("internal error (C++ exception): ") + e.what());
  }
  return finish(chunk, checker);
}

}  // namespace

std::string sanity_check(const RunLimits& limits) {
  TestFile f;
  f.rel = f.path = "<harness canary>";
  f.mode = Mode::ExecChunks;
  Chunk chunk = split_chunks(
                    "load(\"assert.star\", \"assert\")\n"
                    "assert.eq(1 + 1, 3)\n"
                    "assert.true(False, \"canary\")\n"
                    "x = [1, 2][0] // 0 ### \"division by zero\"\n")
                    .front();
  ChunkChecker checker(chunk);
  ExecEnv env(f, Dialect{}, limits, /*files_loadable=*/true);
  env.exec(chunk.source, eval_test_predeclared(), checker);
  const auto& got = env.reporter().failures;
  std::string problems;
  if (got.size() != 2 || got[0].line != 2 || got[0].msg != "2 != 3" || got[1].line != 3 || got[1].msg != "canary")
    problems = "the canary's two failing assertions (lines 2, 3) were not both reported";
  checker.done();
  for (auto& r : checker.failures()) problems += (problems.empty() ? "" : "; ") + r;
  return problems;
}

std::vector<Chunk> chunks_of(const TestFile& f) {
  std::string text = read_file(f.path);
  switch (f.mode) {
    case Mode::ExecChunks:
    case Mode::ResolveChunks:
    case Mode::ParseChunks:
      return split_chunks(text);
    default:
      return {whole_file(text)};
  }
}

void run_file(const TestFile& f, const RunLimits& limits,
              const std::function<void(const ChunkResult&)>& on_chunk) {
  const OptionStyle style = f.options;
  for (const Chunk& chunk : chunks_of(f)) {
    ChunkResult r;
    switch (f.mode) {
      case Mode::ExecChunks: r = run_exec_chunk(f, chunk, style, limits); break;
      case Mode::ExecWhole: r = run_exec_whole(f, chunk, limits); break;
      case Mode::Program: r = run_program(f, chunk, limits); break;
      case Mode::Bench: r = run_bench(f, chunk, style, limits); break;
      case Mode::ResolveChunks: r = run_resolve_chunk(f, chunk, style); break;
      case Mode::ParseChunks: r = run_parse_chunk(f, chunk); break;
      case Mode::ParseWhole: {
        ChunkChecker checker(chunk);
        try {
          parse_file(f.path, chunk.source);
        } catch (const SourceErrors& e) {
          checker.fail("parse error: " + describe(e));
        }
        r = finish(chunk, checker);
        break;
      }
      case Mode::Skip: return;
    }
    on_chunk(r);
  }
}

}  // namespace faultbox::star::conformance
