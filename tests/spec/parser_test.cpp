// Tests of the Starlark parser: the tree built for each construct, operator
// precedence, node positions, every error of starlark-go's syntax test file,
// and robustness (nesting limits, linear time).
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "spec/syntax/Parser.h"
#include "spec/syntax/Walk.h"

namespace faultbox::star {
namespace {

// ---------------------------------------------------------------------------
// A compact S-expression rendering of the tree, to state expected shapes.

std::string dump(const Node* n);

std::string dump_list(const std::vector<Stmt*>& stmts) {
  std::string s;
  for (const Stmt* st : stmts) {
    if (!s.empty()) s += ' ';
    s += dump(st);
  }
  return s;
}

std::string dump_params(const Function* fn) {
  std::string s = "(";
  for (size_t i = 0; i < fn->params.size(); ++i) {
    const Param& p = fn->params[i];
    if (i > 0) s += ' ';
    switch (p.kind) {
      case Param::Kind::Normal: s += p.name->name; break;
      case Param::Kind::Default: s += p.name->name + "=" + dump(p.default_value); break;
      case Param::Kind::Star: s += "*" + (p.name ? p.name->name : std::string()); break;
      case Param::Kind::StarStar: s += "**" + p.name->name; break;
    }
  }
  return s + ")";
}

std::string dump(const Node* n) {
  if (n == nullptr) return "_";
  switch (n->kind) {
    case NodeKind::Ident: return static_cast<const Ident*>(n)->name;
    case NodeKind::Literal: return static_cast<const Literal*>(n)->raw;
    case NodeKind::ParenExpr: return "(paren " + dump(static_cast<const ParenExpr*>(n)->x) + ")";
    case NodeKind::ListExpr: {
      std::string s = "[";
      for (const Expr* e : static_cast<const ListExpr*>(n)->elems) s += (s.size() > 1 ? " " : "") + dump(e);
      return s + "]";
    }
    case NodeKind::TupleExpr: {
      auto* t = static_cast<const TupleExpr*>(n);
      std::string s = t->parenthesized ? "(ptuple" : "(tuple";
      for (const Expr* e : t->elems) s += " " + dump(e);
      return s + ")";
    }
    case NodeKind::DictExpr: {
      std::string s = "{";
      for (const DictEntry* e : static_cast<const DictExpr*>(n)->entries) {
        s += (s.size() > 1 ? " " : "") + dump(e);
      }
      return s + "}";
    }
    case NodeKind::DictEntry: {
      auto* e = static_cast<const DictEntry*>(n);
      return dump(e->key) + ":" + dump(e->value);
    }
    case NodeKind::UnaryExpr: {
      auto* u = static_cast<const UnaryExpr*>(n);
      return "(" + std::string(token_name(u->op)) + " " + dump(u->x) + ")";
    }
    case NodeKind::BinaryExpr: {
      auto* b = static_cast<const BinaryExpr*>(n);
      return "(" + std::string(token_name(b->op)) + " " + dump(b->x) + " " + dump(b->y) + ")";
    }
    case NodeKind::CondExpr: {
      auto* c = static_cast<const CondExpr*>(n);
      return "(if " + dump(c->cond) + " " + dump(c->then_) + " " + dump(c->else_) + ")";
    }
    case NodeKind::DotExpr: {
      auto* d = static_cast<const DotExpr*>(n);
      return "(. " + dump(d->x) + " " + d->name->name + ")";
    }
    case NodeKind::IndexExpr: {
      auto* i = static_cast<const IndexExpr*>(n);
      return "(index " + dump(i->x) + " " + dump(i->index) + ")";
    }
    case NodeKind::SliceExpr: {
      auto* s = static_cast<const SliceExpr*>(n);
      return "(slice " + dump(s->x) + " " + dump(s->lo) + " " + dump(s->hi) + " " + dump(s->step) + ")";
    }
    case NodeKind::CallExpr: {
      auto* c = static_cast<const CallExpr*>(n);
      std::string s = "(call " + dump(c->fn);
      for (const Argument& a : c->args) {
        s += ' ';
        switch (a.kind) {
          case Argument::Kind::Positional: break;
          case Argument::Kind::Named: s += a.name->name + "="; break;
          case Argument::Kind::Star: s += "*"; break;
          case Argument::Kind::StarStar: s += "**"; break;
        }
        s += dump(a.value);
      }
      return s + ")";
    }
    case NodeKind::LambdaExpr: {
      auto* fn = static_cast<const LambdaExpr*>(n)->fn;
      return "(lambda " + dump_params(fn) + " " + dump_list(fn->body) + ")";
    }
    case NodeKind::Comprehension: {
      auto* c = static_cast<const Comprehension*>(n);
      std::string s = std::string("(comp") + (c->curly ? "{ " : "[ ") + dump(c->body);
      for (const ComprehensionClause& cl : c->clauses) {
        if (cl.kind == ComprehensionClause::Kind::For) {
          s += " (for " + dump(cl.vars) + " " + dump(cl.x) + ")";
        } else {
          s += " (if " + dump(cl.x) + ")";
        }
      }
      return s + ")";
    }
    case NodeKind::ExprStmt: return "(expr " + dump(static_cast<const ExprStmt*>(n)->x) + ")";
    case NodeKind::AssignStmt: {
      auto* a = static_cast<const AssignStmt*>(n);
      return "(" + std::string(token_name(a->op)) + " " + dump(a->lhs) + " " + dump(a->rhs) + ")";
    }
    case NodeKind::DefStmt: {
      auto* d = static_cast<const DefStmt*>(n);
      return "(def " + d->name->name + " " + dump_params(d->fn) + " " + dump_list(d->fn->body) + ")";
    }
    case NodeKind::IfStmt: {
      auto* i = static_cast<const IfStmt*>(n);
      std::string s = "(if " + dump(i->cond) + " (" + dump_list(i->then_) + ")";
      if (!i->else_.empty()) s += " else (" + dump_list(i->else_) + ")";
      return s + ")";
    }
    case NodeKind::ForStmt: {
      auto* f = static_cast<const ForStmt*>(n);
      return "(for " + dump(f->vars) + " " + dump(f->x) + " " + dump_list(f->body) + ")";
    }
    case NodeKind::WhileStmt: {
      auto* w = static_cast<const WhileStmt*>(n);
      return "(while " + dump(w->cond) + " " + dump_list(w->body) + ")";
    }
    case NodeKind::BranchStmt: return std::string(token_name(static_cast<const BranchStmt*>(n)->token));
    case NodeKind::ReturnStmt: return "(return " + dump(static_cast<const ReturnStmt*>(n)->result) + ")";
    case NodeKind::LoadStmt: {
      auto* l = static_cast<const LoadStmt*>(n);
      std::string s = "(load " + dump(l->module);
      for (size_t i = 0; i < l->to.size(); ++i) s += " " + l->to[i]->name + "=" + l->from[i]->name;
      return s + ")";
    }
  }
  return "?";
}

// The statements of src as S-expressions, or the first error.
std::string parse(const std::string& src) {
  try {
    return dump_list(parse_file("t.star", src)->stmts);
  } catch (const SourceErrors& e) {
    return e.errors().at(0).str();
  }
}

std::string parse_error(const std::string& src) {
  try {
    parse_file("t.star", src);
  } catch (const SourceErrors& e) {
    EXPECT_EQ(e.errors().size(), 1u);
    return e.errors().at(0).str();
  }
  return "no error";
}

// ---------------------------------------------------------------------------
// Shapes

TEST(ParserTest, SimpleStatements) {
  EXPECT_EQ(parse("x = 1"), "(= x 1)");
  EXPECT_EQ(parse("x += 1; y -= 2;\nz //= 3"), "(+= x 1) (-= y 2) (//= z 3)");
  EXPECT_EQ(parse("a *= 1\na /= 1\na %= 1\na &= 1\na |= 1\na ^= 1\na <<= 1\na >>= 1"),
            "(*= a 1) (/= a 1) (%= a 1) (&= a 1) (|= a 1) (^= a 1) (<<= a 1) (>>= a 1)");
  EXPECT_EQ(parse("f(x)"), "(expr (call f x))");
  EXPECT_EQ(parse("pass; break; continue"), "pass break continue");
  EXPECT_EQ(parse("return"), "(return _)");
  EXPECT_EQ(parse("return 1, 2"), "(return (tuple 1 2))");
  EXPECT_EQ(parse("return;"), "(return _)");
  EXPECT_EQ(parse("\"\"\"doc\"\"\"\nx"), "(expr \"\"\"doc\"\"\") (expr x)");
  // Assignment targets are the resolver's to check.
  EXPECT_EQ(parse("f() = 1"), "(= (call f) 1)");
  EXPECT_EQ(parse("1 += 2"), "(+= 1 2)");
  EXPECT_EQ(parse("a, b = b, a"), "(= (tuple a b) (tuple b a))");
  EXPECT_EQ(parse("[a, b] = c"), "(= [a b] c)");
  EXPECT_EQ(parse("(a, b,) = 1, 2"), "(= (ptuple a b) (tuple 1 2))");
  EXPECT_EQ(parse("x.y[0] = z"), "(= (index (. x y) 0) z)");
  EXPECT_EQ(parse("x = y = 1"), "t.star:1:8: got '=', want newline");
}

TEST(ParserTest, CompoundStatements) {
  EXPECT_EQ(parse("def f(): pass"), "(def f () pass)");
  EXPECT_EQ(parse("def f(a, b=1, *args, c, d=2, **kw):\n  return a\n"),
            "(def f (a b=1 *args c d=2 **kw) (return a))");
  EXPECT_EQ(parse("def f(a, *, b): pass"), "(def f (a * b) pass)");
  EXPECT_EQ(parse("def f(a,): pass"), "(def f (a) pass)");
  EXPECT_EQ(parse("def f(*args,): pass"), "(def f (*args) pass)");
  EXPECT_EQ(parse("def f(**kwargs,): pass"), "(def f (**kwargs) pass)");
  // Parameter order is the resolver's to check.
  EXPECT_EQ(parse("def f(**kw, *a, b=1, c): pass"), "(def f (**kw *a b=1 c) pass)");
  EXPECT_EQ(parse("if a:\n  x\nelif b:\n  y\nelif c: z\nelse:\n  w"),
            "(if a ((expr x)) else ((if b ((expr y)) else ((if c ((expr z)) else ((expr w)))))))");
  EXPECT_EQ(parse("if a: pass"), "(if a (pass))");
  EXPECT_EQ(parse("for x in y:\n  f(x)"), "(for x y (expr (call f x)))");
  EXPECT_EQ(parse("for x, y in 1, 2: pass"), "(for (tuple x y) (tuple 1 2) pass)");
  EXPECT_EQ(parse("for x, in y: pass"), "t.star:1:10: got in, want primary expression");
  EXPECT_EQ(parse("for (a, b), c[0] in z: pass"), "(for (tuple (ptuple a b) (index c 0)) z pass)");
  EXPECT_EQ(parse("while x < 10:\n  x += 1\n  break"), "(while (< x 10) (+= x 1) break)");
  EXPECT_EQ(parse("def f():\n  def g():\n    return 1\n  return g\n"),
            "(def f () (def g () (return 1)) (return g))");
  EXPECT_EQ(parse("if x:\n    a\n    if y:\n        b\n    c\nd"),
            "(if x ((expr a) (if y ((expr b))) (expr c))) (expr d)");
}

TEST(ParserTest, LoadStatements) {
  EXPECT_EQ(parse(R"(load("m", "x"))"), R"((load "m" x=x))");
  EXPECT_EQ(parse(R"(load("m", "x", y2="y",))"), R"((load "m" x=x y2=y))");
  EXPECT_EQ(parse(R"(load("m", x2="x", "y"))"), R"((load "m" x2=x y=y))");
  EXPECT_EQ(parse(R"(load('m', '''z'''))"), R"((load 'm' z=z))");
}

TEST(ParserTest, Expressions) {
  EXPECT_EQ(parse("x = [1, 2,]"), "(= x [1 2])");
  EXPECT_EQ(parse("x = []"), "(= x [])");
  EXPECT_EQ(parse("x = ()"), "(= x (ptuple))");
  EXPECT_EQ(parse("x = (1,)"), "(= x (ptuple 1))");
  EXPECT_EQ(parse("x = (1)"), "(= x (paren 1))");
  EXPECT_EQ(parse("x = ((1, 2))"), "(= x (paren (ptuple 1 2)))");
  EXPECT_EQ(parse("x = {}"), "(= x {})");
  EXPECT_EQ(parse("x = {1: 2, 'a': b,}"), "(= x {1:2 'a':b})");
  EXPECT_EQ(parse("x = 1,"), "t.star:1:6: unparenthesized tuple with trailing comma");
  EXPECT_EQ(parse("x = a.b.c"), "(= x (. (. a b) c))");
  EXPECT_EQ(parse("x = a[1][2]"), "(= x (index (index a 1) 2))");
  EXPECT_EQ(parse("x = a[1:2]"), "(= x (slice a 1 2 _))");
  EXPECT_EQ(parse("x = a[::]"), "(= x (slice a _ _ _))");
  EXPECT_EQ(parse("x = a[::-1]"), "(= x (slice a _ _ (- 1)))");
  EXPECT_EQ(parse("x = a[1:]"), "(= x (slice a 1 _ _))");
  EXPECT_EQ(parse("x = a[:2:3]"), "(= x (slice a _ 2 3))");
  EXPECT_EQ(parse("x = a[1, 2]"), "(= x (index a (tuple 1 2)))");
  EXPECT_EQ(parse("x[1, 2:]"), "(expr (slice x (tuple 1 2) _ _))");
  EXPECT_EQ(parse("f(a, b=1, *c, **d)"), "(expr (call f a b=1 *c **d))");
  EXPECT_EQ(parse("f(a, )"), "(expr (call f a))");
  EXPECT_EQ(parse("f(*args, )"), "(expr (call f *args))");
  EXPECT_EQ(parse("f(**kw, )"), "(expr (call f **kw))");
  // Argument order is the resolver's to check.
  EXPECT_EQ(parse("f(b=1, a)"), "(expr (call f b=1 a))");
  EXPECT_EQ(parse("f()()"), "(expr (call (call f)))");
  EXPECT_EQ(parse("x = a if b else c"), "(= x (if b a c))");
  EXPECT_EQ(parse("x = a if b else c if d else e"), "(= x (if b a (if d c e)))");
  EXPECT_EQ(parse("x = lambda: 1"), "(= x (lambda () (return 1)))");
  EXPECT_EQ(parse("x = lambda a, b=2, *c, **d: a if b else c"),
            "(= x (lambda (a b=2 *c **d) (return (if b a c))))");
  EXPECT_EQ(parse("x = lambda *, a: a"), "(= x (lambda (* a) (return a)))");
  EXPECT_EQ(parse("x = -1"), "(= x (- 1))");
  EXPECT_EQ(parse("x = +-~a"), "(= x (+ (- (~ a))))");
  EXPECT_EQ(parse("x = -a.b[0]()"), "(= x (- (call (index (. a b) 0))))");
  EXPECT_EQ(parse("x = not not a"), "(= x (not (not a)))");
  EXPECT_EQ(parse("x = a not in b"), "(= x (not in a b))");
  EXPECT_EQ(parse("x = b'\\x00' + r'\\n'"), "(= x (+ b'\\x00' r'\\n'))");
}

TEST(ParserTest, Comprehensions) {
  EXPECT_EQ(parse("x = [a for a in b]"), "(= x (comp[ a (for a b)))");
  EXPECT_EQ(parse("x = {k: v for k, v in d.items() if k if v for z in k}"),
            "(= x (comp{ k:v (for (tuple k v) (call (. d items))) (if k) (if v) (for z k)))");
  EXPECT_EQ(parse("x = [x for x in (lambda: True, lambda: False) if x()]"),
            "(= x (comp[ x (for x (ptuple (lambda () (return True)) (lambda () (return False)))) "
            "(if (call x))))");
  EXPECT_EQ(parse("x = [a for b in c if lambda: d]"),
            "(= x (comp[ a (for b c) (if (lambda () (return d)))))");
  EXPECT_EQ(parse("x = [a if b else c for d in e]"), "(= x (comp[ (if b a c) (for d e)))");
  EXPECT_EQ(parse("x = [a for b in not c]"), "(= x (comp[ a (for b (not c))))");
  EXPECT_EQ(parse("x = [a for b in c or d]"), "(= x (comp[ a (for b (or c d))))");
}

TEST(ParserTest, OperatorPrecedence) {
  EXPECT_EQ(parse("x = a or b and c"), "(= x (or a (and b c)))");
  EXPECT_EQ(parse("x = a and b or c"), "(= x (or (and a b) c))");
  EXPECT_EQ(parse("x = not a or b"), "(= x (or (not a) b))");
  EXPECT_EQ(parse("x = not a == b"), "(= x (not (== a b)))");
  EXPECT_EQ(parse("x = a and not b"), "(= x (and a (not b)))");
  EXPECT_EQ(parse("x = a == b | c"), "(= x (== a (| b c)))");
  EXPECT_EQ(parse("x = a | b ^ c & d"), "(= x (| a (^ b (& c d))))");
  EXPECT_EQ(parse("x = a & b << c"), "(= x (& a (<< b c)))");
  EXPECT_EQ(parse("x = a << b + c"), "(= x (<< a (+ b c)))");
  EXPECT_EQ(parse("x = a + b * c"), "(= x (+ a (* b c)))");
  EXPECT_EQ(parse("x = a * b + c"), "(= x (+ (* a b) c))");
  EXPECT_EQ(parse("x = a - b - c"), "(= x (- (- a b) c))");
  EXPECT_EQ(parse("x = a / b // c % d * e"), "(= x (* (% (// (/ a b) c) d) e))");
  EXPECT_EQ(parse("x = -a * b"), "(= x (* (- a) b))");
  EXPECT_EQ(parse("x = -a ** b"), "t.star:1:10: got '**', want newline");
  EXPECT_EQ(parse("x = a < b"), "(= x (< a b))");
  EXPECT_EQ(parse("x = a in b"), "(= x (in a b))");
  EXPECT_EQ(parse("x = a >= b != c"), "t.star:1:14: >= does not associate with != (use parens)");
  EXPECT_EQ(parse("x = (a >= b) != c"), "(= x (!= (paren (>= a b)) c))");
  EXPECT_EQ(parse("x = a == b and c == d"), "(= x (and (== a b) (== c d)))");
  EXPECT_EQ(parse("x = a if b or c else d and e"), "(= x (if (or b c) a (and d e)))");
  EXPECT_EQ(parse("x = ~a + b"), "(= x (+ (~ a) b))");
}

// ---------------------------------------------------------------------------
// Positions

TEST(ParserTest, NodePositions) {
  auto f = parse_file("t.star", "x = foo.bar(1, k=2)[3]\n\nif a and b:\n  pass\nelse:\n  y = (1, 2) + [c]");
  ASSERT_EQ(f->stmts.size(), 2u);
  auto* assign = static_cast<AssignStmt*>(f->stmts[0]);
  EXPECT_EQ(assign->pos, (Pos{1, 1}));
  EXPECT_EQ(assign->op_pos, (Pos{1, 3}));
  auto* index = static_cast<IndexExpr*>(assign->rhs);
  ASSERT_EQ(index->kind, NodeKind::IndexExpr);
  EXPECT_EQ(index->pos, (Pos{1, 5}));
  EXPECT_EQ(index->lbrack, (Pos{1, 20}));
  auto* call = static_cast<CallExpr*>(index->x);
  ASSERT_EQ(call->kind, NodeKind::CallExpr);
  EXPECT_EQ(call->pos, (Pos{1, 5}));
  EXPECT_EQ(call->lparen, (Pos{1, 12}));
  EXPECT_EQ(call->rparen, (Pos{1, 19}));
  ASSERT_EQ(call->args.size(), 2u);
  EXPECT_EQ(call->args[0].pos, (Pos{1, 13}));
  EXPECT_EQ(call->args[1].pos, (Pos{1, 16}));
  EXPECT_EQ(call->args[1].name->pos, (Pos{1, 16}));
  EXPECT_EQ(call->args[1].value->pos, (Pos{1, 18}));
  auto* dot = static_cast<DotExpr*>(call->fn);
  EXPECT_EQ(dot->pos, (Pos{1, 5}));
  EXPECT_EQ(dot->dot, (Pos{1, 8}));
  EXPECT_EQ(dot->name->pos, (Pos{1, 9}));

  auto* if_stmt = static_cast<IfStmt*>(f->stmts[1]);
  EXPECT_EQ(if_stmt->pos, (Pos{3, 1}));
  EXPECT_EQ(if_stmt->else_pos, (Pos{5, 1}));
  auto* cond = static_cast<BinaryExpr*>(if_stmt->cond);
  EXPECT_EQ(cond->pos, (Pos{3, 4}));
  EXPECT_EQ(cond->op_pos, (Pos{3, 6}));
  EXPECT_EQ(if_stmt->then_[0]->pos, (Pos{4, 3}));
  auto* y = static_cast<AssignStmt*>(if_stmt->else_[0]);
  auto* plus = static_cast<BinaryExpr*>(y->rhs);
  EXPECT_EQ(plus->pos, (Pos{6, 7}));
  EXPECT_EQ(plus->x->kind, NodeKind::TupleExpr);
  EXPECT_EQ(plus->x->pos, (Pos{6, 7}));  // a parenthesized tuple starts at "("
  EXPECT_EQ(plus->y->pos, (Pos{6, 16}));
}

TEST(ParserTest, MorePositions) {
  auto f = parse_file("t.star",
                      "def f(a, b=1, *c, **d):\n"
                      "  return lambda x: [y for y in x if y]\n"
                      "for i, j in z: k = -i if j else {1: 2}[0:1]\n"
                      "load('mod', 'n', m='o')\n");
  auto* def = static_cast<DefStmt*>(f->stmts[0]);
  EXPECT_EQ(def->pos, (Pos{1, 1}));
  EXPECT_EQ(def->fn->pos, (Pos{1, 1}));
  EXPECT_EQ(def->fn->name, "f");
  EXPECT_EQ(def->name->pos, (Pos{1, 5}));
  ASSERT_EQ(def->fn->params.size(), 4u);
  EXPECT_EQ(def->fn->params[0].pos, (Pos{1, 7}));
  EXPECT_EQ(def->fn->params[1].pos, (Pos{1, 10}));
  EXPECT_EQ(def->fn->params[2].pos, (Pos{1, 15}));
  EXPECT_EQ(def->fn->params[3].pos, (Pos{1, 19}));
  auto* ret = static_cast<ReturnStmt*>(def->fn->body[0]);
  EXPECT_EQ(ret->pos, (Pos{2, 3}));
  auto* lambda = static_cast<LambdaExpr*>(ret->result);
  EXPECT_EQ(lambda->pos, (Pos{2, 10}));
  EXPECT_EQ(lambda->fn->pos, (Pos{2, 10}));
  EXPECT_EQ(lambda->fn->name, "lambda");
  ASSERT_EQ(lambda->fn->body.size(), 1u);
  auto* comp = static_cast<Comprehension*>(static_cast<ReturnStmt*>(lambda->fn->body[0])->result);
  EXPECT_EQ(comp->pos, (Pos{2, 20}));
  EXPECT_EQ(comp->rbrack, (Pos{2, 38}));
  ASSERT_EQ(comp->clauses.size(), 2u);
  EXPECT_EQ(comp->clauses[0].pos, (Pos{2, 23}));
  EXPECT_EQ(comp->clauses[0].in_pos, (Pos{2, 29}));
  EXPECT_EQ(comp->clauses[1].pos, (Pos{2, 34}));

  auto* for_stmt = static_cast<ForStmt*>(f->stmts[1]);
  EXPECT_EQ(for_stmt->pos, (Pos{3, 1}));
  EXPECT_EQ(for_stmt->vars->pos, (Pos{3, 5}));
  auto* k = static_cast<AssignStmt*>(for_stmt->body[0]);
  EXPECT_EQ(k->pos, (Pos{3, 16}));
  auto* cond = static_cast<CondExpr*>(k->rhs);
  EXPECT_EQ(cond->pos, (Pos{3, 20}));
  EXPECT_EQ(cond->if_pos, (Pos{3, 23}));
  auto* slice = static_cast<SliceExpr*>(cond->else_);
  EXPECT_EQ(slice->pos, (Pos{3, 33}));
  EXPECT_EQ(slice->lbrack, (Pos{3, 39}));
  auto* dict = static_cast<DictExpr*>(slice->x);
  EXPECT_EQ(dict->entries[0]->colon, (Pos{3, 35}));

  auto* load = static_cast<LoadStmt*>(f->stmts[2]);
  EXPECT_EQ(load->pos, (Pos{4, 1}));
  EXPECT_EQ(load->module->pos, (Pos{4, 6}));
  EXPECT_EQ(load->rparen, (Pos{4, 23}));
  ASSERT_EQ(load->to.size(), 2u);
  // A quoted name is placed just inside its quote, as starlark-go does.
  EXPECT_EQ(load->from[0]->pos, (Pos{4, 14}));
  EXPECT_EQ(load->to[0]->pos, (Pos{4, 14}));
  EXPECT_NE(load->from[0], load->to[0]);  // distinct nodes: only `to` is bound
  EXPECT_EQ(load->to[1]->pos, (Pos{4, 18}));
  EXPECT_EQ(load->from[1]->pos, (Pos{4, 21}));
}

TEST(ParserTest, LiteralsAreListedInOrder) {
  auto f = parse_file("t.star",
                      "load('m', 'x')\nx = [1, 2.5, 'a', b'b', 99999999999999999999, 0x10]\n");
  ASSERT_EQ(f->literals.size(), 7u);
  for (size_t i = 0; i < f->literals.size(); ++i) EXPECT_EQ(f->literals[i]->index, int32_t(i));
  EXPECT_EQ(f->literals[0]->token, Token::String);
  EXPECT_EQ(f->literals[0]->str_value, "m");
  EXPECT_EQ(f->literals[1]->token, Token::Int);
  EXPECT_EQ(f->literals[1]->int_value, 1);
  EXPECT_EQ(f->literals[2]->token, Token::Float);
  EXPECT_EQ(f->literals[2]->float_value, 2.5);
  EXPECT_EQ(f->literals[3]->str_value, "a");
  EXPECT_EQ(f->literals[4]->token, Token::Bytes);
  EXPECT_EQ(f->literals[4]->str_value, "b");
  EXPECT_FALSE(f->literals[5]->int_fits);
  EXPECT_EQ(f->literals[5]->int_decimal, "99999999999999999999");
  EXPECT_EQ(f->literals[5]->raw, "99999999999999999999");
  EXPECT_TRUE(f->literals[6]->int_fits);
  EXPECT_EQ(f->literals[6]->int_value, 16);
  EXPECT_EQ(f->literals[6]->raw, "0x10");
}

// ---------------------------------------------------------------------------
// Errors

TEST(ParserTest, ErrorsAndTheirPositions) {
  EXPECT_EQ(parse_error("x = 1 +\n2"), "t.star:2:1: got newline, want primary expression");
  EXPECT_EQ(parse_error("_ = *x"), "t.star:1:6: got '*', want primary expression");
  EXPECT_EQ(parse_error("def pass(): pass"), "t.star:1:9: not an identifier");
  EXPECT_EQ(parse_error("def f : pass"), "t.star:1:8: got ':', want '('");
  EXPECT_EQ(parse_error("def f(a, *-b, c): pass"), "t.star:1:12: got '-', want ','");
  EXPECT_EQ(parse_error("f(a=1, *, b=2)"), "t.star:1:10: got ',', want primary expression");
  EXPECT_EQ(parse_error("_ = {x for y in z}"), "t.star:1:11: got for, want ':'");
  EXPECT_EQ(parse_error("_ = {1, 2}"), "t.star:1:8: got ',', want ':'");
  EXPECT_EQ(parse_error("_ = [x for x in 1, 2, 3]"),
            "t.star:1:19: got ',', want ']', for, or if");
  EXPECT_EQ(parse_error("_ = {x: y for x in z, 1}"),
            "t.star:1:22: got ',', want '}', for, or if");
  EXPECT_EQ(parse_error("_ = [x for x in lambda: True]"),
            "t.star:1:23: got lambda, want primary expression");
  EXPECT_EQ(parse_error("_ = 0 == 1 == 2"), "t.star:1:14: == does not associate with == (use parens)");
  EXPECT_EQ(parse_error("_ = a in b not in c"),
            "t.star:1:18: in does not associate with not in (use parens)");
  EXPECT_EQ(parse_error("_ = a + b not c"), "t.star:1:16: got identifier, want in");
  EXPECT_EQ(parse_error("f(1+2 = 3)"), "t.star:1:8: keyword argument must have form name=expr");
  EXPECT_EQ(parse_error("print(1, 2, 3"), "t.star:1:14: got end of file, want ')'");
  EXPECT_EQ(parse_error("_ = a if b"), "t.star:1:7: conditional expression without else clause");
  EXPECT_EQ(parse_error("load(\"\")"), "t.star:1:5: load statement must import at least 1 symbol");
  EXPECT_EQ(parse_error("load(\"\", 1)"),
            "t.star:1:11: load operand must be \"name\" or localname=\"name\" (got int literal)");
  EXPECT_EQ(parse_error("load(1, 2)"),
            "t.star:1:7: first operand of load statement must be a string literal");
  EXPECT_EQ(parse_error("load(b'm', 'x')"),
            "t.star:1:10: first operand of load statement must be a string literal");
  EXPECT_EQ(parse_error("load(\"a\", x)"),
            "t.star:1:13: load operand must be \"x\" or x=\"originalname\" (want '=' after x)");
  EXPECT_EQ(parse_error("load(\"a\", x2=x)"),
            "t.star:1:15: original name of loaded symbol must be quoted: x2=\"originalname\"");
  EXPECT_EQ(parse_error("load = 1"), "t.star:1:7: got '=', want '('");
  EXPECT_EQ(parse_error("f(load())"), "t.star:1:7: got load, want primary expression");
  EXPECT_EQ(parse_error("print 1 2"), "t.star:1:8: got int literal, want newline");
  EXPECT_EQ(parse_error("x[1, 2,:]"), "t.star:1:9: got ':', want primary expression");
  EXPECT_EQ(parse_error("a, b, = 1, 2"), "t.star:1:5: unparenthesized tuple with trailing comma");
  EXPECT_EQ(parse_error("a, b = 1, 2,"), "t.star:1:12: unparenthesized tuple with trailing comma");
  EXPECT_EQ(parse_error("a = max(range(10)))"), "t.star:1:19: unexpected ')'");
  EXPECT_EQ(parse_error("  x = 1"), "t.star:1:3: got indent, want primary expression");
  EXPECT_EQ(parse_error("if x:\npass"), "t.star:2:5: got pass, want indent");
  EXPECT_EQ(parse_error("import os"), "t.star:1:7: got illegal token, want primary expression");
  EXPECT_EQ(parse_error("x = 1 if"), "t.star:1:9: got end of file, want primary expression");
  EXPECT_EQ(parse_error("x = [1, 2"), "t.star:1:10: got end of file, want ']'");
  EXPECT_EQ(parse_error("for x not in y: pass"), "t.star:1:10: got not, want in");
  EXPECT_EQ(parse_error("x = a == not b"), "t.star:1:13: got not, want primary expression");
  EXPECT_EQ(parse_error("lambda x,: 1"), "t.star:1:11: not an identifier");
  EXPECT_EQ(parse_error("def f(**): pass"), "t.star:1:10: not an identifier");
  EXPECT_EQ(parse_error("x.1"), "t.star:1:4: got float literal, want newline");
  EXPECT_EQ(parse_error("x.if"), "t.star:1:5: not an identifier");
  EXPECT_EQ(parse_error("while True\n  pass"), "t.star:2:1: got newline, want ':'");
  EXPECT_EQ(parse_error("x = 'unterminated"), "t.star:1:5: unexpected EOF in string");
  EXPECT_EQ(parse_error("s = \"\\x-0\""), "t.star:1:5: invalid escape sequence \\x-0");
  EXPECT_EQ(parse_error("def f():\n  pass\n pass"),
            "t.star:3:2: unindent does not match any outer indentation level");
}

TEST(ParserTest, SourceErrorsCarryPathSourceAndMessage) {
  try {
    parse_file("dir/spec.star", "x = 1\ny = )\n");
    FAIL() << "expected an error";
  } catch (const SourceErrors& e) {
    ASSERT_EQ(e.errors().size(), 1u);
    EXPECT_EQ(e.errors()[0].path, "dir/spec.star");
    EXPECT_EQ(e.errors()[0].pos, (Pos{2, 5}));
    EXPECT_EQ(e.errors()[0].msg, "unexpected ')'");
    EXPECT_EQ(e.source(), "x = 1\ny = )\n");
    EXPECT_STREQ(e.what(), "dir/spec.star:2:5: unexpected ')'");
  }
}

TEST(SourceErrorTest, Str) {
  EXPECT_EQ((SourceError{"a.star", {3, 7}, "boom"}).str(), "a.star:3:7: boom");
  EXPECT_EQ((SourceError{"a.star", {3, 0}, "boom"}).str(), "a.star:3: boom");
  EXPECT_EQ((SourceError{"a.star", {0, 0}, "boom"}).str(), "a.star: boom");
}

TEST(FileTest, LineText) {
  auto f = parse_file("t.star", "a = 1\r\nb = 2\rc = 3\n\nd = 4");
  EXPECT_EQ(f->line_text(1), "a = 1");
  EXPECT_EQ(f->line_text(2), "b = 2");
  EXPECT_EQ(f->line_text(3), "c = 3");
  EXPECT_EQ(f->line_text(4), "");
  EXPECT_EQ(f->line_text(5), "d = 4");
  EXPECT_EQ(f->line_text(6), "");
  EXPECT_EQ(f->line_text(0), "");
  EXPECT_EQ(f->line_text(-1), "");
  EXPECT_EQ(f->stmts.size(), 4u);
  EXPECT_EQ(f->stmts[3]->pos, (Pos{5, 1}));
  EXPECT_EQ(f->path, "t.star");
}

TEST(ParseExprTest, OneExpression) {
  auto f = parse_expr("<expr>", "a + b * c\n");
  ASSERT_EQ(f->stmts.size(), 1u);
  EXPECT_EQ(dump(f->stmts[0]), "(expr (+ a (* b c)))");
  EXPECT_EQ(dump(parse_expr("<expr>", "1, 2")->stmts[0]), "(expr (tuple 1 2))");
  EXPECT_EQ(parse_expr("<expr>", "'s'")->literals.size(), 1u);
  try {
    parse_expr("<expr>", "a b");
    FAIL() << "expected an error";
  } catch (const SourceErrors& e) {
    EXPECT_EQ(e.errors()[0].str(), "<expr>:1:4: got identifier after expression, want EOF");
  }
  try {
    parse_expr("<expr>", "x = 1");
    FAIL() << "expected an error";
  } catch (const SourceErrors& e) {
    EXPECT_EQ(e.errors()[0].msg, "got '=' after expression, want EOF");
  }
}

// ---------------------------------------------------------------------------
// Robustness

TEST(ParserTest, DeepNestingIsACleanError) {
  for (const char* open_close : {"()", "[]", "{}"}) {
    std::string src = "x = ";
    for (int i = 0; i < 1000; ++i) src += open_close[0];
    EXPECT_NE(parse_error(src).find("too deeply nested"), std::string::npos) << open_close;
  }
  std::string unary = "x = " + std::string(100000, '-') + "1";
  EXPECT_NE(parse_error(unary).find("too deeply nested"), std::string::npos);
  std::string nots = "x = ";
  for (int i = 0; i < 20000; ++i) nots += "not ";
  EXPECT_NE(parse_error(nots + "x").find("too deeply nested"), std::string::npos);
  std::string lambdas = "x = ";
  for (int i = 0; i < 20000; ++i) lambdas += "lambda: ";
  EXPECT_NE(parse_error(lambdas + "x").find("too deeply nested"), std::string::npos);
  std::string conds = "x = 1";
  for (int i = 0; i < 20000; ++i) conds += " if a else 1";
  EXPECT_NE(parse_error(conds).find("too deeply nested"), std::string::npos);
  std::string blocks;
  for (int i = 0; i < 5000; ++i) blocks += std::string(i, ' ') + "if x:\n";
  blocks += std::string(5000, ' ') + "pass\n";
  EXPECT_NE(parse_error(blocks).find("too deeply nested"), std::string::npos);
}

TEST(ParserTest, DeepTreesBuiltByLoopsAreACleanErrorToo) {
  // Left-deep chains are parsed by loops, but the passes after the parser
  // recurse over them: the parser bounds the depth of the tree.
  std::string sum = "x = 1";
  for (int i = 0; i < 20000; ++i) sum += " + 1";
  EXPECT_EQ(parse_error(sum), "t.star:1:5: too deeply nested (limit is 500 levels)");
  std::string dots = "x = a";
  for (int i = 0; i < 20000; ++i) dots += ".b";
  EXPECT_NE(parse_error(dots).find("too deeply nested"), std::string::npos);
  std::string calls = "f";
  for (int i = 0; i < 20000; ++i) calls += "()";
  EXPECT_NE(parse_error(calls).find("too deeply nested"), std::string::npos);
  std::string elifs = "if a: pass\n";
  for (int i = 0; i < 5000; ++i) elifs += "elif a: pass\n";
  EXPECT_NE(parse_error(elifs).find("too deeply nested"), std::string::npos);
}

TEST(ParserTest, ModerateNestingIsFine) {
  std::string src = "x = ";
  for (int i = 0; i < 200; ++i) src += "[(";
  src += "1";
  for (int i = 0; i < 200; ++i) src += ")]";
  EXPECT_EQ(parse_error(src), "no error");
  std::string sum = "x = 1";
  for (int i = 0; i < 450; ++i) sum += " + 1";
  EXPECT_EQ(parse_error(sum), "no error");
  std::string elifs = "if a: pass\n";
  for (int i = 0; i < 400; ++i) elifs += "elif a: pass\n";
  EXPECT_EQ(parse_error(elifs), "no error");
}

TEST(ParserTest, LargeFlatInputsParse) {
  std::string src = "x = [";
  for (int i = 0; i < 100000; ++i) src += "'" + std::to_string(i) + "', ";
  src += "]\n";
  for (int i = 0; i < 20000; ++i) src += "y" + std::to_string(i) + " = f(a, b=2)\n";
  auto f = parse_file("big.star", src);
  EXPECT_EQ(f->stmts.size(), 20001u);
  EXPECT_EQ(f->literals.size(), 100000u + 20000u);
}

TEST(WalkTest, VisitsEveryChild) {
  auto f = parse_file("t.star",
                      "def f(a, b=1):\n  return [x for x in a if x][b:2]\n"
                      "load('m', 'n')\n");
  // Count the nodes reachable from the statements with an explicit stack.
  size_t idents = 0, literals = 0, total = 0;
  std::vector<Node*> stack(f->stmts.begin(), f->stmts.end());
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    ++total;
    if (n->kind == NodeKind::Ident) ++idents;
    if (n->kind == NodeKind::Literal) ++literals;
    for_each_child(n, [&](Node* c) { stack.push_back(c); });
  }
  // f a b x x a x b (def) + n n (load) = 10 idents; 1 2 'm' = 3 literals.
  EXPECT_EQ(idents, 10u);
  EXPECT_EQ(literals, 3u);
  EXPECT_EQ(literals, f->literals.size());
  EXPECT_GT(total, idents + literals);
}

// ---------------------------------------------------------------------------
// starlark-go's chunked test files: each chunk (split at "\n---\n") is parsed
// alone; a "### <quoted regexp>" comment marks the line of the expected error.

const char* const kStarlarkRoot = "/usr/share/gocode/src/go.starlark.net";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Go's strconv.Unquote for the "..." and `...` forms the test files use.
bool go_unquote(const std::string& s, std::string& out) {
  if (s.size() < 2) return false;
  if (s.front() == '`' && s.back() == '`') {
    out = s.substr(1, s.size() - 2);
    return true;
  }
  if (s.front() != '"' || s.back() != '"') return false;
  out.clear();
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) {
      char c = s[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    } else {
      out += s[i];
    }
  }
  return true;
}

