// Tests of the static resolver (spec/resolve): starlark-go's own resolver
// test file, run chunk by chunk with its expectations checked exactly, and
// the annotations the evaluator relies on (scopes, slots, cells, free
// variables, parameter layout).
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "spec/resolve/Resolver.h"
#include "spec/resolve/Spelling.h"
#include "spec/syntax/Parser.h"

namespace faultbox::star {
namespace {

const char* const kDebianResolveStar = "/usr/share/gocode/src/go.starlark.net/resolve/testdata/resolve.star";

// --- environment -------------------------------------------------------------

// starlark-go's resolver test environment: "M" is predeclared, "U" and
// "float" are universal.
ResolveEnv test_env(Dialect dialect, std::set<std::string> predeclared = {"M"},
                    std::set<std::string> universal = {"U", "float"}) {
  auto pre = std::make_shared<std::set<std::string>>(std::move(predeclared));
  auto uni = std::make_shared<std::set<std::string>>(std::move(universal));
  ResolveEnv env;
  env.dialect = dialect;
  env.is_predeclared = [pre](std::string_view n) { return pre->count(std::string(n)) != 0; };
  env.is_universal = [uni](std::string_view n) { return uni->count(std::string(n)) != 0; };
  env.candidate_names = [pre, uni](std::vector<std::string>& out) {
    out.insert(out.end(), pre->begin(), pre->end());
    out.insert(out.end(), uni->begin(), uni->end());
  };
  return env;
}

std::shared_ptr<File> resolve_ok(const std::string& src, Dialect dialect = Dialect{}) {
  auto file = parse_file("test.star", src);
  try {
    resolve_file(*file, test_env(dialect));
  } catch (const SourceErrors& e) {
    ADD_FAILURE() << "unexpected resolve error: " << e.what();
  }
  return file;
}

std::vector<SourceError> resolve_errors(const std::string& src, Dialect dialect = Dialect{},
                                        std::set<std::string> predeclared = {"M"}) {
  auto file = parse_file("test.star", src);
  try {
    resolve_file(*file, test_env(dialect, std::move(predeclared)));
  } catch (const SourceErrors& e) {
    return e.errors();
  }
  return {};
}

// --- chunked test files (starlark-go's internal/chunkedfile) ------------------

// Decodes a Go string literal: "..." with escapes, or `...` raw.
bool go_unquote(std::string s, std::string& out) {
  out.clear();
  if (s.size() < 2) return false;
  char q = s.front();
  if (s.back() != q) return false;
  s = s.substr(1, s.size() - 2);
  if (q == '`') {
    out = s;
    return true;
  }
  if (q != '"') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i == s.size()) return false;
    switch (s[i]) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case '\\': out.push_back('\\'); break;
      case '"': out.push_back('"'); break;
      case '\'': out.push_back('\''); break;
      default: return false;
    }
  }
  return true;
}

struct Chunk {
  std::string source;                 // padded so line numbers match the file
  std::map<int, std::string> want;    // line -> regexp
  int first_line = 1;
};

std::vector<Chunk> read_chunks(const std::string& text) {
  std::vector<Chunk> chunks;
  int linenum = 1;
  size_t start = 0;
  const std::string sep = "\n---\n";
  while (true) {
    size_t end = text.find(sep, start);
    std::string body = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    Chunk c;
    c.first_line = linenum;
    c.source = std::string(linenum - 1, '\n') + body;
    std::istringstream lines(body);
    std::string line;
    // std::getline drops a final empty line; count lines as Go's Split does.
    size_t nlines = std::count(body.begin(), body.end(), '\n') + 1;
    for (size_t j = 0; j < nlines; ++j, ++linenum) {
      if (!std::getline(lines, line)) line.clear();
      size_t h = line.find("###");
      if (h == std::string::npos) continue;
      std::string rest = line.substr(h + 3);
      rest.erase(0, rest.find_first_not_of(" \t"));
      rest.erase(rest.find_last_not_of(" \t\r") + 1);
      std::string pattern;
      EXPECT_TRUE(go_unquote(rest, pattern)) << "line " << linenum << ": not a quoted regexp: " << rest;
      c.want[linenum] = pattern;
    }
    ++linenum;  // the "---" line
    chunks.push_back(std::move(c));
    if (end == std::string::npos) break;
    start = end + sep.size();
  }
  return chunks;
}

