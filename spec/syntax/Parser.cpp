// A recursive-descent parser for starlark-go's grammar (LL(1), names of the
// productions after Python's), building the tree of Ast.h. It reports the
// first error with starlark-go's message and, like starlark-go, mostly at the
// scanner's position just past the offending token.
#include "spec/syntax/Parser.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "spec/syntax/Scanner.h"
#include "spec/syntax/Walk.h"

namespace faultbox::star {

namespace {

// Deepest nesting of expressions and blocks the parser accepts, and the
// deepest tree it hands on. Beyond it the parse fails cleanly instead of
// exhausting the stack here or in the passes that recurse over the tree.
constexpr int kMaxNesting = 500;

const std::string kTooDeep = "too deeply nested (limit is " + std::to_string(kMaxNesting) + " levels)";

// Binary operator precedence (starlark-go's levels), -1 for other tokens.
// Comparisons are non-associative; the others associate to the left.
constexpr int kPrecNot = 2;
constexpr int kPrecCompare = 3;
constexpr int kPrecLevels = 10;

int precedence(Token t) {
  switch (t) {
    case Token::Or: return 0;
    case Token::And: return 1;
    case Token::Not: return kPrecNot;
    case Token::Eql:
    case Token::Neq:
    case Token::Lt:
    case Token::Gt:
    case Token::Le:
    case Token::Ge:
    case Token::In:
    case Token::NotIn: return kPrecCompare;
    case Token::Pipe: return 4;
    case Token::Circumflex: return 5;
    case Token::Amp: return 6;
    case Token::LtLt:
    case Token::GtGt: return 7;
    case Token::Minus:
    case Token::Plus: return 8;
    case Token::Star:
    case Token::Percent:
    case Token::Slash:
    case Token::SlashSlash: return 9;
    default: return -1;
  }
}

// starlark-go's %#v of a token: punctuation in single quotes.
std::string quoted_name(Token t) {
  std::string name(token_name(t));
  if (t >= Token::Plus && t <= Token::StarStar) return "'" + name + "'";
  return name;
}

bool is_assign_op(Token t) {
  return t == Token::Eq || augmented_op(t) != Token::Illegal;
}

// Tokens that end a comma-separated list of expressions.
bool terminates_expr_list(Token t) {
  switch (t) {
    case Token::Eof:
    case Token::Newline:
    case Token::Eq:
    case Token::RBrace:
    case Token::RBrack:
    case Token::RParen:
    case Token::Semi: return true;
    default: return false;
  }
}

class Parser {
 public:
  explicit Parser(File& file) : f_(file), sc_(file.path, file.source) { next(); }

  // file_input = (NEWLINE | stmt)* EOF
  void parse_file() {
    while (tok_ != Token::Eof) {
      if (tok_ == Token::Newline) {
        next();
        continue;
      }
      parse_stmt(f_.stmts);
    }
  }

  // A single expression (an unparenthesized tuple allowed), then EOF.
  void parse_lone_expr() {
    Expr* x = parse_expr(false);
    if (tok_ == Token::Newline) next();
    if (tok_ != Token::Eof) error_here("got " + quoted_name(tok_) + " after expression, want EOF");
    auto* stmt = make<ExprStmt>(x->pos);
    stmt->x = x;
    f_.stmts.push_back(stmt);
  }

  // Rejects a tree deeper than kMaxNesting (e.g. a chain of 5000 "+"
  // operands, which the loops here build without recursion), so that no
  // later pass recursing over it can overflow the stack.
  void check_tree_depth() {
    std::vector<std::pair<Node*, int>> stack;
    for (auto it = f_.stmts.rbegin(); it != f_.stmts.rend(); ++it) stack.emplace_back(*it, 1);
    while (!stack.empty()) {
      auto [n, depth] = stack.back();
      stack.pop_back();
      if (depth > kMaxNesting) error(n->pos, kTooDeep);
      // Children in reverse so that they are checked in source order.
      size_t first = stack.size();
      for_each_child(n, [&, d = depth](Node* c) { stack.emplace_back(c, d + 1); });
      std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
    }
  }

 private:
  // Counts one level of recursion for its lifetime.
  class Nest {
   public:
    explicit Nest(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxNesting) p_.error(p_.val_.pos, kTooDeep);
    }
    ~Nest() { --p_.depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    Parser& p_;
  };

