// Generic operations on Values: numbers (None, bool, int, float) are handled
// here directly; everything else dispatches to the Object protocols. The
// small-int and float paths neither allocate nor throw unless the operation
// itself fails. Messages are starlark-go's (eval.go / value.go).
#include "spec/eval/Ops.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>

#include "spec/eval/Error.h"
#include "spec/eval/Float.h"
#include "spec/eval/Int.h"
#include "spec/eval/NumberHash.h"
#include "spec/eval/String.h"
#include "spec/resolve/Spelling.h"

namespace faultbox::star {

namespace {

[[noreturn]] void fail(std::string msg) { throw EvalError(std::move(msg)); }

std::string op_text(Token op) { return std::string(token_name(op)); }

[[noreturn]] void unknown_binary(Token op, const Value& x, const Value& y) {
  fail("unknown binary op: " + std::string(type_name(x)) + " " + op_text(op) + " " +
       std::string(type_name(y)));
}

// The result of a three-way comparison as the bool `op` asks for.
bool threeway(Token op, int cmp) {
  switch (op) {
    case Token::Eql:
      return cmp == 0;
    case Token::Neq:
      return cmp != 0;
    case Token::Lt:
      return cmp < 0;
    case Token::Le:
      return cmp <= 0;
    case Token::Gt:
      return cmp > 0;
    case Token::Ge:
      return cmp >= 0;
    default:
      fail("invalid comparison operator " + op_text(op));
  }
}

// Floats are totally ordered, NaN above +inf and equal to itself.
int float_cmp(double a, double b) {
  if (a > b) return 1;
  if (a < b) return -1;
  if (a == b) return 0;
  bool an = std::isnan(a), bn = std::isnan(b);
  if (an && bn) return 0;
  return an ? 1 : -1;
}

bool is_number(const Value& v) { return v.is_small_int() || v.is_float() || v.is(ObjKind::BigInt); }

// Two objects of the same Starlark type (their CompareSameType applies).
bool same_type(const Object& a, const Object& b) {
  if (a.kind() != b.kind()) return a.type_name() == b.type_name();
  return a.kind() != ObjKind::Other || a.type_name() == b.type_name();
}

double finite_float(const Value& v) {
  if (v.is_float()) return v.as_float();
  auto d = int_to_double(v);
  if (!d) fail("int too large to convert to float");
  return *d;
}

// + - * / // % on two numbers (bools are not numbers).
Value arithmetic(Token op, const Value& x, const Value& y) {
  if (!x.is_float() && !y.is_float()) {
    switch (op) {
      case Token::Plus:
        return int_add(x, y);
      case Token::Minus:
        return int_sub(x, y);
      case Token::Star:
        return int_mul(x, y);
      case Token::SlashSlash:
        return int_floordiv(x, y);
      case Token::Percent:
        return int_mod(x, y);
      case Token::Slash: {
        double a = finite_float(x), b = finite_float(y);
        if (b == 0) fail("floating-point division by zero");
        return Value::from_float(a / b);
      }
      default:
        unknown_binary(op, x, y);
    }
  }
  double a = finite_float(x), b = finite_float(y);
  switch (op) {
    case Token::Plus:
      return Value::from_float(a + b);
    case Token::Minus:
      return Value::from_float(a - b);
    case Token::Star:
      return Value::from_float(a * b);
    case Token::Slash:
      if (b == 0) fail("floating-point division by zero");
      return Value::from_float(a / b);
    case Token::SlashSlash:
      if (b == 0) fail("floored division by zero");
      return Value::from_float(float_floordiv(a, b));
    case Token::Percent:
      if (b == 0) fail("floating-point modulo by zero");
      return Value::from_float(float_mod(a, b));
    default:
      unknown_binary(op, x, y);
  }
}

// `x in y`.
Value contains_op(Thread& t, const Value& x, const Value& y) {
  if (y.is_obj()) {
    Value r = y.obj()->contains(t, x);
    if (!r.is_absent()) return r;
  }
  if (x.is_obj()) {
    Value r = x.obj()->binary(t, Token::In, y, true);
    if (!r.is_absent()) return r;
  }
  if (y.is_obj()) {
    Value r = y.obj()->binary(t, Token::In, x, false);
    if (!r.is_absent()) return r;
  }
  unknown_binary(Token::In, x, y);
}

// starlark-go's AsInt32, with "PREFIX1PREFIX2: " before its message.
int64_t as_int32(const Value& v, std::string_view prefix1, std::string_view prefix2 = {}) {
  if (v.is_small_int() && v.as_small_int() >= INT32_MIN && v.as_small_int() <= INT32_MAX)
    return v.as_small_int();
  std::string p = std::string(prefix1) + std::string(prefix2) + ": ";
  if (!v.is_int()) fail(p + "got " + std::string(type_name(v)) + ", want int");
  fail(p + int_to_string(v) + " out of range");
}

bool sliceable(const Object& o) {
  switch (o.kind()) {
    case ObjKind::String:
    case ObjKind::Bytes:
    case ObjKind::List:
    case ObjKind::Tuple:
    case ObjKind::Range:
      return true;
    case ObjKind::Other:
      return o.len() >= 0;
    default:
      return false;
  }
}

std::string with_hint(std::string msg, std::string_view name, const Object& o) {
  std::string n = nearest_attr_name(name, o.attr_names());
  if (!n.empty()) msg += " (did you mean ." + n + "?)";
  return msg;
}

}  // namespace

// --- type, truth, hash -------------------------------------------------------

std::string_view type_name(const Value& v) {
  switch (v.tag()) {
    case Value::Tag::None:
      return "NoneType";
    case Value::Tag::Bool:
      return "bool";
    case Value::Tag::Int:
      return "int";
    case Value::Tag::Float:
      return "float";
    case Value::Tag::Obj:
      return v.obj()->type_name();
    case Value::Tag::Absent:
      break;
  }
  return "absent";
}

bool truth(const Value& v) {
  switch (v.tag()) {
    case Value::Tag::None:
      return false;
    case Value::Tag::Bool:
      return v.as_bool();
    case Value::Tag::Int:
      return v.as_small_int() != 0;
    case Value::Tag::Float:
      return v.as_float() != 0.0;
    case Value::Tag::Obj:
      return v.obj()->truth();
    case Value::Tag::Absent:
      break;
  }
  return false;
}

uint32_t hash_value(Thread& t, const Value& v) {
  switch (v.tag()) {
    case Value::Tag::None:
      return 0;
    case Value::Tag::Bool:
      return v.as_bool() ? 1 : 0;
    case Value::Tag::Int:
      return hash_int64(v.as_small_int());
    case Value::Tag::Float:
      return float_hash(v.as_float());
    case Value::Tag::Obj:
      return v.obj()->hash(t);
    case Value::Tag::Absent:
      break;
  }
  return 0;
}

// --- comparison ----------------------------------------------------------------

bool equal(Thread& t, const Value& x, const Value& y, int depth) {
  if (x.tag() == y.tag()) {
    switch (x.tag()) {
      case Value::Tag::None:
        return true;
      case Value::Tag::Bool:
        return x.as_bool() == y.as_bool();
      case Value::Tag::Int:
        return x.as_small_int() == y.as_small_int();
      case Value::Tag::Float:
        return float_cmp(x.as_float(), y.as_float()) == 0;
      case Value::Tag::Obj:
        if (x.obj()->kind() == ObjKind::String && y.obj()->kind() == ObjKind::String)
          return x.as<StringObj>()->str() == y.as<StringObj>()->str();
        break;
      case Value::Tag::Absent:
        return true;
    }
  }
  return compare(t, Token::Eql, x, y, depth);
}

bool compare(Thread& t, Token op, const Value& x, const Value& y, int depth) {
  if (x.is_small_int() && y.is_small_int()) {
    int64_t a = x.as_small_int(), b = y.as_small_int();
    return threeway(op, a < b ? -1 : a > b ? 1 : 0);
  }
  if (depth > kMaxCompareDepth) fail("comparison exceeded maximum recursion depth");
  if (is_number(x) && is_number(y)) {
    if (x.is_float()) {
      if (y.is_float()) return threeway(op, float_cmp(x.as_float(), y.as_float()));
      return threeway(op, -int_float_cmp(y, x.as_float()));
    }
    if (y.is_float()) return threeway(op, int_float_cmp(x, y.as_float()));
    return threeway(op, int_cmp(x, y));
  }
  if (x.tag() == y.tag()) {
    switch (x.tag()) {
      case Value::Tag::None:
      case Value::Tag::Absent:
        // None is equal to itself but unordered ("NoneType < NoneType not implemented").
        if (op == Token::Eql) return true;
        if (op == Token::Neq) return false;
        break;
      case Value::Tag::Bool:
        return threeway(op, int(x.as_bool()) - int(y.as_bool()));
      case Value::Tag::Obj: {
        const Object& a = *x.obj();
        const Object& b = *y.obj();
        if (!same_type(a, b)) break;
        if (op == Token::Eql) return a.equals(t, b, depth);
        if (op == Token::Neq) return !a.equals(t, b, depth);
        return threeway(op, a.compare(t, b, op, depth));
      }
      default:
        break;
    }
  }
  // Values of different types are unequal and unordered.
  if (op == Token::Eql) return false;
  if (op == Token::Neq) return true;
  fail(std::string(type_name(x)) + " " + op_text(op) + " " + std::string(type_name(y)) +
       " not implemented");
}

int compare3(Thread& t, const Value& x, const Value& y) {
  if (x.is_small_int() && y.is_small_int()) {
    int64_t a = x.as_small_int(), b = y.as_small_int();
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (is_number(x) && is_number(y)) {
    if (x.is_float()) {
      if (y.is_float()) return float_cmp(x.as_float(), y.as_float());
      return -int_float_cmp(y, x.as_float());
    }
    if (y.is_float()) return int_float_cmp(x, y.as_float());
    return int_cmp(x, y);
  }
  if (x.tag() == y.tag()) {
    switch (x.tag()) {
      case Value::Tag::None:
      case Value::Tag::Absent:
        return 0;
      case Value::Tag::Bool:
        return int(x.as_bool()) - int(y.as_bool());
      case Value::Tag::Obj:
        if (same_type(*x.obj(), *y.obj())) {
          int c = x.obj()->compare(t, *y.obj(), Token::Lt, 0);
          return c < 0 ? -1 : c > 0 ? 1 : 0;
        }
        break;
      default:
        break;
    }
  }
  fail(std::string(type_name(x)) + " < " + std::string(type_name(y)) + " not implemented");
}

// --- printing ----------------------------------------------------------------------

void repr(std::string& out, const Value& v, ReprPath& path) {
  switch (v.tag()) {
    case Value::Tag::None:
      out += "None";
      return;
    case Value::Tag::Bool:
      out += v.as_bool() ? "True" : "False";
      return;
    case Value::Tag::Int: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, v.as_small_int());
      out.append(buf, r.ptr);
      return;
    }
    case Value::Tag::Float:
      out += float_to_string(v.as_float());
      return;
    case Value::Tag::Obj:
      v.obj()->repr(out, path);
      return;
    case Value::Tag::Absent:
      out += "<absent>";
      return;
  }
}