bool has_option(const std::string& src, const std::string& name) {
  return src.find("option:" + name) != std::string::npos;
}

// The chunk's dialect. Older test files spell top-level control as
// "globalreassign" and while loops as "recursion" (starlark-go's legacy
// flags); newer ones have an option per feature. Both are honoured.
Dialect chunk_dialect(const std::string& src) {
  Dialect d;
  d.set = has_option(src, "set");
  d.global_reassign = has_option(src, "globalreassign");
  d.recursion = has_option(src, "recursion");
  d.while_ = has_option(src, "while") || d.recursion;
  d.toplevel_control = has_option(src, "toplevelcontrol") || d.global_reassign;
  d.load_binds_globally = has_option(src, "loadbindsglobally");
  return d;
}

// Runs every chunk of a resolver test file; returns one line per mismatch.
std::vector<std::string> run_chunked_file(const std::string& path, const std::string& text, int* nchunks,
                                          std::set<std::string> universal = {"U", "float"}) {
  std::vector<std::string> failures;
  auto chunks = read_chunks(text);
  *nchunks = static_cast<int>(chunks.size());
  for (Chunk& c : chunks) {
    std::string where = path + " (chunk at line " + std::to_string(c.first_line) + ")";
    std::shared_ptr<File> file;
    try {
      file = parse_file(path, c.source);
    } catch (const SourceErrors& e) {
      failures.push_back(where + ": parse error: " + e.what());
      continue;
    }
    std::vector<SourceError> got;
    try {
      resolve_file(*file, test_env(chunk_dialect(c.source), {"M"}, universal));
    } catch (const SourceErrors& e) {
      got = e.errors();
    }
    auto want = c.want;
    for (const SourceError& err : got) {
      auto it = want.find(err.pos.line);
      if (it == want.end()) {
        failures.push_back(where + ": line " + std::to_string(err.pos.line) + ": unexpected error: " + err.msg);
        continue;
      }
      RE2 rx(it->second);
      if (!rx.ok()) {
        failures.push_back(where + ": bad regexp " + it->second);
      } else if (!RE2::PartialMatch(err.msg, rx)) {
        failures.push_back(where + ": line " + std::to_string(err.pos.line) + ": error \"" + err.msg +
                           "\" does not match \"" + it->second + "\"");
      }
      want.erase(it);
    }
    for (const auto& [line, rx] : want) {
      failures.push_back(where + ": line " + std::to_string(line) + ": expected error matching \"" + rx + "\"");
    }
  }
  return failures;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ResolverConformance, StarlarkGoResolveStar) {
  std::string text = read_text(kDebianResolveStar);
  if (text.empty()) GTEST_FAIL() << kDebianResolveStar << " not installed (golang-starlark-dev)";
  int nchunks = 0;
  auto failures = run_chunked_file(kDebianResolveStar, text, &nchunks);
  EXPECT_GE(nchunks, 40);
  for (const auto& f : failures) ADD_FAILURE() << f;
}

// The same kind of file, written for the per-feature options of newer
// starlark-go releases (toplevelcontrol, while) and our additions.
const char* const kNewerOptionChunks = R"(# option:toplevelcontrol
if M:
    load("foo", "bar") ### "load statement within a conditional"
---
# option:toplevelcontrol
for x in M:
    load("foo", "bar") ### "load statement within a loop"
---
# option:toplevelcontrol option:while
while M:
    load("foo", "bar") ### "load statement within a loop"
---
# option:toplevelcontrol
for x in "abc": # ok
  pass

if x: # ok
  pass
x = 2 ### "cannot reassign global x declared at"
---
# option:while
def f():
  while U: # ok
    pass

while U: ### "while loop not within a function"
  pass
---
# option:toplevelcontrol
while U: ### "dialect does not support while loops"
  pass
---
# option:while option:toplevelcontrol
while U: # ok
  pass
---
x = set() ### "dialect does not support sets"
---
# option:set
x = set()
---
def f():
  for x in M:
    def g():
      break ### "break not in a loop"
---
if M: ### "if statement not within a function"
  pass
elif U: ### "if statement not within a function"
  pass
)";