  // Advances to the next token; returns the position of the one consumed.
  Pos next() {
    Pos old = val_.pos;
    tok_ = sc_.next(val_);
    return old;
  }

  [[noreturn]] void error(Pos pos, std::string msg) { sc_.error(pos, std::move(msg)); }
  [[noreturn]] void error_here(std::string msg) { sc_.error(sc_.pos(), std::move(msg)); }

  Pos consume(Token t) {
    if (tok_ != t) error_here("got " + quoted_name(tok_) + ", want " + quoted_name(t));
    return next();
  }

  template <class T>
  T* make(Pos pos) {
    T* n = f_.make<T>();
    n->pos = pos;
    return n;
  }

  // ---------------------------------------------------------------------------
  // Statements

  void parse_stmt(std::vector<Stmt*>& stmts) {
    switch (tok_) {
      case Token::Def: stmts.push_back(parse_def_stmt()); return;
      case Token::If: stmts.push_back(parse_if_stmt()); return;
      case Token::For: stmts.push_back(parse_for_stmt()); return;
      case Token::While: stmts.push_back(parse_while_stmt()); return;
      default: parse_simple_stmt(stmts); return;
    }
  }

  Stmt* parse_def_stmt() {
    Pos def_pos = next();
    Ident* name = parse_ident();
    consume(Token::LParen);
    Function* fn = f_.make_function();
    fn->pos = def_pos;
    fn->name = name->name;
    fn->params = parse_params();
    consume(Token::RParen);
    consume(Token::Colon);
    fn->body = parse_suite();
    auto* def = make<DefStmt>(def_pos);
    def->name = name;
    def->fn = fn;
    return def;
  }

  Stmt* parse_if_stmt() {
    auto* if_stmt = make<IfStmt>(next());
    if_stmt->cond = parse_test();
    consume(Token::Colon);
    if_stmt->then_ = parse_suite();
    IfStmt* tail = if_stmt;
    while (tok_ == Token::Elif) {
      Pos elif_pos = next();
      auto* elif = make<IfStmt>(elif_pos);
      elif->cond = parse_test();
      consume(Token::Colon);
      elif->then_ = parse_suite();
      tail->else_pos = elif_pos;
      tail->else_.push_back(elif);
      tail = elif;
    }
    if (tok_ == Token::Else) {
      tail->else_pos = next();
      consume(Token::Colon);
      tail->else_ = parse_suite();
    }
    return if_stmt;
  }

  Stmt* parse_for_stmt() {
    auto* for_stmt = make<ForStmt>(next());
    for_stmt->vars = parse_for_loop_variables();
    consume(Token::In);
    for_stmt->x = parse_expr(false);
    consume(Token::Colon);
    for_stmt->body = parse_suite();
    return for_stmt;
  }

  Stmt* parse_while_stmt() {
    auto* while_stmt = make<WhileStmt>(next());
    while_stmt->cond = parse_test();
    consume(Token::Colon);
    while_stmt->body = parse_suite();
    return while_stmt;
  }

  // loop_variables = primary_with_suffix (',' primary_with_suffix)* ','?
  // (not an expression: that would swallow the "in").
  Expr* parse_for_loop_variables() {
    Expr* v = parse_primary_with_suffix();
    if (tok_ != Token::Comma) return v;
    auto* tuple = make<TupleExpr>(v->pos);
    tuple->elems.push_back(v);
    while (tok_ == Token::Comma) {
      next();
      if (terminates_expr_list(tok_)) break;
      tuple->elems.push_back(parse_primary_with_suffix());
    }
    return tuple;
  }

  // simple_stmt = small_stmt (';' small_stmt)* ';'? NEWLINE
  void parse_simple_stmt(std::vector<Stmt*>& stmts) {
    for (;;) {
      stmts.push_back(parse_small_stmt());
      if (tok_ != Token::Semi) break;
      next();
      if (tok_ == Token::Newline || tok_ == Token::Eof) break;
    }
    // A file may end without a NEWLINE (e.g. "if x: pass").
    if (tok_ != Token::Eof) consume(Token::Newline);
  }

