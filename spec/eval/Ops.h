// Generic operations on any Value: the single place where scalars (None,
// bool, small int, float) and objects meet. The evaluator and the library
// both go through these, so semantics and messages stay in one place.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "spec/eval/Value.h"

namespace faultbox::star {

std::string_view type_name(const Value& v);
bool truth(const Value& v);
// Throws "unhashable type: T".
uint32_t hash_value(Thread& t, const Value& v);

// x == y. Recursion deeper than the limit throws "comparison exceeded maximum recursion depth".
bool equal(Thread& t, const Value& x, const Value& y, int depth = 0);
// x op y for op in Eql Neq Lt Gt Le Ge; mixed int/float compare exactly.
// Errors: "unsupported comparison: T < U" / "T < T not implemented".
bool compare(Thread& t, Token op, const Value& x, const Value& y, int depth = 0);
// Three-way comparison used by sorted(), min() and max().
int compare3(Thread& t, const Value& x, const Value& y);

void repr(std::string& out, const Value& v, ReprPath& path);
std::string repr(const Value& v);
// str(): strings unquoted, everything else repr.
void str(std::string& out, const Value& v, ReprPath& path);
std::string str(const Value& v);

// Arithmetic, bitwise, `in`/`not in` (all binary ops but and/or and
// comparisons). Error: "unknown binary op: T + U".
Value binary_op(Thread& t, Token op, const Value& x, const Value& y);
// + - ~ on a value ("not" is the evaluator's). Error: "unknown unary op: -T".
Value unary_op(Thread& t, Token op, const Value& x);

// len(x) or -1.
int64_t len(const Value& v);
// null when not iterable.
std::unique_ptr<Iterator> iterate(Thread& t, const Value& v);
// Like iterate() but throws "T value is not iterable" / "for loop ..." wording is the caller's.
std::unique_ptr<Iterator> iterate_or_throw(Thread& t, const Value& v, std::string_view context = {});

// x.name; throws "T has no .name field or method" (with "(did you mean .x?)").
Value get_attr(Thread& t, const Value& x, std::string_view name);
void set_attr(Thread& t, const Value& x, std::string_view name, const Value& v);
// x[k], x[k] = v.
Value get_index(Thread& t, const Value& x, const Value& k);
void set_index(Thread& t, const Value& x, const Value& k, const Value& v);
// x[lo:hi:step], each bound None when omitted. Errors per the spec
// ("slice step cannot be zero", "invalid start index: got string, want int").
Value slice(Thread& t, const Value& x, const Value& lo, const Value& hi, const Value& step);

// freeze(x): x and everything reachable from it become immutable.
void freeze(const Value& v);

// Calls any callable, pushing a frame for builtins so backtraces name them
// ("Error in append: ..."). Implemented by the evaluator (Eval.cpp).
Value call_value(Thread& t, const Value& fn, const Args& args);

// An int Value as int64 for use as an index/count; throws
// "FN: got T, want int" style messages via `what` ("index", "start index"...).
int64_t to_int64(const Value& v, std::string_view what);

}  // namespace faultbox::star
