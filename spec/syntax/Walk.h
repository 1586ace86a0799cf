// Enumerating the children of a syntax node, for passes over the tree that
// must not recurse (the parser's depth check) or that want a generic walk.
#pragma once

#include "spec/syntax/Ast.h"

namespace faultbox::star {

// Calls f(Node*) for each non-null direct child of n: sub-expressions,
// statements of bodies, dict entries, identifiers (including DotExpr names,
// named-argument names, parameter names and load names), and for a def or
// lambda its parameter defaults and body.
template <class F>
void for_each_child(Node* n, F&& f) {
  auto visit = [&](Node* c) {
    if (c != nullptr) f(c);
  };
  auto visit_all = [&](const auto& nodes) {
    for (Node* c : nodes) visit(c);
  };
  auto visit_function = [&](Function* fn) {
    if (fn == nullptr) return;
    for (const Param& p : fn->params) {
      visit(p.name);
      visit(p.default_value);
    }
    visit_all(fn->body);
  };
  switch (n->kind) {
    case NodeKind::Ident:
    case NodeKind::Literal:
    case NodeKind::BranchStmt:
      break;
    case NodeKind::ParenExpr: visit(static_cast<ParenExpr*>(n)->x); break;
    case NodeKind::ListExpr: visit_all(static_cast<ListExpr*>(n)->elems); break;
    case NodeKind::TupleExpr: visit_all(static_cast<TupleExpr*>(n)->elems); break;
    case NodeKind::DictExpr: visit_all(static_cast<DictExpr*>(n)->entries); break;
    case NodeKind::DictEntry: {
      auto* e = static_cast<DictEntry*>(n);
      visit(e->key);
      visit(e->value);
      break;
    }
    case NodeKind::UnaryExpr: visit(static_cast<UnaryExpr*>(n)->x); break;
    case NodeKind::BinaryExpr: {
      auto* e = static_cast<BinaryExpr*>(n);
      visit(e->x);
      visit(e->y);
      break;
    }
    case NodeKind::CondExpr: {
      auto* e = static_cast<CondExpr*>(n);
      visit(e->then_);
      visit(e->cond);
      visit(e->else_);
      break;
    }
    case NodeKind::DotExpr: {
      auto* e = static_cast<DotExpr*>(n);
      visit(e->x);
      visit(e->name);
      break;
    }
    case NodeKind::IndexExpr: {
      auto* e = static_cast<IndexExpr*>(n);
      visit(e->x);
      visit(e->index);
      break;
    }
    case NodeKind::SliceExpr: {
      auto* e = static_cast<SliceExpr*>(n);
      visit(e->x);
      visit(e->lo);
      visit(e->hi);
      visit(e->step);
      break;
    }
    case NodeKind::CallExpr: {
      auto* e = static_cast<CallExpr*>(n);
      visit(e->fn);
      for (const Argument& a : e->args) {
        visit(a.name);
        visit(a.value);
      }
      break;
    }
    case NodeKind::LambdaExpr: visit_function(static_cast<LambdaExpr*>(n)->fn); break;
    case NodeKind::Comprehension: {
      auto* e = static_cast<Comprehension*>(n);
      visit(e->body);
      for (const ComprehensionClause& c : e->clauses) {
        visit(c.vars);
        visit(c.x);
      }
      break;
    }
    case NodeKind::ExprStmt: visit(static_cast<ExprStmt*>(n)->x); break;
    case NodeKind::AssignStmt: {
      auto* s = static_cast<AssignStmt*>(n);
      visit(s->lhs);
      visit(s->rhs);
      break;
    }
    case NodeKind::DefStmt: {
      auto* s = static_cast<DefStmt*>(n);
      visit(s->name);
      visit_function(s->fn);
      break;
    }
    case NodeKind::IfStmt: {
      auto* s = static_cast<IfStmt*>(n);
      visit(s->cond);
      visit_all(s->then_);
      visit_all(s->else_);
      break;
    }
    case NodeKind::ForStmt: {
      auto* s = static_cast<ForStmt*>(n);
      visit(s->vars);
      visit(s->x);
      visit_all(s->body);
      break;
    }
    case NodeKind::WhileStmt: {
      auto* s = static_cast<WhileStmt*>(n);
      visit(s->cond);
      visit_all(s->body);
      break;
    }
    case NodeKind::ReturnStmt: visit(static_cast<ReturnStmt*>(n)->result); break;
    case NodeKind::LoadStmt: {
      auto* s = static_cast<LoadStmt*>(n);
      visit(s->module);
      visit_all(s->from);
      visit_all(s->to);
      break;
    }
  }
}

}  // namespace faultbox::star