std::string repr(const Value& v) {
  std::string out;
  ReprPath path;
  repr(out, v, path);
  return out;
}

void str(std::string& out, const Value& v, ReprPath& path) {
  if (v.is_obj())
    v.obj()->str(out, path);
  else
    repr(out, v, path);
}

std::string str(const Value& v) {
  if (v.is_string()) return v.as<StringObj>()->str();
  std::string out;
  ReprPath path;
  str(out, v, path);
  return out;
}

// --- operators ---------------------------------------------------------------------

Value binary_op(Thread& t, Token op, const Value& x, const Value& y) {
  if (x.is_small_int() && y.is_small_int()) {
    int64_t a = x.as_small_int(), b = y.as_small_int(), r;
    switch (op) {
      case Token::Plus:
        if (!__builtin_add_overflow(a, b, &r)) return Value::from_int(r);
        break;
      case Token::Minus:
        if (!__builtin_sub_overflow(a, b, &r)) return Value::from_int(r);
        break;
      case Token::Star:
        if (!__builtin_mul_overflow(a, b, &r)) return Value::from_int(r);
        break;
      default:
        break;
    }
  }
  switch (op) {
    case Token::Plus:
    case Token::Minus:
    case Token::Star:
    case Token::Slash:
    case Token::SlashSlash:
    case Token::Percent:
      if (is_number(x) && is_number(y)) return arithmetic(op, x, y);
      break;
    case Token::Pipe:
    case Token::Amp:
    case Token::Circumflex:
      if (x.is_int() && y.is_int())
        return op == Token::Pipe ? int_or(x, y) : op == Token::Amp ? int_and(x, y) : int_xor(x, y);
      break;
    case Token::LtLt:
    case Token::GtGt:
      if (x.is_int()) {
        if (!y.is_int()) fail("got " + std::string(type_name(y)) + ", want int");
        return op == Token::LtLt ? int_lshift(x, y) : int_rshift(x, y);
      }
      break;
    case Token::In:
      return contains_op(t, x, y);
    case Token::NotIn:
      return Value::boolean(!truth(contains_op(t, x, y)));
    case Token::Eql:
    case Token::Neq:
    case Token::Lt:
    case Token::Le:
    case Token::Gt:
    case Token::Ge:
      return Value::boolean(compare(t, op, x, y));
    default:
      unknown_binary(op, x, y);
  }
  if (x.is_obj()) {
    Value r = x.obj()->binary(t, op, y, true);
    if (!r.is_absent()) return r;
  }
  if (y.is_obj()) {
    Value r = y.obj()->binary(t, op, x, false);
    if (!r.is_absent()) return r;
  }
  unknown_binary(op, x, y);
}

