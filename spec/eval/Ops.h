// Generic operations on any Value: the single place where scalars (None,
// bool, small int, float) and objects meet. The evaluator and the library
// both go through these, so semantics and messages stay in one place.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/eval/Value.h"

namespace faultbox::star {

std::string_view type_name(const Value& v);
bool truth(const Value& v);
// Throws "unhashable type: T".
uint32_t hash_value(Thread& t, const Value& v);

// Containers comparing their elements pass depth + 1; deeper than this throws
// "comparison exceeded maximum recursion depth" (how cyclic values end).
inline constexpr int kMaxCompareDepth = 100;

// x == y. Recursion deeper than the limit throws "comparison exceeded maximum recursion depth".
bool equal(Thread& t, const Value& x, const Value& y, int depth = 0);
// x op y for op in Eql Neq Lt Gt Le Ge; mixed int/float compare exactly;
// floats are totally ordered with NaN above +inf and NaN == NaN (starlark-go).
// Values of different types are unequal; ordering them throws
// "int < NoneType not implemented" (and so does ordering an unordered type).
bool compare(Thread& t, Token op, const Value& x, const Value& y, int depth = 0);
// Three-way comparison used by sorted(), min() and max() (<0, 0, >0); same
// errors as compare(Lt).
int compare3(Thread& t, const Value& x, const Value& y);

void repr(std::string& out, const Value& v, ReprPath& path);
std::string repr(const Value& v);
// str(): strings unquoted, everything else repr.
void str(std::string& out, const Value& v, ReprPath& path);
std::string str(const Value& v);

// Arithmetic, bitwise, `in`/`not in` (all binary ops but and/or and
// comparisons). Error: "unknown binary op: T + U". Numbers are handled here;
// anything else goes to x's Object::binary (this_on_left) and then y's;
// `x in y` asks y's Object::contains first.
Value binary_op(Thread& t, Token op, const Value& x, const Value& y);
// + - ~ (and `not`) on a value. Error: "unknown unary op: - string".
Value unary_op(Thread& t, Token op, const Value& x);

// len(x) or -1.
int64_t len(const Value& v);
// null when not iterable.
std::unique_ptr<Iterator> iterate(Thread& t, const Value& v);
// Like iterate() but throws "T value is not iterable", prefixed with
// "CONTEXT: " when a context is given.
std::unique_ptr<Iterator> iterate_or_throw(Thread& t, const Value& v, std::string_view context = {});

// x.name; throws "T has no .name field or method" (with " (did you mean .x?)"
// when one of the value's attr_names() is close).
Value get_attr(Thread& t, const Value& x, std::string_view name);
// x.name = v; "can't assign to .name field of T" for values without fields.
void set_attr(Thread& t, const Value& x, std::string_view name, const Value& v);
// The attribute name nearest to `name` (case and '_' ignored, at most ~50%
// edits), or "" when none is close: starlark-go's spelling hint.
std::string nearest_attr_name(std::string_view name, const std::vector<std::string>& candidates);
// x[k], x[k] = v. Errors: "unhandled index operation T[K]",
// "T value does not support item assignment".
Value get_index(Thread& t, const Value& x, const Value& k);
void set_index(Thread& t, const Value& x, const Value& k, const Value& v);
// For sequence types implementing get_index/set_index: the int key as an
// index in [0, len), negative keys counting from the end. Errors (starlark-go):
// "list index: got string, want int", "index 3 out of range: empty list",
// "list index 5 out of range [-3:2]".
int64_t checked_index(const Value& key, int64_t len, std::string_view type);
// x[lo:hi:step], each bound None when omitted. Errors per starlark-go
// ("zero is not a valid slice step", "invalid start index: got string, want int",
// "invalid slice operand dict").
Value slice(Thread& t, const Value& x, const Value& lo, const Value& hi, const Value& step);

// freeze(x): x and everything reachable from it become immutable.
void freeze(const Value& v);

// Calls any callable, pushing a frame for builtins so backtraces name them
// ("Error in append: ..."). Implemented by the evaluator (Eval.cpp).
Value call_value(Thread& t, const Value& fn, const Args& args);

// An int Value as int64 for use as an index/count; throws "WHAT: got T, want
// int" or "WHAT: N out of range" (no prefix when `what` is empty).
int64_t to_int64(const Value& v, std::string_view what);

}  // namespace faultbox::star
