// The resolver works in two phases, as Starlark's scoping rules demand.
//
// Phase 1 walks the file once. A binding use (assignment target, parameter,
// def name, for/comprehension variable, load) creates the variable in the
// current block: a global at top level, otherwise a local slot of the
// innermost function (or of the file, for top-level comprehensions and
// loads). Every other use is only recorded, with the block it appears in,
// because a later statement may still make the name local. When a function
// ends, uses of its own locals are bound; the rest are free or top-level.
//
// Phase 2 runs after the whole file is seen (a function may refer to a
// global defined further down): each remaining use is looked up outward
// through the enclosing blocks. A hit in an enclosing function turns that
// local into a Cell and gives every function in between a free variable
// (memoized per block, so one name yields one free variable). A miss ends
// at top level: file-local, global, predeclared, universal or undefined.
//
// Comprehensions are blocks but not functions: their variables are locals
// of the enclosing function (or the file), in a scope of their own.
#include "spec/resolve/Resolver.h"

#include <algorithm>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "spec/resolve/Spelling.h"

namespace faultbox::star {
namespace {

constexpr const char* kDoesNot = "this Starlark dialect does not ";

// Beyond this many undefined names the "did you mean" search is skipped:
// each search scans every name in scope, and a pathological file with
// thousands of typos should not make resolution quadratic.
constexpr int kMaxSpellingHints = 256;

// starlark-go's limit on the arguments of one call (its bytecode encodes
// the counts in a byte).
constexpr int kMaxCallArgs = 255;

const char* scope_name(Scope s) {
  switch (s) {
    case Scope::Undefined: return "undefined";
    case Scope::Local: return "local";
    case Scope::Cell: return "cell";
    case Scope::Free: return "free";
    case Scope::Global: return "global";
    case Scope::Predeclared: return "predeclared";
    case Scope::Universal: return "universal";
  }
  return "?";
}

// starlark-go names the offending node by its Go type, lower-cased.
const char* node_type_name(NodeKind k) {
  switch (k) {
    case NodeKind::Ident: return "ident";
    case NodeKind::Literal: return "literal";
    case NodeKind::ParenExpr: return "parenexpr";
    case NodeKind::ListExpr: return "listexpr";
    case NodeKind::TupleExpr: return "tupleexpr";
    case NodeKind::DictExpr: return "dictexpr";
    case NodeKind::DictEntry: return "dictentry";
    case NodeKind::UnaryExpr: return "unaryexpr";
    case NodeKind::BinaryExpr: return "binaryexpr";
    case NodeKind::CondExpr: return "condexpr";
    case NodeKind::DotExpr: return "dotexpr";
    case NodeKind::IndexExpr: return "indexexpr";
    case NodeKind::SliceExpr: return "sliceexpr";
    case NodeKind::CallExpr: return "callexpr";
    case NodeKind::LambdaExpr: return "lambdaexpr";
    case NodeKind::Comprehension: return "comprehension";
    default: return "stmt";
  }
}

struct Block;

// An identifier and the block it appears in (needed for the lookup and for
// the names a spelling hint may suggest).
struct Use {
  Ident* id;
  Block* env;
};

struct Block {
  enum class Kind : uint8_t { File, Function, Comprehension };
  Kind kind;
  Block* parent = nullptr;
  Function* fn = nullptr;  // Function blocks only
  // Names bound in this block: its own locals, and (memoized by phase 2)
  // what outer names turned out to be as seen from here.
  std::unordered_map<std::string_view, Binding*> bindings;
  std::vector<Block*> children;
  // Container blocks (function, file): uses not yet bound.
  std::vector<Use> uses;

  Block(Kind k, Block* p, Function* f) : kind(k), parent(p), fn(f) {}
  bool is_container() const { return kind != Kind::Comprehension; }
};

class Resolver {
 public:
  Resolver(File& file, const ResolveEnv& env) : file_(file), env_(env), dialect_(env.dialect) {}

  void run() {
    file_.toplevel.locals.clear();
    file_.toplevel.freevars.clear();
    file_.globals.clear();
    if (file_.toplevel.name.empty()) file_.toplevel.name = "<toplevel>";

    blocks_.emplace_back(Block::Kind::File, nullptr, &file_.toplevel);
    file_block_ = &blocks_.back();
    current_ = file_block_;

    stmts(file_.stmts);
    bind_local_uses(*file_block_);
    resolve_nonlocal_uses();

    if (!errors_.empty()) {
      std::stable_sort(errors_.begin(), errors_.end(), [](const SourceError& a, const SourceError& b) {
        if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
        return a.pos.col < b.pos.col;
      });
      throw SourceErrors(std::move(errors_), file_.source);
    }
  }