Value unary_op(Thread& t, Token op, const Value& x) {
  if (op == Token::Not) return Value::boolean(!truth(x));
  if (x.is_int()) {
    switch (op) {
      case Token::Minus:
        return int_neg(x);
      case Token::Plus:
        return x;
      case Token::Tilde:
        return int_invert(x);
      default:
        break;
    }
  } else if (x.is_float()) {
    if (op == Token::Minus) return Value::from_float(-x.as_float());
    if (op == Token::Plus) return x;
  } else if (x.is_obj()) {
    Value r = x.obj()->unary(t, op);
    if (!r.is_absent()) return r;
  }
  fail("unknown unary op: " + op_text(op) + " " + std::string(type_name(x)));
}

// --- sequences -------------------------------------------------------------------------

int64_t len(const Value& v) { return v.is_obj() ? v.obj()->len() : -1; }

std::unique_ptr<Iterator> iterate(Thread& t, const Value& v) {
  return v.is_obj() ? v.obj()->iterate(t) : nullptr;
}

std::unique_ptr<Iterator> iterate_or_throw(Thread& t, const Value& v, std::string_view context) {
  auto it = iterate(t, v);
  if (!it) {
    std::string msg = std::string(type_name(v)) + " value is not iterable";
    if (!context.empty()) msg = std::string(context) + ": " + msg;
    fail(std::move(msg));
  }
  return it;
}