TEST(ResolverConformance, NewerOptionNames) {
  int nchunks = 0;
  auto failures = run_chunked_file("newer.star", kNewerOptionChunks, &nchunks, {"U", "float", "set"});
  EXPECT_EQ(nchunks, 11);
  for (const auto& f : failures) ADD_FAILURE() << f;
}

// --- annotations -----------------------------------------------------------

template <class T>
T* as(Node* n, NodeKind k) {
  EXPECT_EQ(n->kind, k);
  return static_cast<T*>(n);
}

Function* def_fn(Stmt* s) { return as<DefStmt>(s, NodeKind::DefStmt)->fn; }

// The Ident of `return NAME` (the last statement of a body).
Ident* returned_ident(const std::vector<Stmt*>& body) {
  auto* r = as<ReturnStmt>(body.back(), NodeKind::ReturnStmt);
  return as<Ident>(r->result, NodeKind::Ident);
}

TEST(Resolver, GlobalsGetSlotsInOrderAndShareOneBinding) {
  auto file = resolve_ok("a = 1\nb = a\nc = a + b\n");
  ASSERT_EQ(file->globals.size(), 3u);
  auto* s0 = as<AssignStmt>(file->stmts[0], NodeKind::AssignStmt);
  auto* s1 = as<AssignStmt>(file->stmts[1], NodeKind::AssignStmt);
  auto* s2 = as<AssignStmt>(file->stmts[2], NodeKind::AssignStmt);
  Binding* a = as<Ident>(s0->lhs, NodeKind::Ident)->binding;
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->scope, Scope::Global);
  EXPECT_EQ(a->index, 0);
  EXPECT_EQ(file->globals[0], a);
  EXPECT_EQ(as<Ident>(s1->rhs, NodeKind::Ident)->binding, a);
  auto* sum = as<BinaryExpr>(s2->rhs, NodeKind::BinaryExpr);
  EXPECT_EQ(as<Ident>(sum->x, NodeKind::Ident)->binding, a);
  Binding* b = as<Ident>(sum->y, NodeKind::Ident)->binding;
  EXPECT_EQ(b->scope, Scope::Global);
  EXPECT_EQ(b->index, 1);
  EXPECT_EQ(as<Ident>(s2->lhs, NodeKind::Ident)->binding->index, 2);
  EXPECT_EQ(a->first, as<Ident>(s0->lhs, NodeKind::Ident));
}

TEST(Resolver, FunctionMayReferToLaterGlobal) {
  auto file = resolve_ok("def f():\n  return g\ng = 1\n");
  Ident* g = returned_ident(def_fn(file->stmts[0])->body);
  EXPECT_EQ(g->binding->scope, Scope::Global);
  EXPECT_EQ(g->binding->index, 1);
  EXPECT_EQ(g->binding, file->globals[1]);
}

TEST(Resolver, PredeclaredAndUniversal) {
  auto file = resolve_ok("x = M\ny = U\nz = M\n");
  auto rhs = [&](int i) { return as<Ident>(as<AssignStmt>(file->stmts[i], NodeKind::AssignStmt)->rhs, NodeKind::Ident); };
  EXPECT_EQ(rhs(0)->binding->scope, Scope::Predeclared);
  EXPECT_EQ(rhs(1)->binding->scope, Scope::Universal);
  EXPECT_EQ(rhs(0)->binding, rhs(2)->binding);
}

TEST(Resolver, ParameterSlotsFollowTheDocumentedOrder) {
  auto file = resolve_ok("def f(a, b=1, *args, c, d=2, **kw):\n  e = a\n  return e\n");
  Function* fn = def_fn(file->stmts[0]);
  EXPECT_EQ(fn->name, "f");
  EXPECT_TRUE(fn->has_varargs);
  EXPECT_TRUE(fn->has_kwargs);
  EXPECT_EQ(fn->num_params, 6);
  EXPECT_EQ(fn->num_kwonly, 2);
  std::vector<std::string> names;
  for (Binding* b : fn->locals) {
    names.push_back(b->first->name);
    EXPECT_EQ(b->scope, Scope::Local);
    EXPECT_EQ(b->index, static_cast<int32_t>(names.size() - 1));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "args", "kw", "e"}));
  EXPECT_TRUE(fn->freevars.empty());
}