  // small_stmt = RETURN expr? | PASS | BREAK | CONTINUE | LOAD ...
  //            | expr (assign_op expr)?
  Stmt* parse_small_stmt() {
    switch (tok_) {
      case Token::Return: {
        auto* ret = make<ReturnStmt>(next());
        if (tok_ != Token::Eof && tok_ != Token::Newline && tok_ != Token::Semi) {
          ret->result = parse_expr(false);
        }
        return ret;
      }
      case Token::Break:
      case Token::Continue:
      case Token::Pass: {
        Token t = tok_;
        auto* branch = make<BranchStmt>(next());
        branch->token = t;
        return branch;
      }
      case Token::Load: return parse_load_stmt();
      default: break;
    }
    Expr* x = parse_expr(false);
    if (is_assign_op(tok_)) {
      auto* assign = make<AssignStmt>(x->pos);
      assign->op = tok_;
      assign->op_pos = next();
      assign->lhs = x;
      assign->rhs = parse_expr(false);
      return assign;
    }
    auto* stmt = make<ExprStmt>(x->pos);
    stmt->x = x;
    return stmt;
  }

  // load_stmt = LOAD '(' STRING {',' (IDENT '=')? STRING} [','] ')'
  Stmt* parse_load_stmt() {
    auto* load = make<LoadStmt>(next());
    Pos lparen = consume(Token::LParen);
    if (tok_ != Token::String) error_here("first operand of load statement must be a string literal");
    load->module = make_literal();
    while (tok_ != Token::RParen && tok_ != Token::Eof) {
      consume(Token::Comma);
      if (tok_ == Token::RParen) break;  // trailing comma
      switch (tok_) {
        case Token::String: {
          // load("module", "name"): bound under the same name. Like
          // starlark-go, place the name just inside the quote.
          load->from.push_back(make_load_name());
          load->to.push_back(make_ident(load->from.back()->pos, load->from.back()->name));
          break;
        }
        case Token::Ident: {
          // load("module", local="name")
          Ident* local = parse_ident();
          load->to.push_back(local);
          if (tok_ != Token::Eq) {
            const std::string& n = local->name;
            error_here("load operand must be \"" + n + "\" or " + n +
                       "=\"originalname\" (want '=' after " + n + ")");
          }
          consume(Token::Eq);
          if (tok_ != Token::String) {
            error_here("original name of loaded symbol must be quoted: " + local->name +
                       "=\"originalname\"");
          }
          load->from.push_back(make_load_name());
          break;
        }
        default:
          error_here("load operand must be \"name\" or localname=\"name\" (got " +
                     quoted_name(tok_) + ")");
      }
    }
    load->rparen = consume(Token::RParen);
    if (load->to.empty()) error(lparen, "load statement must import at least 1 symbol");
    return load;
  }

  // The Ident for a string operand of load: its value, one column past the
  // literal's start.
  Ident* make_load_name() {
    Pos pos = val_.pos;
    ++pos.col;
    Ident* id = make_ident(pos, std::move(val_.str));
    next();
    return id;
  }

  Ident* make_ident(Pos pos, std::string name) {
    auto* id = make<Ident>(pos);
    id->name = std::move(name);
    return id;
  }

  // suite = simple_stmt | NEWLINE INDENT stmt+ OUTDENT
  std::vector<Stmt*> parse_suite() {
    Nest nest(*this);
    std::vector<Stmt*> stmts;
    if (tok_ == Token::Newline) {
      next();
      consume(Token::Indent);
      while (tok_ != Token::Outdent && tok_ != Token::Eof) parse_stmt(stmts);
      consume(Token::Outdent);
      return stmts;
    }
    parse_simple_stmt(stmts);
    return stmts;
  }

  Ident* parse_ident() {
    if (tok_ != Token::Ident) error_here("not an identifier");
    Ident* id = make_ident(val_.pos, std::move(val_.raw));
    next();
    return id;
  }

  // params = (param ',')* param ','?
  // param = IDENT | IDENT '=' test | '*' | '*' IDENT | '**' IDENT
  // Their order and uniqueness are the resolver's to check.
  std::vector<Param> parse_params() {
    std::vector<Param> params;
    while (tok_ != Token::RParen && tok_ != Token::Colon && tok_ != Token::Eof) {
      if (!params.empty()) consume(Token::Comma);
      if (tok_ == Token::RParen) break;
      Param p;
      if (tok_ == Token::Star || tok_ == Token::StarStar) {
        Token op = tok_;
        p.kind = op == Token::Star ? Param::Kind::Star : Param::Kind::StarStar;
        p.pos = next();
        if (op == Token::StarStar || tok_ == Token::Ident) p.name = parse_ident();
        params.push_back(p);
        continue;
      }
      p.name = parse_ident();
      p.pos = p.name->pos;
      if (tok_ == Token::Eq) {
        next();
        p.kind = Param::Kind::Default;
        p.default_value = parse_test();
      }
      params.push_back(p);
    }
    return params;
  }