struct Chunk {
  std::string source;                  // padded so line numbers match the file
  std::map<int, std::string> want;     // line -> regexp
};

std::vector<Chunk> read_chunks(const std::string& path) {
  std::vector<Chunk> chunks;
  std::string data = read_file(path);
  int line = 1;
  size_t start = 0;
  for (;;) {
    size_t end = data.find("\n---\n", start);
    std::string text = data.substr(start, end == std::string::npos ? std::string::npos : end - start);
    Chunk chunk;
    chunk.source = std::string(line - 1, '\n') + text;
    std::istringstream lines(text);
    std::string l;
    while (std::getline(lines, l)) {
      size_t hashes = l.find("###");
      if (hashes != std::string::npos) {
        std::string rest = l.substr(hashes + 3);
        rest.erase(0, rest.find_first_not_of(" \t"));
        rest.erase(rest.find_last_not_of(" \t\r") + 1);
        std::string pattern;
        if (go_unquote(rest, pattern)) chunk.want[line] = pattern;
      }
      ++line;
    }
    // Like Go's strings.Split, count the empty line after a final newline
    // (getline does not report it).
    if (text.empty() || text.back() == '\n') ++line;
    ++line;  // the "---" line
    chunks.push_back(std::move(chunk));
    if (end == std::string::npos) break;
    start = end + 5;
  }
  return chunks;
}