// --- attributes ---------------------------------------------------------------------------

std::string nearest_attr_name(std::string_view name, const std::vector<std::string>& candidates) {
  return nearest_name(name, candidates);
}

Value get_attr(Thread& t, const Value& x, std::string_view name) {
  auto missing = [&] {
    return std::string(type_name(x)) + " has no ." + std::string(name) + " field or method";
  };
  if (!x.is_obj()) throw NoSuchAttrError(missing());
  Object& o = *x.obj();
  Value v;
  try {
    v = o.attr(t, name);
  } catch (const NoSuchAttrError& e) {
    throw NoSuchAttrError(with_hint(e.msg(), name, o));
  }
  if (v.is_absent()) throw NoSuchAttrError(with_hint(missing(), name, o));
  return v;
}

void set_attr(Thread& t, const Value& x, std::string_view name, const Value& v) {
  if (!x.is_obj())
    fail("can't assign to ." + std::string(name) + " field of " + std::string(type_name(x)));
  Object& o = *x.obj();
  try {
    o.set_attr(t, name, v);
  } catch (const NoSuchAttrError& e) {
    throw NoSuchAttrError(with_hint(e.msg(), name, o));
  }
}

// --- indexing ----------------------------------------------------------------------------

Value get_index(Thread& t, const Value& x, const Value& k) {
  if (x.is_obj()) return x.obj()->get_index(t, k);
  fail("unhandled index operation " + std::string(type_name(x)) + "[" + std::string(type_name(k)) +
       "]");
}