  // ---------------------------------------------------------------------------
  // Expressions

  // expr = test (',' test)* ','?   (a tuple if there is a comma)
  Expr* parse_expr(bool in_parens) {
    Expr* x = parse_test();
    if (tok_ != Token::Comma) return x;
    auto* tuple = make<TupleExpr>(x->pos);
    tuple->elems.push_back(x);
    parse_exprs(tuple->elems, in_parens);
    return tuple;
  }

  // Parses (',' test)* ','? after a first element.
  void parse_exprs(std::vector<Expr*>& exprs, bool allow_trailing_comma) {
    while (tok_ == Token::Comma) {
      Pos comma = next();
      if (terminates_expr_list(tok_)) {
        if (!allow_trailing_comma) error(comma, "unparenthesized tuple with trailing comma");
        break;
      }
      exprs.push_back(parse_test());
    }
  }

  // test = lambda | or_expr ('if' or_expr 'else' test)?
  Expr* parse_test() {
    Nest nest(*this);
    if (tok_ == Token::Lambda) return parse_lambda(true);
    Expr* x = parse_test_prec(0);
    if (tok_ != Token::If) return x;
    auto* cond = make<CondExpr>(x->pos);
    cond->then_ = x;
    cond->if_pos = next();
    cond->cond = parse_test_prec(0);
    if (tok_ != Token::Else) error(cond->if_pos, "conditional expression without else clause");
    next();
    cond->else_ = parse_test();
    return cond;
  }

  // A test without a trailing conditional (comprehension "if" clauses).
  Expr* parse_test_no_cond() {
    if (tok_ == Token::Lambda) {
      Nest nest(*this);
      return parse_lambda(false);
    }
    return parse_test_prec(0);
  }

  Expr* parse_lambda(bool allow_cond) {
    Pos lambda_pos = next();
    Function* fn = f_.make_function();
    fn->pos = lambda_pos;
    fn->name = "lambda";
    if (tok_ != Token::Colon) fn->params = parse_params();
    consume(Token::Colon);
    Expr* body = allow_cond ? parse_test() : parse_test_no_cond();
    auto* ret = make<ReturnStmt>(body->pos);
    ret->result = body;
    fn->body.push_back(ret);
    auto* lambda = make<LambdaExpr>(lambda_pos);
    lambda->fn = fn;
    return lambda;
  }

  // Precedence climbing over binary operators of precedence >= min_prec,
  // with unary "not" accepted only where starlark-go accepts it (an operand
  // parsed at a level <= that of "not").
  Expr* parse_test_prec(int min_prec) {
    Expr* x;
    if (tok_ == Token::Not && min_prec <= kPrecNot) {
      Nest nest(*this);
      auto* unary = make<UnaryExpr>(next());
      unary->op = Token::Not;
      unary->x = parse_test_prec(kPrecNot);
      x = unary;
    } else {
      x = parse_primary_with_suffix();
    }
    for (;;) {
      if (tok_ == Token::Not) {
        // After an operand, "not" must begin "not in".
        next();
        if (tok_ != Token::In) error_here("got " + quoted_name(tok_) + ", want in");
        tok_ = Token::NotIn;
      }
      int prec = precedence(tok_);
      if (prec < min_prec) return x;
      if (prec == kPrecCompare && x->kind == NodeKind::BinaryExpr &&
          precedence(static_cast<BinaryExpr*>(x)->op) == kPrecCompare) {
        error_here(std::string(token_name(static_cast<BinaryExpr*>(x)->op)) +
                   " does not associate with " + std::string(token_name(tok_)) + " (use parens)");
      }
      auto* bin = make<BinaryExpr>(x->pos);
      bin->op = tok_;
      bin->op_pos = next();
      bin->x = x;
      bin->y = prec + 1 < kPrecLevels ? parse_test_prec(prec + 1) : parse_primary_with_suffix();
      x = bin;
    }
  }

  // primary_with_suffix = primary ('.' IDENT | slice_suffix | call_suffix)*
  Expr* parse_primary_with_suffix() {
    Expr* x = parse_primary();
    for (;;) {
      switch (tok_) {
        case Token::Dot: {
          auto* dot = make<DotExpr>(x->pos);
          dot->dot = next();
          dot->x = x;
          dot->name = parse_ident();
          x = dot;
          break;
        }
        case Token::LBrack: x = parse_slice_suffix(x); break;
        case Token::LParen: x = parse_call_suffix(x); break;
        default: return x;
      }
    }
  }