TEST(Resolver, BareStarIsNotVarargs) {
  auto file = resolve_ok("def g(a, *, b, c=3):\n  pass\nh = lambda *xs, **kw: xs\n");
  Function* g = def_fn(file->stmts[0]);
  EXPECT_FALSE(g->has_varargs);
  EXPECT_FALSE(g->has_kwargs);
  EXPECT_EQ(g->num_params, 3);
  EXPECT_EQ(g->num_kwonly, 2);
  auto* lam = as<LambdaExpr>(as<AssignStmt>(file->stmts[1], NodeKind::AssignStmt)->rhs, NodeKind::LambdaExpr);
  EXPECT_TRUE(lam->fn->has_varargs);
  EXPECT_TRUE(lam->fn->has_kwargs);
  EXPECT_EQ(lam->fn->num_params, 2);
  EXPECT_EQ(lam->fn->num_kwonly, 0);
  Ident* xs = returned_ident(lam->fn->body);
  EXPECT_EQ(xs->binding->scope, Scope::Local);
  EXPECT_EQ(xs->binding->index, 0);
}

TEST(Resolver, CapturedLocalBecomesCellAndFreeVarsChainThroughMiddleFunction) {
  auto file = resolve_ok(
      "def outer():\n"
      "  x = 1\n"
      "  def middle():\n"
      "    def inner():\n"
      "      return x\n"
      "    return inner\n"
      "  return middle\n");
  Function* outer = def_fn(file->stmts[0]);
  ASSERT_EQ(outer->locals.size(), 2u);
  Binding* x = outer->locals[0];
  EXPECT_EQ(x->first->name, "x");
  EXPECT_EQ(x->scope, Scope::Cell);
  EXPECT_EQ(x->index, 0);
  EXPECT_EQ(outer->locals[1]->scope, Scope::Local);  // middle is not captured
  EXPECT_TRUE(outer->freevars.empty());

  Function* middle = def_fn(outer->body[1]);
  ASSERT_EQ(middle->freevars.size(), 1u);
  EXPECT_EQ(middle->freevars[0], x);  // captures outer's cell
  Function* inner = def_fn(middle->body[0]);
  ASSERT_EQ(inner->freevars.size(), 1u);
  Binding* middle_x = inner->freevars[0];  // captures middle's free variable
  EXPECT_EQ(middle_x->scope, Scope::Free);
  EXPECT_EQ(middle_x->index, 0);
  Ident* use = returned_ident(inner->body);
  EXPECT_EQ(use->binding->scope, Scope::Free);
  EXPECT_EQ(use->binding->index, 0);
  EXPECT_NE(use->binding, middle_x);  // inner's own view of it
  // "middle" in "return middle" is outer's plain local.
  EXPECT_EQ(returned_ident(outer->body)->binding, outer->locals[1]);
}

TEST(Resolver, OneFreeVariablePerNameEvenWhenUsedTwice) {
  auto file = resolve_ok(
      "def f(a, b):\n"
      "  def g():\n"
      "    return b + a + b\n"
      "  return g\n");
  Function* f = def_fn(file->stmts[0]);
  Function* g = def_fn(f->body[0]);
  ASSERT_EQ(g->freevars.size(), 2u);
  EXPECT_EQ(g->freevars[0], f->locals[1]);  // b first: order of first use
  EXPECT_EQ(g->freevars[1], f->locals[0]);
  EXPECT_EQ(f->locals[0]->scope, Scope::Cell);
  EXPECT_EQ(f->locals[1]->scope, Scope::Cell);
  auto* r = as<ReturnStmt>(g->body[0], NodeKind::ReturnStmt);
  auto* outer_sum = as<BinaryExpr>(r->result, NodeKind::BinaryExpr);
  auto* inner_sum = as<BinaryExpr>(outer_sum->x, NodeKind::BinaryExpr);
  EXPECT_EQ(as<Ident>(inner_sum->x, NodeKind::Ident)->binding, as<Ident>(outer_sum->y, NodeKind::Ident)->binding);
}