// Parses each chunk and checks its expectations. With `parse_errors_only`,
// expectations for errors of later stages (resolver, evaluator) are not
// required to occur, but any parse error must be expected.
void check_chunks(const std::string& path, bool parse_errors_only) {
  auto chunks = read_chunks(path);
  ASSERT_FALSE(chunks.empty()) << path;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& c = chunks[i];
    std::string where = path + " chunk " + std::to_string(i);
    try {
      parse_file(path, c.source);
      if (!parse_errors_only) {
        for (const auto& [line, rx] : c.want) {
          ADD_FAILURE() << where << ": expected error at line " << line << " matching " << rx;
        }
      }
    } catch (const SourceErrors& e) {
      const SourceError& err = e.errors().at(0);
      auto it = c.want.find(err.pos.line);
      if (it == c.want.end()) {
        ADD_FAILURE() << where << ": unexpected error " << err.str();
        continue;
      }
      EXPECT_TRUE(RE2::PartialMatch(err.msg, it->second))
          << where << ": error " << err.str() << " does not match " << it->second;
      if (!parse_errors_only) {
        for (const auto& [line, rx] : c.want) {
          if (line != err.pos.line) {
            ADD_FAILURE() << where << ": expected error at line " << line << " matching " << rx;
          }
        }
      }
    }
  }
}