  // slice_suffix = '[' expr? ':' test? (':' test?)? ']' | '[' expr ']'
  Expr* parse_slice_suffix(Expr* x) {
    Pos lbrack = next();
    Expr* lo = nullptr;
    if (tok_ != Token::Colon) {
      Expr* y = parse_expr(false);
      if (tok_ == Token::RBrack) {
        next();
        auto* index = make<IndexExpr>(x->pos);
        index->x = x;
        index->index = y;
        index->lbrack = lbrack;
        return index;
      }
      lo = y;
    }
    auto* slice = make<SliceExpr>(x->pos);
    slice->x = x;
    slice->lbrack = lbrack;
    slice->lo = lo;
    if (tok_ == Token::Colon) {
      next();
      if (tok_ != Token::Colon && tok_ != Token::RBrack) slice->hi = parse_test();
    }
    if (tok_ == Token::Colon) {
      next();
      if (tok_ != Token::RBrack) slice->step = parse_test();
    }
    consume(Token::RBrack);
    return slice;
  }

  // call_suffix = '(' arg_list? ')'
  Expr* parse_call_suffix(Expr* fn) {
    auto* call = make<CallExpr>(fn->pos);
    call->fn = fn;
    call->lparen = consume(Token::LParen);
    if (tok_ == Token::RParen) {
      call->rparen = next();
      return call;
    }
    parse_args(call->args);
    call->rparen = consume(Token::RParen);
    return call;
  }

  // arg_list = (arg ',')* arg ','?
  // arg = test | IDENT '=' test | '*' test | '**' test
  // Their order is the resolver's to check.
  void parse_args(std::vector<Argument>& args) {
    while (tok_ != Token::RParen && tok_ != Token::Eof) {
      if (!args.empty()) consume(Token::Comma);
      if (tok_ == Token::RParen) break;
      Argument arg;
      if (tok_ == Token::Star || tok_ == Token::StarStar) {
        arg.kind = tok_ == Token::Star ? Argument::Kind::Star : Argument::Kind::StarStar;
        arg.pos = next();
        arg.value = parse_test();
        args.push_back(arg);
        continue;
      }
      // Parse "test = test" and then insist the first be a name (LL(1)).
      Expr* x = parse_test();
      arg.pos = x->pos;
      if (tok_ == Token::Eq) {
        if (x->kind != NodeKind::Ident) error_here("keyword argument must have form name=expr");
        next();
        arg.kind = Argument::Kind::Named;
        arg.name = static_cast<Ident*>(x);
        arg.value = parse_test();
      } else {
        arg.value = x;
      }
      args.push_back(arg);
    }
  }

  Literal* make_literal() {
    auto* lit = make<Literal>(val_.pos);
    lit->token = tok_;
    lit->raw = val_.raw;
    switch (tok_) {
      case Token::Int:
        lit->int_fits = val_.int_fits;
        lit->int_value = val_.int_value;
        lit->int_decimal = std::move(val_.int_decimal);
        break;
      case Token::Float: lit->float_value = val_.float_value; break;
      default: lit->str_value = std::move(val_.str); break;
    }
    lit->index = static_cast<int32_t>(f_.literals.size());
    f_.literals.push_back(lit);
    next();
    return lit;
  }

  // primary = IDENT | INT | FLOAT | STRING | BYTES
  //         | '[' ... | '{' ... | '(' ... | ('-' | '+' | '~') primary_with_suffix
  Expr* parse_primary() {
    switch (tok_) {
      case Token::Ident: return parse_ident();
      case Token::Int:
      case Token::Float:
      case Token::String:
      case Token::Bytes: return make_literal();
      case Token::LBrack: return parse_list();
      case Token::LBrace: return parse_dict();
      case Token::LParen: {
        Pos lparen = next();
        if (tok_ == Token::RParen) {
          next();
          auto* empty = make<TupleExpr>(lparen);
          empty->parenthesized = true;
          return empty;
        }
        Expr* x = parse_expr(true);
        Pos rparen = consume(Token::RParen);
        if (x->kind == NodeKind::TupleExpr && !static_cast<TupleExpr*>(x)->parenthesized) {
          // "(a, b)" is the tuple itself, positioned at its parenthesis.
          auto* tuple = static_cast<TupleExpr*>(x);
          tuple->parenthesized = true;
          tuple->pos = lparen;
          return tuple;
        }
        auto* paren = make<ParenExpr>(lparen);
        paren->x = x;
        paren->rparen = rparen;
        return paren;
      }
      case Token::Minus:
      case Token::Plus:
      case Token::Tilde: {
        Nest nest(*this);
        auto* unary = make<UnaryExpr>(val_.pos);
        unary->op = tok_;
        next();
        unary->x = parse_primary_with_suffix();
        return unary;
      }
      default: break;
    }
    error_here("got " + quoted_name(tok_) + ", want primary expression");
  }