 private:
  // --- helpers ----------------------------------------------------------

  void error(Pos pos, std::string msg) { errors_.push_back(SourceError{file_.path, pos, std::move(msg)}); }

  std::string pos_string(Pos p) const {
    return file_.path + ":" + std::to_string(p.line) + ":" + std::to_string(p.col);
  }

  Block* container() const {
    Block* b = current_;
    while (!b->is_container()) b = b->parent;
    return b;
  }
  bool at_toplevel() const { return container() == file_block_; }

  Block* push(Block::Kind kind, Function* fn) {
    blocks_.emplace_back(kind, current_, fn);
    Block* b = &blocks_.back();
    current_->children.push_back(b);
    current_ = b;
    return b;
  }
  void pop() { current_ = current_->parent; }

  Binding* new_binding(Scope scope, int32_t index, Ident* first) {
    Binding* b = file_.make_binding();
    b->scope = scope;
    b->index = index;
    b->first = first;
    return b;
  }

  // --- binding uses ------------------------------------------------------

  // A binding use of `id` in the current block: a global at top level (or
  // the file-local a load made), a local otherwise. Reports reassignment of
  // a top-level name. Returns whether the name was already bound here.
  bool bind(Ident* id) {
    if (current_ != file_block_) return bind_local(id);
    bool existed = true;
    Binding* b = lookup(file_block_->bindings, id->name);  // load-defined, file-local
    if (!b) b = lookup(globals_, id->name);
    if (!b) {
      existed = false;
      b = new_binding(Scope::Global, static_cast<int32_t>(file_.globals.size()), id);
      file_.globals.push_back(b);
      globals_.emplace(id->name, b);
    }
    if (existed && !dialect_.global_reassign) {
      error(id->pos, std::string("cannot reassign ") + scope_name(b->scope) + " " + id->name + " declared at " +
                         pos_string(b->first->pos));
    }
    id->binding = b;
    return existed;
  }

  // Makes `id` a local of the current block, in a new slot of the innermost
  // container (function, or the file for top-level comprehensions and loads).
  bool bind_local(Ident* id) {
    bool existed = current_->bindings.count(id->name) != 0;
    if (!existed) {
      Function* fn = container()->fn;
      Binding* b = new_binding(Scope::Local, static_cast<int32_t>(fn->locals.size()), id);
      fn->locals.push_back(b);
      current_->bindings.emplace(id->name, b);
    }
    use(id);
    return existed;
  }

  // --- non-binding uses ----------------------------------------------------

  void use(Ident* id) {
    Use u{id, current_};
    // With globalreassign, top-level code follows the legacy (Python) rule:
    // a name means what is bound so far, so it is resolved right away.
    if (dialect_.global_reassign && current_ == file_block_) {
      id->binding = resolve_toplevel(u);
      return;
    }
    container()->uses.push_back(u);
  }

  static Binding* lookup(const std::unordered_map<std::string_view, Binding*>& m, std::string_view name) {
    auto it = m.find(name);
    return it == m.end() ? nullptr : it->second;
  }

  // Leaving a container: bind every use of a name local to it (searching
  // from the use's block out to the container, never beyond). What remains
  // is free or top-level, decided in phase 2.
  void bind_local_uses(Block& container) {
    std::vector<Use> remaining;
    for (const Use& u : container.uses) {
      Binding* found = nullptr;
      for (Block* b = u.env;; b = b->parent) {
        if (Binding* x = lookup(b->bindings, u.id->name)) {
          found = x;
          break;
        }
        if (b == &container) break;
      }
      if (found && (found->scope == Scope::Local || found->scope == Scope::Cell)) {
        u.id->binding = found;
      } else {
        remaining.push_back(u);
      }
    }
    container.uses = std::move(remaining);
  }