TEST(Resolver, ComprehensionVariablesAreLocalsOfTheEnclosingFunction) {
  auto file = resolve_ok("def f(n):\n  return [y * n for y in n if y]\n");
  Function* f = def_fn(file->stmts[0]);
  ASSERT_EQ(f->locals.size(), 2u);
  EXPECT_EQ(f->locals[1]->first->name, "y");
  EXPECT_EQ(f->locals[1]->scope, Scope::Local);
  EXPECT_TRUE(f->freevars.empty());
  auto* comp = as<Comprehension>(as<ReturnStmt>(f->body[0], NodeKind::ReturnStmt)->result, NodeKind::Comprehension);
  auto* body = as<BinaryExpr>(comp->body, NodeKind::BinaryExpr);
  EXPECT_EQ(as<Ident>(body->x, NodeKind::Ident)->binding, f->locals[1]);
  EXPECT_EQ(as<Ident>(body->y, NodeKind::Ident)->binding, f->locals[0]);
}

TEST(Resolver, FirstIterableOfAComprehensionIsResolvedOutside) {
  // In [x for x in x] the last x is the global.
  auto file = resolve_ok("x = [1]\ny = [x for x in x]\n");
  auto* comp = as<Comprehension>(as<AssignStmt>(file->stmts[1], NodeKind::AssignStmt)->rhs, NodeKind::Comprehension);
  EXPECT_EQ(as<Ident>(comp->clauses[0].x, NodeKind::Ident)->binding->scope, Scope::Global);
  Binding* inner = as<Ident>(comp->clauses[0].vars, NodeKind::Ident)->binding;
  EXPECT_EQ(inner->scope, Scope::Local);
  EXPECT_EQ(as<Ident>(comp->body, NodeKind::Ident)->binding, inner);
  ASSERT_EQ(file->toplevel.locals.size(), 1u);  // toplevel comprehension locals live in the file
  EXPECT_EQ(file->toplevel.locals[0], inner);
}

TEST(Resolver, LambdaInToplevelComprehensionCapturesAFileCell) {
  auto file = resolve_ok("fs = [lambda: i for i in [1, 2]]\n");
  ASSERT_EQ(file->toplevel.locals.size(), 1u);
  Binding* i = file->toplevel.locals[0];
  EXPECT_EQ(i->scope, Scope::Cell);
  auto* comp = as<Comprehension>(as<AssignStmt>(file->stmts[0], NodeKind::AssignStmt)->rhs, NodeKind::Comprehension);
  auto* lam = as<LambdaExpr>(comp->body, NodeKind::LambdaExpr);
  ASSERT_EQ(lam->fn->freevars.size(), 1u);
  EXPECT_EQ(lam->fn->freevars[0], i);
  EXPECT_EQ(returned_ident(lam->fn->body)->binding->scope, Scope::Free);
}

TEST(Resolver, LoadBindingsAreFileLocalUnlessLoadBindsGlobally) {
  const char* src = "load('m', 'a', b = 'c')\ndef f():\n  return a\nx = b\n";
  {
    auto file = resolve_ok(src);
    ASSERT_EQ(file->toplevel.locals.size(), 2u);
    EXPECT_EQ(file->toplevel.locals[0]->first->name, "a");
    EXPECT_EQ(file->toplevel.locals[0]->scope, Scope::Cell);  // captured by f
    EXPECT_EQ(file->toplevel.locals[1]->scope, Scope::Local);
    Function* f = def_fn(file->stmts[1]);
    ASSERT_EQ(f->freevars.size(), 1u);
    EXPECT_EQ(f->freevars[0], file->toplevel.locals[0]);
    auto* load = as<LoadStmt>(file->stmts[0], NodeKind::LoadStmt);
    EXPECT_EQ(load->to[1]->binding, file->toplevel.locals[1]);
    EXPECT_EQ(as<Ident>(as<AssignStmt>(file->stmts[2], NodeKind::AssignStmt)->rhs, NodeKind::Ident)->binding,
              file->toplevel.locals[1]);
    ASSERT_EQ(file->globals.size(), 2u);  // f, x
  }
  {
    Dialect d;
    d.load_binds_globally = true;
    auto file = resolve_ok(src, d);
    EXPECT_TRUE(file->toplevel.locals.empty());
    ASSERT_EQ(file->globals.size(), 4u);  // a, b, f, x
    Function* f = def_fn(file->stmts[1]);
    EXPECT_TRUE(f->freevars.empty());
    EXPECT_EQ(returned_ident(f->body)->binding, file->globals[0]);
  }
}