  // list = '[' ']' | '[' test (',' test)* ','? ']' | '[' test comp_suffix ']'
  Expr* parse_list() {
    Pos lbrack = next();
    auto* list = make<ListExpr>(lbrack);
    if (tok_ == Token::RBrack) {
      next();
      return list;
    }
    Expr* x = parse_test();
    if (tok_ == Token::For) return parse_comprehension_suffix(lbrack, x, Token::RBrack);
    list->elems.push_back(x);
    if (tok_ == Token::Comma) parse_exprs(list->elems, true);
    consume(Token::RBrack);
    return list;
  }

  // dict = '{' '}' | '{' entry (',' entry)* ','? '}' | '{' entry comp_suffix '}'
  // (Starlark has no set displays: "{1, 2}" wants a ':'.)
  Expr* parse_dict() {
    Pos lbrace = next();
    auto* dict = make<DictExpr>(lbrace);
    if (tok_ == Token::RBrace) {
      next();
      return dict;
    }
    DictEntry* first = parse_dict_entry();
    if (tok_ == Token::For) return parse_comprehension_suffix(lbrace, first, Token::RBrace);
    dict->entries.push_back(first);
    while (tok_ == Token::Comma) {
      next();
      if (tok_ == Token::RBrace) break;
      dict->entries.push_back(parse_dict_entry());
    }
    consume(Token::RBrace);
    return dict;
  }

  DictEntry* parse_dict_entry() {
    Expr* key = parse_test();
    auto* entry = make<DictEntry>(key->pos);
    entry->key = key;
    entry->colon = consume(Token::Colon);
    entry->value = parse_test();
    return entry;
  }

  // comp_suffix = ('for' loop_variables 'in' or_expr | 'if' test_no_cond)* end
  // The first clause is a "for" (the caller saw it). The operand of "in" is
  // neither a conditional, a lambda nor an unparenthesized tuple.
  Expr* parse_comprehension_suffix(Pos lbrack, Expr* body, Token end) {
    auto* comp = make<Comprehension>(lbrack);
    comp->curly = end == Token::RBrace;
    comp->body = body;
    while (tok_ != end) {
      ComprehensionClause clause;
      if (tok_ == Token::For) {
        clause.kind = ComprehensionClause::Kind::For;
        clause.pos = next();
        clause.vars = parse_for_loop_variables();
        clause.in_pos = consume(Token::In);
        clause.x = parse_test_prec(0);
      } else if (tok_ == Token::If) {
        clause.kind = ComprehensionClause::Kind::If;
        clause.pos = next();
        clause.x = parse_test_no_cond();
      } else {
        error_here("got " + quoted_name(tok_) + ", want '" + std::string(token_name(end)) +
                   "', for, or if");
      }
      comp->clauses.push_back(clause);
    }
    comp->rbrack = next();
    return comp;
  }

  File& f_;
  Scanner sc_;
  Token tok_ = Token::Illegal;
  TokenValue val_;
  int depth_ = 0;
};

std::shared_ptr<File> new_file(const std::string& path, std::string source) {
  auto file = std::make_shared<File>();
  file->path = path;
  file->source = std::move(source);
  return file;
}

}  // namespace

std::shared_ptr<File> parse_file(const std::string& path, std::string source) {
  auto file = new_file(path, std::move(source));
  Parser parser(*file);
  parser.parse_file();
  parser.check_tree_depth();
  return file;
}

std::shared_ptr<File> parse_expr(const std::string& path, std::string source) {
  auto file = new_file(path, std::move(source));
  Parser parser(*file);
  parser.parse_lone_expr();
  parser.check_tree_depth();
  return file;
}

}  // namespace faultbox::star