void set_index(Thread& t, const Value& x, const Value& k, const Value& v) {
  if (x.is_obj()) return x.obj()->set_index(t, k, v);
  fail(std::string(type_name(x)) + " value does not support item assignment");
}

int64_t checked_index(const Value& key, int64_t n, std::string_view type) {
  int64_t i = as_int32(key, type, " index");
  int64_t orig = i;
  if (i < 0) i += n;
  if (i < 0 || i >= n) {
    if (n == 0) fail("index " + std::to_string(orig) + " out of range: empty " + std::string(type));
    fail(std::string(type) + " index " + std::to_string(orig) + " out of range [" +
         std::to_string(-n) + ":" + std::to_string(n - 1) + "]");
  }
  return i;
}

Value slice(Thread& t, const Value& x, const Value& lo, const Value& hi, const Value& step_v) {
  if (!x.is_obj() || !sliceable(*x.obj())) fail("invalid slice operand " + std::string(type_name(x)));
  Object& o = *x.obj();
  const int64_t n = o.len();

  int64_t step = 1;
  if (!step_v.is_none()) {
    step = as_int32(step_v, "invalid slice step");
    if (step == 0) fail("zero is not a valid slice step");
  }

  int64_t start, end;
  if (step > 0) {
    // Defaults [0:n]; negative indices count from the end; clamp to [0, n].
    start = 0;
    if (!lo.is_none()) {
      start = as_int32(lo, "invalid start index");
      if (start < 0) start += n;
    }
    start = std::clamp<int64_t>(start, 0, n);
    end = n;
    if (!hi.is_none()) {
      end = as_int32(hi, "invalid end index");
      if (end < 0) end += n;
    }
    end = std::clamp<int64_t>(end, 0, n);
    if (end < start) end = start;
  } else {
    // Defaults [n-1:-1] in "already normalized" terms.
    start = n - 1;
    if (!lo.is_none()) {
      start = as_int32(lo, "invalid start index");
      if (start < 0) start += n;
    }
    if (start >= n) start = n - 1;
    end = -1;
    if (!hi.is_none()) {
      end = as_int32(hi, "invalid end index");
      if (end < 0) end += n;
    }
    if (end < -1) end = -1;
    if (start < end) start = end;
  }
  Value r = o.slice(t, start, end, step);
  if (r.is_absent()) fail("invalid slice operand " + std::string(type_name(x)));
  return r;
}

// --- misc ----------------------------------------------------------------------------------

void freeze(const Value& v) {
  if (v.is_obj()) v.obj()->freeze();
}

int64_t to_int64(const Value& v, std::string_view what) {
  if (v.is_small_int()) return v.as_small_int();
  std::string p = what.empty() ? std::string() : std::string(what) + ": ";
  if (v.is(ObjKind::BigInt)) fail(p + int_to_string(v) + " out of range");
  fail(p + "got " + std::string(type_name(v)) + ", want int");
}

}  // namespace faultbox::star