TEST(Resolver, LocalUsedBeforeAssignmentIsStillLocal) {
  auto file = resolve_ok("x = 1\ndef f():\n  y = x\n  x = 2\n");
  Function* f = def_fn(file->stmts[1]);
  auto* s = as<AssignStmt>(f->body[0], NodeKind::AssignStmt);
  Binding* x = as<Ident>(s->rhs, NodeKind::Ident)->binding;
  EXPECT_EQ(x->scope, Scope::Local);
  EXPECT_EQ(x, as<Ident>(as<AssignStmt>(f->body[1], NodeKind::AssignStmt)->lhs, NodeKind::Ident)->binding);
}

// --- errors ------------------------------------------------------------------

TEST(ResolverErrors, AllErrorsAreReportedInSourceOrder) {
  auto errs = resolve_errors(
      "def f():\n"
      "  return zzz\n"        // found only at the end of the file
      "break\n"
      "x = 1\n"
      "x = 2\n"
      "def g(a, a):\n"
      "  return qqq\n");
  ASSERT_EQ(errs.size(), 5u);
  EXPECT_EQ(errs[0].msg, "undefined: zzz");
  EXPECT_EQ(errs[0].pos.line, 2);
  EXPECT_EQ(errs[0].pos.col, 10);
  EXPECT_EQ(errs[0].path, "test.star");
  EXPECT_EQ(errs[1].msg, "break not in a loop");
  EXPECT_EQ(errs[1].pos.line, 3);
  EXPECT_EQ(errs[2].msg, "cannot reassign global x declared at test.star:4:1");
  EXPECT_EQ(errs[2].pos.line, 5);
  EXPECT_EQ(errs[3].msg, "duplicate parameter: a");
  EXPECT_EQ(errs[3].pos.line, 6);
  EXPECT_EQ(errs[3].pos.col, 10);
  EXPECT_EQ(errs[4].msg, "undefined: qqq");
}

TEST(ResolverErrors, DidYouMeanSuggestsPredeclaredNames) {
  auto errs = resolve_errors("servce(name = 'api')\n", Dialect{}, {"service", "interface"});
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].msg, "undefined: servce (did you mean service?)");
  EXPECT_EQ(errs[0].pos.col, 1);
}

TEST(ResolverErrors, DidYouMeanSuggestsLocalsAndNothingFarAway) {
  auto errs = resolve_errors("def f(request):\n  return reqest + totally_unrelated\n");
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0].msg, "undefined: reqest (did you mean request?)");
  EXPECT_EQ(errs[1].msg, "undefined: totally_unrelated");
}

TEST(ResolverErrors, AnUndefinedNameIsNoSuggestionForAnother) {
  auto errs = resolve_errors("def f():\n  return foo + fooo\n");
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0].msg, "undefined: foo");
  EXPECT_EQ(errs[1].msg, "undefined: fooo");
}

TEST(ResolverErrors, SetNeedsTheSetOption) {
  Dialect no_set;
  auto file = parse_file("t.star", "s = set([1])\n");
  try {
    resolve_file(*file, test_env(no_set, {}, {"set"}));
    ADD_FAILURE() << "expected an error";
  } catch (const SourceErrors& e) {
    ASSERT_EQ(e.errors().size(), 1u);
    EXPECT_EQ(e.errors()[0].msg, "this Starlark dialect does not support sets");
  }
  Dialect with_set;
  with_set.set = true;
  auto file2 = parse_file("t.star", "s = set([1])\n");
  EXPECT_NO_THROW(resolve_file(*file2, test_env(with_set, {}, {"set"})));
}

TEST(ResolverErrors, SpecDialectAllowsToplevelControlAndWhile) {
  auto file = parse_file("t.star", "x = 0\nwhile x < 3:\n  x += 1\nif x:\n  pass\nfor i in [1]:\n  pass\n");
  EXPECT_THROW(resolve_file(*file, test_env(Dialect::spec())), SourceErrors);  // x += 1 reassigns a global
  auto file2 = parse_file("t.star", "def f():\n  x = 0\n  while x < 3:\n    x += 1\nif f:\n  pass\nfor i in [1]:\n  pass\n");
  EXPECT_NO_THROW(resolve_file(*file2, test_env(Dialect::spec())));
}

TEST(ResolverErrors, CallArgumentLimit) {
  std::string src = "M(";
  for (int i = 0; i < 256; ++i) src += "1, ";
  src += ")\n";
  auto errs = resolve_errors(src);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].msg, "256 positional arguments in call, limit is 255");
}