  // A name seen from top level: file-local (load), global, predeclared,
  // universal, or undefined.
  Binding* resolve_toplevel(const Use& u) {
    const std::string& name = u.id->name;
    if (Binding* b = lookup(file_block_->bindings, name)) return b;
    if (Binding* b = lookup(globals_, name)) return b;
    if (Binding* b = lookup(builtins_, name)) return b;
    if (env_.is_predeclared && env_.is_predeclared(name)) {
      Binding* b = new_binding(Scope::Predeclared, 0, u.id);
      builtins_.emplace(name, b);
      return b;
    }
    if (env_.is_universal && env_.is_universal(name)) {
      if (!dialect_.set && name == "set") error(u.id->pos, std::string(kDoesNot) + "support sets");
      Binding* b = new_binding(Scope::Universal, 0, u.id);
      builtins_.emplace(name, b);
      return b;
    }
    std::string msg = "undefined: " + name;
    std::string hint = spelling_hint(u);
    if (!hint.empty()) msg += " (did you mean " + hint + "?)";
    error(u.id->pos, std::move(msg));
    return new_binding(Scope::Undefined, 0, u.id);
  }

  // The name in scope at `u` nearest to the undefined one: locals of the
  // enclosing blocks, the module's globals, and predeclared/universal names.
  std::string spelling_hint(const Use& u) {
    if (++hints_ > kMaxSpellingHints) return "";
    NearestName nearest(u.id->name);
    for (Block* b = u.env; b; b = b->parent) {
      for (const auto& [name, binding] : b->bindings) {
        // A name memoized as undefined is no suggestion.
        if (binding->scope != Scope::Undefined) nearest.consider(name);
      }
    }
    // Globals and builtins are folded once for all hints.
    if (!builtin_names_loaded_) {
      std::vector<std::string> names;
      if (env_.candidate_names) env_.candidate_names(names);
      for (auto& n : names) add_folded_candidate(std::move(n));
      builtin_names_loaded_ = true;
    }
    while (globals_folded_ < file_.globals.size()) add_folded_candidate(file_.globals[globals_folded_++]->first->name);
    for (const auto& [name, folded] : folded_candidates_) nearest.consider_folded(name, folded);
    return nearest.best();
  }

  void add_folded_candidate(std::string name) {
    std::string folded;
    NearestName::fold(name, folded);
    folded_candidates_.emplace_back(std::move(name), std::move(folded));
  }

  // Phase 2: resolve what phase 1 left, innermost blocks first (their
  // lookups create the free variables of the functions in between).
  void resolve_nonlocal_uses() {
    // Iterative post-order over the block tree.
    std::vector<std::pair<Block*, size_t>> stack{{file_block_, 0}};
    while (!stack.empty()) {
      auto& [b, next_child] = stack.back();
      if (next_child < b->children.size()) {
        Block* child = b->children[next_child++];
        stack.emplace_back(child, 0);
        continue;
      }
      for (const Use& u : b->uses) u.id->binding = lookup_lexical(u);
      b->uses.clear();
      stack.pop_back();
    }
  }

  // Looks `u` up from its block outward. Each block on the way memoizes the
  // answer; each function crossed on the way to an enclosing function's
  // local captures it as a free variable.
  Binding* lookup_lexical(const Use& u) {
    const std::string& name = u.id->name;
    // Blocks from the use outward up to (not including) the one that knows
    // the name, or the file block.
    std::vector<Block*>& path = path_;
    path.clear();
    Binding* b = nullptr;
    for (Block* env = u.env;; env = env->parent) {
      if (env == file_block_) {
        b = resolve_toplevel(u);
        break;
      }
      if (Binding* x = lookup(env->bindings, name)) {
        b = x;
        break;
      }
      path.push_back(env);
    }
    // Walk back inward, memoizing and capturing.
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      Block* env = *it;
      if (env->kind == Block::Kind::Function &&
          (b->scope == Scope::Local || b->scope == Scope::Cell || b->scope == Scope::Free)) {
        if (b->scope == Scope::Local) b->scope = Scope::Cell;
        int32_t index = static_cast<int32_t>(env->fn->freevars.size());
        env->fn->freevars.push_back(b);
        b = new_binding(Scope::Free, index, b->first);
      }
      env->bindings.emplace(name, b);
    }
    return b;
  }

  // --- statements ------------------------------------------------------------

  void stmts(const std::vector<Stmt*>& list) {
    for (Stmt* s : list) stmt(s);
  }