TEST(StarlarkTestdata, SyntaxErrorsFile) {
  const std::string path = std::string(kStarlarkRoot) + "/syntax/testdata/errors.star";
  if (!std::filesystem::exists(path)) GTEST_FAIL() << "no " << path;
  auto chunks = read_chunks(path);
  EXPECT_GT(chunks.size(), 50u);
  check_chunks(path, false);
}

TEST(StarlarkTestdata, NewerSyntaxErrorsFile) {
  // A copy of the newest errors.star, when one was fetched for testing.
  const std::string path = "/tmp/starlark-new/syntax/testdata/errors.star";
  if (!std::filesystem::exists(path)) GTEST_FAIL() << "no " << path;
  check_chunks(path, false);
}

TEST(StarlarkTestdata, ScanFileParses) {
  for (std::string path : {std::string(kStarlarkRoot) + "/syntax/testdata/scan.star",
                           std::string("/tmp/starlark-new/syntax/testdata/scan.star")}) {
    if (!std::filesystem::exists(path)) continue;
    auto f = parse_file(path, read_file(path));
    EXPECT_GT(f->stmts.size(), 40u) << path;
  }
}

TEST(StarlarkTestdata, NoUnexpectedParseErrorsAnywhere) {
  // Every chunk of every test file of the suite parses, except where a parse
  // error is expected.
  if (!std::filesystem::exists(kStarlarkRoot)) GTEST_FAIL();
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kStarlarkRoot)) {
    if (entry.path().extension() != ".star") continue;
    if (entry.path().parent_path().filename() != "testdata") continue;
    ++files;
    check_chunks(entry.path().string(), true);
  }
  EXPECT_GT(files, 10);
}

}  // namespace
}  // namespace faultbox::star