TEST(ResolverErrors, AssignmentTargets) {
  // As in starlark-go, an undefined name is reported once per function.
  auto errs = resolve_errors("def f():\n  x.y = 1\n  x[0] = 2\n  (a, [b, c]) = 3, (4, 5)\n  -a = 1\n  for f() in []: pass\n  [e for (e, 1) in []]\n");
  ASSERT_EQ(errs.size(), 4u);
  EXPECT_EQ(errs[0].msg, "undefined: x");
  EXPECT_EQ(errs[0].pos.line, 2);
  EXPECT_EQ(errs[1].msg, "can't assign to unaryexpr");
  EXPECT_EQ(errs[2].msg, "can't assign to callexpr");
  EXPECT_EQ(errs[3].msg, "can't assign to literal");
}

// --- robustness ---------------------------------------------------------------

TEST(Resolver, DeeplyNestedFunctionsCaptureThroughEveryLevel) {
  const int depth = 40;
  std::string src;
  for (int i = 0; i < depth; ++i) {
    src += std::string(2 * i, ' ') + "def f" + std::to_string(i) + "():\n";
    if (i == 0) src += "  v = 1\n";
  }
  src += std::string(2 * depth, ' ') + "return v\n";
  auto file = resolve_ok(src);
  Function* fn = def_fn(file->stmts[0]);
  EXPECT_EQ(fn->locals[0]->scope, Scope::Cell);
  for (int i = 1; i < depth; ++i) {
    fn = def_fn(fn->body.back());
    ASSERT_EQ(fn->freevars.size(), 1u) << "level " << i;
  }
  EXPECT_EQ(returned_ident(fn->body)->binding->scope, Scope::Free);
}

TEST(Resolver, DeepLambdaNestingNearTheParserLimit) {
  const int depth = 150;  // each lambda is two tree levels (lambda, return); the parser allows 500
  std::string src = "def f(v):\n  return ";
  for (int i = 0; i < depth; ++i) src += "lambda: ";
  src += "[v for w in (((((v)))))]\n";
  auto file = resolve_ok(src);
  Function* fn = def_fn(file->stmts[0]);
  EXPECT_EQ(fn->locals[0]->scope, Scope::Cell);
  Expr* e = as<ReturnStmt>(fn->body[0], NodeKind::ReturnStmt)->result;
  int levels = 0;
  while (e->kind == NodeKind::LambdaExpr) {
    Function* lam = static_cast<LambdaExpr*>(e)->fn;
    ASSERT_EQ(lam->freevars.size(), 1u);
    e = as<ReturnStmt>(lam->body[0], NodeKind::ReturnStmt)->result;
    ++levels;
  }
  EXPECT_EQ(levels, depth);
  auto* comp = as<Comprehension>(e, NodeKind::Comprehension);
  EXPECT_EQ(as<Ident>(comp->body, NodeKind::Ident)->binding->scope, Scope::Free);
}

TEST(Resolver, ManyGlobalsAndManyUndefinedNames) {
  std::string src;
  for (int i = 0; i < 2000; ++i) src += "g" + std::to_string(i) + " = h" + std::to_string(i) + "\n";
  auto errs = resolve_errors(src);
  EXPECT_EQ(errs.size(), 2000u);
  EXPECT_EQ(errs.front().pos.line, 1);
  EXPECT_EQ(errs.back().pos.line, 2000);
}

// --- spelling -------------------------------------------------------------------

TEST(Spelling, NearestName) {
  EXPECT_EQ(nearest_name("hollo", {"hello", "print"}), "hello");
  EXPECT_EQ(nearest_name("abd", {"abs", "abc"}), "abc");  // ties: smallest name
  EXPECT_EQ(nearest_name("goodbye", {"hello", "abc"}), "");
  EXPECT_EQ(nearest_name("Depends_On", {"dependson", "x"}), "dependson");  // case and _ ignored
  EXPECT_EQ(nearest_name("x", {"y"}), "");  // one letter of one is more than half wrong
  EXPECT_EQ(nearest_name("ab", {"abc"}), "");
  EXPECT_EQ(nearest_name("abc", {"abcd"}), "abcd");
  EXPECT_EQ(nearest_name("servce", {"service", "serve"}), "serve");
}

}  // namespace
}  // namespace faultbox::star