  void stmt(Stmt* s) {
    switch (s->kind) {
      case NodeKind::ExprStmt:
        expr(static_cast<ExprStmt*>(s)->x);
        break;

      case NodeKind::BranchStmt: {
        auto* b = static_cast<BranchStmt*>(s);
        if (loops_ == 0 && (b->token == Token::Break || b->token == Token::Continue)) {
          error(b->pos, b->token == Token::Break ? "break not in a loop" : "continue not in a loop");
        }
        break;
      }

      case NodeKind::IfStmt: {
        auto* i = static_cast<IfStmt*>(s);
        if (!dialect_.toplevel_control && at_toplevel()) error(i->pos, "if statement not within a function");
        expr(i->cond);
        ++ifstmts_;
        stmts(i->then_);
        stmts(i->else_);
        --ifstmts_;
        break;
      }

      case NodeKind::AssignStmt: {
        auto* a = static_cast<AssignStmt*>(s);
        expr(a->rhs);
        assign(a->lhs, a->op != Token::Eq);
        break;
      }

      case NodeKind::DefStmt: {
        auto* d = static_cast<DefStmt*>(s);
        bind(d->name);
        if (d->fn->name.empty()) d->fn->name = d->name->name;
        function(d->fn);
        break;
      }

      case NodeKind::ForStmt: {
        auto* f = static_cast<ForStmt*>(s);
        if (!dialect_.toplevel_control && at_toplevel()) error(f->pos, "for loop not within a function");
        expr(f->x);
        assign(f->vars, false);
        ++loops_;
        stmts(f->body);
        --loops_;
        break;
      }

      case NodeKind::WhileStmt: {
        auto* w = static_cast<WhileStmt*>(s);
        if (!dialect_.while_) error(w->pos, std::string(kDoesNot) + "support while loops");
        if (!dialect_.toplevel_control && at_toplevel()) error(w->pos, "while loop not within a function");
        expr(w->cond);
        ++loops_;
        stmts(w->body);
        --loops_;
        break;
      }

      case NodeKind::ReturnStmt: {
        auto* r = static_cast<ReturnStmt*>(s);
        if (at_toplevel()) error(r->pos, "return statement not within a function");
        if (r->result) expr(r->result);
        break;
      }

      case NodeKind::LoadStmt:
        load(static_cast<LoadStmt*>(s));
        break;

      default:
        error(s->pos, "internal error: unexpected statement");
        break;
    }
  }

  void load(LoadStmt* l) {
    // A load may not be nested in any other statement.
    if (!at_toplevel()) {
      error(l->pos, "load statement within a function");
    } else if (loops_ > 0) {
      error(l->pos, "load statement within a loop");
    } else if (ifstmts_ > 0) {
      error(l->pos, "load statement within a conditional");
    }
    size_t n = std::min(l->from.size(), l->to.size());
    for (size_t i = 0; i < n; ++i) {
      Ident* from = l->from[i];
      if (from->name.empty()) {
        error(from->pos, "load: empty identifier");
        continue;
      }
      if (from->name[0] == '_') {
        error(from->pos, "load: names with leading underscores are not exported: " + from->name);
      }
      Ident* to = l->to[i];
      if (dialect_.load_binds_globally) {
        bind(to);
      } else if (bind_local(to) && !dialect_.global_reassign) {
        // A load binds a file-local name; binding it twice is an error
        // (starlark-go cannot name the earlier declaration here).
        error(to->pos, "cannot reassign top-level " + to->name);
      }
    }
  }

  // An assignment target (also for-loop and comprehension variables).
  void assign(Expr* lhs, bool augmented) {
    switch (lhs->kind) {
      case NodeKind::Ident:
        bind(static_cast<Ident*>(lhs));
        break;
      case NodeKind::IndexExpr: {
        auto* x = static_cast<IndexExpr*>(lhs);
        expr(x->x);
        expr(x->index);
        break;
      }
      case NodeKind::DotExpr:
        expr(static_cast<DotExpr*>(lhs)->x);
        break;
      case NodeKind::TupleExpr: {
        auto* t = static_cast<TupleExpr*>(lhs);
        if (augmented) error(start(t), "can't use tuple expression in augmented assignment");
        for (Expr* e : t->elems) assign(e, augmented);
        break;
      }
      case NodeKind::ListExpr: {
        auto* l = static_cast<ListExpr*>(lhs);
        if (augmented) error(l->pos, "can't use list expression in augmented assignment");
        for (Expr* e : l->elems) assign(e, augmented);
        break;
      }
      case NodeKind::ParenExpr:
        assign(static_cast<ParenExpr*>(lhs)->x, augmented);
        break;
      default:
        error(lhs->pos, std::string("can't assign to ") + node_type_name(lhs->kind));
        break;
    }
  }

  // Where starlark-go reports a tuple: its first element unless it is empty.
  static Pos start(TupleExpr* t) { return t->elems.empty() ? t->pos : t->elems.front()->pos; }

  // --- expressions -------------------------------------------------------------

