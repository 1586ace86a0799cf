// The Starlark syntax tree: what the parser produces, the resolver annotates
// (Ident::binding, Function locals/free variables, File globals) and the
// evaluator walks. It knows nothing of values: literals keep their decoded
// text/number and an index into File::literals, and the evaluator turns that
// list into constants once per program.
//
// Ownership: every node is allocated in its File's arena (File::make) and
// referenced by raw pointer; the File owns them all and must outlive every
// function value made from it (the evaluator holds a shared_ptr<const File>).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "spec/syntax/Token.h"

namespace faultbox::star {

// A position in a source file, as starlark-go counts it: line and column
// from 1, one column per Unicode code point. {0,0} means "unknown".
struct Pos {
  int32_t line = 0;
  int32_t col = 0;
  bool valid() const { return line > 0; }
  friend bool operator==(Pos a, Pos b) { return a.line == b.line && a.col == b.col; }
};

struct Ident;
struct Function;

// ---------------------------------------------------------------------------
// Resolver output

enum class Scope : uint8_t {
  Undefined,    // name is not defined
  Local,        // name is local to its function or file (toplevel comprehension vars etc.)
  Cell,         // name is function-local but shared with a nested function
  Free,         // name is a cell of some enclosing function
  Global,       // name is global to the module
  Predeclared,  // name is predeclared for this module (e.g. assert, service)
  Universal,    // name is universal (e.g. len)
};

// A Binding is one variable: every Ident that refers to it points here.
struct Binding {
  Scope scope = Scope::Undefined;
  // Local/Cell: index into the function's locals; Free: index into the
  // function's free vars; Global: index into File::globals.
  int32_t index = 0;
  Ident* first = nullptr;  // first binding use, for "defined at" messages
};

// ---------------------------------------------------------------------------
// Nodes

enum class NodeKind : uint8_t {
  // expressions
  Ident,
  Literal,
  ParenExpr,
  ListExpr,
  TupleExpr,
  DictExpr,
  DictEntry,
  UnaryExpr,
  BinaryExpr,
  CondExpr,
  DotExpr,
  IndexExpr,
  SliceExpr,
  CallExpr,
  LambdaExpr,
  Comprehension,
  // statements
  ExprStmt,
  AssignStmt,
  DefStmt,
  IfStmt,
  ForStmt,
  WhileStmt,
  BranchStmt,
  ReturnStmt,
  LoadStmt,
};

struct Node {
  NodeKind kind;
  Pos pos;  // start position
  explicit Node(NodeKind k) : kind(k) {}
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
};

struct Expr : Node {
  using Node::Node;
};
struct Stmt : Node {
  using Node::Node;
};

struct Ident : Expr {
  Ident() : Expr(NodeKind::Ident) {}
  std::string name;
  Binding* binding = nullptr;  // set by the resolver
};

struct Literal : Expr {
  Literal() : Expr(NodeKind::Literal) {}
  Token token = Token::Int;  // Int, Float, String or Bytes
  std::string raw;           // source text as written (for messages)
  // Int: decimal digits of the absolute value are not kept; instead:
  bool int_fits = true;     // value fits in int64
  int64_t int_value = 0;    // when int_fits
  std::string int_decimal;  // when !int_fits: decimal digits (no sign)
  double float_value = 0;   // Float
  std::string str_value;    // String/Bytes: decoded contents (bytes, may be non-UTF-8)
  int32_t index = -1;       // position in File::literals (set by the parser)
};

struct ParenExpr : Expr {
  ParenExpr() : Expr(NodeKind::ParenExpr) {}
  Expr* x = nullptr;
  Pos rparen;
};

struct ListExpr : Expr {
  ListExpr() : Expr(NodeKind::ListExpr) {}
  std::vector<Expr*> elems;
};

// A tuple: "a, b" or "(a, b)" or "()". pos is the first element's position,
// or the lparen for parenthesized/empty tuples.
struct TupleExpr : Expr {
  TupleExpr() : Expr(NodeKind::TupleExpr) {}
  std::vector<Expr*> elems;
  bool parenthesized = false;
};

struct DictEntry : Expr {
  DictEntry() : Expr(NodeKind::DictEntry) {}
  Expr* key = nullptr;
  Expr* value = nullptr;
  Pos colon;
};

struct DictExpr : Expr {
  DictExpr() : Expr(NodeKind::DictExpr) {}
  std::vector<DictEntry*> entries;
};

struct UnaryExpr : Expr {
  UnaryExpr() : Expr(NodeKind::UnaryExpr) {}
  Token op = Token::Minus;  // Plus, Minus, Tilde, Not
  Expr* x = nullptr;        // never null
};

struct BinaryExpr : Expr {
  BinaryExpr() : Expr(NodeKind::BinaryExpr) {}
  Token op = Token::Plus;  // arithmetic, comparison, In, NotIn, And, Or
  Pos op_pos;              // errors of the operation are reported here
  Expr* x = nullptr;
  Expr* y = nullptr;
};

struct CondExpr : Expr {
  CondExpr() : Expr(NodeKind::CondExpr) {}
  Expr* cond = nullptr;
  Expr* then_ = nullptr;
  Expr* else_ = nullptr;
  Pos if_pos;
};

struct DotExpr : Expr {
  DotExpr() : Expr(NodeKind::DotExpr) {}
  Expr* x = nullptr;
  Ident* name = nullptr;  // not resolved (binding stays null)
  Pos dot;
};

struct IndexExpr : Expr {
  IndexExpr() : Expr(NodeKind::IndexExpr) {}
  Expr* x = nullptr;
  Expr* index = nullptr;
  Pos lbrack;
};

struct SliceExpr : Expr {
  SliceExpr() : Expr(NodeKind::SliceExpr) {}
  Expr* x = nullptr;
  Expr* lo = nullptr;  // each may be null
  Expr* hi = nullptr;
  Expr* step = nullptr;
  Pos lbrack;
};

struct Argument {
  enum class Kind : uint8_t { Positional, Named, Star, StarStar };
  Kind kind = Kind::Positional;
  Pos pos;
  Ident* name = nullptr;  // Named only (not resolved)
  Expr* value = nullptr;
};

struct CallExpr : Expr {
  CallExpr() : Expr(NodeKind::CallExpr) {}
  Expr* fn = nullptr;
  Pos lparen;  // call errors and backtrace positions use this
  std::vector<Argument> args;
  Pos rparen;
};

struct LambdaExpr : Expr {
  LambdaExpr() : Expr(NodeKind::LambdaExpr) {}
  Function* fn = nullptr;
};

struct ComprehensionClause {
  enum class Kind : uint8_t { For, If };
  Kind kind = Kind::For;
  Pos pos;              // position of "for"/"if"
  Expr* vars = nullptr;  // For: target (Ident, TupleExpr, ListExpr, ParenExpr...)
  Pos in_pos;
  Expr* x = nullptr;     // For: iterable; If: condition
};

struct Comprehension : Expr {
  Comprehension() : Expr(NodeKind::Comprehension) {}
  bool curly = false;    // {k: v for ...} (body is DictEntry) or [x for ...]
  Expr* body = nullptr;
  std::vector<ComprehensionClause> clauses;  // first is always For
  Pos rbrack;
};

struct ExprStmt : Stmt {
  ExprStmt() : Stmt(NodeKind::ExprStmt) {}
  Expr* x = nullptr;
};

struct AssignStmt : Stmt {
  AssignStmt() : Stmt(NodeKind::AssignStmt) {}
  Token op = Token::Eq;  // Eq or an augmented op (PlusEq...)
  Pos op_pos;
  Expr* lhs = nullptr;
  Expr* rhs = nullptr;
};

struct Param {
  enum class Kind : uint8_t {
    Normal,    // x
    Default,   // x=expr
    Star,      // *args, or bare "*" (name == nullptr)
    StarStar,  // **kwargs
  };
  Kind kind = Kind::Normal;
  Pos pos;
  Ident* name = nullptr;
  Expr* default_value = nullptr;  // Default only
};

// A function (def or lambda) and what the resolver learned about it.
struct Function {
  Pos pos;  // position of "def"/"lambda"
  std::string name;  // "lambda" for lambdas
  std::vector<Param> params;
  std::vector<Stmt*> body;  // a lambda's body is one ReturnStmt
  // --- filled by the resolver ---
  bool has_varargs = false;   // *args (a bare "*" does not count)
  bool has_kwargs = false;    // **kwargs
  int32_t num_params = 0;     // all named parameters incl. keyword-only, *args and **kwargs
  int32_t num_kwonly = 0;     // keyword-only parameters (after * or *args)
  // Parameter slot order: positional params..., kwonly params..., *args, **kwargs;
  // they occupy locals[0 .. num_params).
  std::vector<Binding*> locals;    // params first, then other locals (incl. comprehension vars)
  std::vector<Binding*> freevars;  // free variables, in the order of the closure's cells
};

struct DefStmt : Stmt {
  DefStmt() : Stmt(NodeKind::DefStmt) {}
  Ident* name = nullptr;
  Function* fn = nullptr;
};

struct IfStmt : Stmt {
  IfStmt() : Stmt(NodeKind::IfStmt) {}  // pos: "if" or "elif"
  Expr* cond = nullptr;
  std::vector<Stmt*> then_;
  Pos else_pos;
  std::vector<Stmt*> else_;  // an "elif" is an IfStmt alone in else_
};

struct ForStmt : Stmt {
  ForStmt() : Stmt(NodeKind::ForStmt) {}
  Expr* vars = nullptr;
  Expr* x = nullptr;
  std::vector<Stmt*> body;
};

struct WhileStmt : Stmt {
  WhileStmt() : Stmt(NodeKind::WhileStmt) {}
  Expr* cond = nullptr;
  std::vector<Stmt*> body;
};

struct BranchStmt : Stmt {
  BranchStmt() : Stmt(NodeKind::BranchStmt) {}
  Token token = Token::Pass;  // Break, Continue or Pass
};

struct ReturnStmt : Stmt {
  ReturnStmt() : Stmt(NodeKind::ReturnStmt) {}
  Expr* result = nullptr;  // may be null
};

// load("module", "x", y="z"): from[i] is the name in the module (a string
// literal; name in Ident::name, position of the literal), to[i] the local
// binding.
struct LoadStmt : Stmt {
  LoadStmt() : Stmt(NodeKind::LoadStmt) {}
  Literal* module = nullptr;
  std::vector<Ident*> from;
  std::vector<Ident*> to;
  Pos rparen;
};

// ---------------------------------------------------------------------------

// Dialect options. Specs run with set, while, recursion and toplevel control
// on; plain `faultbox starlark` and the conformance suite follow the file's
// "option:" comments.
struct Dialect {
  bool set = false;
  bool while_ = false;
  bool recursion = false;
  bool toplevel_control = false;  // if/for/while at top level
  bool global_reassign = false;
  bool load_binds_globally = false;
  static Dialect spec() { return Dialect{true, true, true, true, false, false}; }
  static Dialect all() { return Dialect{true, true, true, true, true, false}; }
};

struct File {
  std::string path;
  std::string source;  // full text, so errors can quote the line
  std::vector<Stmt*> stmts;
  std::vector<Literal*> literals;  // every literal in the file, by Literal::index
  // --- filled by the resolver ---
  // The toplevel "function": holds locals of toplevel comprehensions and,
  // when !load_binds_globally, load bindings... (see resolver).
  Function toplevel;
  std::vector<Binding*> globals;  // module globals, by Binding::index

  template <class T>
  T* make() {
    auto p = std::make_unique<T>();
    T* raw = p.get();
    nodes_.push_back(std::move(p));
    return raw;
  }
  Function* make_function() {
    functions_.push_back(std::make_unique<Function>());
    return functions_.back().get();
  }
  Binding* make_binding() {
    bindings_.push_back(std::make_unique<Binding>());
    return bindings_.back().get();
  }
  // The text of line `line` (1-based), without its newline; empty if out of range.
  std::string_view line_text(int32_t line) const;

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<std::unique_ptr<Function>> functions_;
  std::vector<std::unique_ptr<Binding>> bindings_;
};

}  // namespace faultbox::star