  void expr(Expr* e) {
    if (!e) return;
    switch (e->kind) {
      case NodeKind::Ident:
        use(static_cast<Ident*>(e));
        break;
      case NodeKind::Literal:
        break;
      case NodeKind::ParenExpr:
        expr(static_cast<ParenExpr*>(e)->x);
        break;
      case NodeKind::ListExpr:
        for (Expr* x : static_cast<ListExpr*>(e)->elems) expr(x);
        break;
      case NodeKind::TupleExpr:
        for (Expr* x : static_cast<TupleExpr*>(e)->elems) expr(x);
        break;
      case NodeKind::DictExpr:
        for (DictEntry* entry : static_cast<DictExpr*>(e)->entries) {
          expr(entry->key);
          expr(entry->value);
        }
        break;
      case NodeKind::DictEntry: {
        auto* d = static_cast<DictEntry*>(e);
        expr(d->key);
        expr(d->value);
        break;
      }
      case NodeKind::UnaryExpr:
        expr(static_cast<UnaryExpr*>(e)->x);
        break;
      case NodeKind::BinaryExpr: {
        auto* b = static_cast<BinaryExpr*>(e);
        expr(b->x);
        expr(b->y);
        break;
      }
      case NodeKind::CondExpr: {
        auto* c = static_cast<CondExpr*>(e);
        expr(c->cond);
        expr(c->then_);
        expr(c->else_);
        break;
      }
      case NodeKind::DotExpr:
        expr(static_cast<DotExpr*>(e)->x);  // the field name is not a variable
        break;
      case NodeKind::IndexExpr: {
        auto* i = static_cast<IndexExpr*>(e);
        expr(i->x);
        expr(i->index);
        break;
      }
      case NodeKind::SliceExpr: {
        auto* s = static_cast<SliceExpr*>(e);
        expr(s->x);
        expr(s->lo);
        expr(s->hi);
        expr(s->step);
        break;
      }
      case NodeKind::CallExpr:
        call(static_cast<CallExpr*>(e));
        break;
      case NodeKind::LambdaExpr: {
        auto* l = static_cast<LambdaExpr*>(e);
        if (l->fn->name.empty()) l->fn->name = "lambda";
        function(l->fn);
        break;
      }
      case NodeKind::Comprehension:
        comprehension(static_cast<Comprehension*>(e));
        break;
      default:
        error(e->pos, "internal error: unexpected expression");
        break;
    }
  }

  void comprehension(Comprehension* c) {
    if (c->clauses.empty()) {
      expr(c->body);
      return;
    }
    // The first iterable is evaluated outside the comprehension's scope:
    // in [x for x in x], the last x is the outer one.
    expr(c->clauses.front().x);
    push(Block::Kind::Comprehension, nullptr);
    assign(c->clauses.front().vars, false);
    for (size_t i = 1; i < c->clauses.size(); ++i) {
      ComprehensionClause& clause = c->clauses[i];
      if (clause.kind == ComprehensionClause::Kind::If) {
        expr(clause.x);
      } else {
        assign(clause.vars, false);
        expr(clause.x);
      }
    }
    expr(c->body);
    pop();
  }

  void call(CallExpr* c) {
    expr(c->fn);
    bool seen_varargs = false, seen_kwargs = false;
    std::unordered_map<std::string_view, bool> seen_name_set;
    int positional = 0, named = 0;
    for (Argument& arg : c->args) {
      switch (arg.kind) {
        case Argument::Kind::StarStar:
          if (seen_kwargs) error(arg.pos, "multiple **kwargs not allowed");
          seen_kwargs = true;
          break;
        case Argument::Kind::Star:
          if (seen_kwargs) {
            error(arg.pos, "*args may not follow **kwargs");
          } else if (seen_varargs) {
            error(arg.pos, "multiple *args not allowed");
          }
          seen_varargs = true;
          break;
        case Argument::Kind::Named:
          ++named;
          if (seen_kwargs) {
            error(arg.pos, "keyword argument may not follow **kwargs");
          } else if (seen_varargs) {
            error(arg.pos, "keyword argument may not follow *args");
          }
          if (arg.name) {
            if (!seen_name_set.emplace(arg.name->name, true).second) {
              error(arg.name->pos, "keyword argument " + arg.name->name + " repeated");
            }
          }
          break;
        case Argument::Kind::Positional:
          ++positional;
          if (seen_varargs) {
            error(arg.pos, "positional argument may not follow *args");
          } else if (seen_kwargs) {
            error(arg.pos, "positional argument may not follow **kwargs");
          } else if (!seen_name_set.empty()) {
            error(arg.pos, "positional argument may not follow named");
          }
          break;
      }
      expr(arg.value);
    }
    if (positional > kMaxCallArgs) {
      error(call_start(c), std::to_string(positional) + " positional arguments in call, limit is 255");
    }
    if (named > kMaxCallArgs) {
      error(call_start(c), std::to_string(named) + " keyword arguments in call, limit is 255");
    }
  }

  static Pos call_start(CallExpr* c) { return c->fn ? c->fn->pos : c->pos; }

  // A def or lambda: defaults are evaluated in the enclosing scope, the
  // parameters become the first locals, then the body is walked.
  void function(Function* fn) {
    for (Param& p : fn->params) {
      if (p.kind == Param::Kind::Default) expr(p.default_value);
    }

    fn->locals.clear();
    fn->freevars.clear();
    push(Block::Kind::Function, fn);
    // Loops and conditionals do not extend into a nested function body.
    int saved_loops = loops_, saved_ifs = ifstmts_;
    loops_ = ifstmts_ = 0;

    bool seen_optional = false;
    Param* star = nullptr;       // "*" or "*args"
    Ident* star_star = nullptr;  // the name of "**kwargs"
    int kwonly = 0;
    for (Param& p : fn->params) {
      switch (p.kind) {
        case Param::Kind::Normal:
          if (star_star) {
            error(param_pos(p), "required parameter may not follow **" + star_star->name);
          } else if (star) {
            ++kwonly;
          } else if (seen_optional) {
            error(param_pos(p), "required parameter may not follow optional");
          }
          if (p.name && bind(p.name)) error(p.name->pos, "duplicate parameter: " + p.name->name);
          break;
        case Param::Kind::Default:
          if (star_star) {
            error(param_pos(p), "optional parameter may not follow **" + star_star->name);
          } else if (star) {
            ++kwonly;
          }
          if (p.name && bind(p.name)) error(param_pos(p), "duplicate parameter: " + p.name->name);
          seen_optional = true;
          break;
        case Param::Kind::Star:
          if (star_star) {
            error(p.pos, "* parameter may not follow **" + star_star->name);
          } else if (star) {
            error(p.pos, "multiple * parameters not allowed");
          } else {
            star = &p;
          }
          break;
        case Param::Kind::StarStar:
          if (star_star) error(p.pos, "multiple ** parameters not allowed");
          star_star = p.name;
          break;
      }
    }

    // *args and **kwargs take the slots after the named parameters, so the
    // positional and keyword-only ones stay contiguous whether or not a
    // bare "*" separates them.
    fn->has_varargs = false;
    fn->has_kwargs = false;
    if (star) {
      if (star->name) {
        if (bind(star->name)) error(star->name->pos, "duplicate parameter: " + star->name->name);
        fn->has_varargs = true;
      } else if (kwonly == 0) {
        error(star->pos, "bare * must be followed by keyword-only parameters");
      }
    }
    if (star_star) {
      if (bind(star_star)) error(star_star->pos, "duplicate parameter: " + star_star->name);
      fn->has_kwargs = true;
    }
    fn->num_kwonly = kwonly;
    fn->num_params = static_cast<int32_t>(fn->locals.size());

    stmts(fn->body);
    bind_local_uses(*current_);

    loops_ = saved_loops;
    ifstmts_ = saved_ifs;
    pop();
  }

  // Where a parameter's errors point: its name (starlark-go uses the "=" of
  // an optional one, which is on the same line).
  static Pos param_pos(const Param& p) { return p.name ? p.name->pos : p.pos; }

  File& file_;
  const ResolveEnv& env_;
  Dialect dialect_;

  std::deque<Block> blocks_;  // stable addresses
  Block* file_block_ = nullptr;
  Block* current_ = nullptr;

  std::unordered_map<std::string_view, Binding*> globals_;
  std::unordered_map<std::string_view, Binding*> builtins_;  // predeclared and universal, by name

  int loops_ = 0;    // enclosing for/while loops in the current function
  int ifstmts_ = 0;  // enclosing if statements in the current function

  int hints_ = 0;
  bool builtin_names_loaded_ = false;
  size_t globals_folded_ = 0;
  std::vector<std::pair<std::string, std::string>> folded_candidates_;  // (name, folded name)
  std::vector<Block*> path_;

  std::vector<SourceError> errors_;
};

}  // namespace

void resolve_file(File& file, const ResolveEnv& env) {
  Resolver(file, env).run();
}

}  // namespace faultbox::star
