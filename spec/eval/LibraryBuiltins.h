// The universal builtins (Library*.cpp), as native functions, and the few
// helpers they share. make_universe (Interpreter.h) binds them to names.
// Messages follow starlark-go's library.go word for word.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "spec/eval/Builtin.h"
#include "spec/eval/Error.h"
#include "spec/eval/Value.h"

namespace faultbox::star::builtins {

// Conversions and scalars (LibraryConvert.cpp).
Value abs(Thread& t, const BuiltinObj& self, const Args& args);
Value bool_(Thread& t, const BuiltinObj& self, const Args& args);
Value bytes(Thread& t, const BuiltinObj& self, const Args& args);
Value chr(Thread& t, const BuiltinObj& self, const Args& args);
Value float_(Thread& t, const BuiltinObj& self, const Args& args);
Value hash(Thread& t, const BuiltinObj& self, const Args& args);
Value int_(Thread& t, const BuiltinObj& self, const Args& args);
Value ord(Thread& t, const BuiltinObj& self, const Args& args);
Value repr(Thread& t, const BuiltinObj& self, const Args& args);
Value str(Thread& t, const BuiltinObj& self, const Args& args);
Value type(Thread& t, const BuiltinObj& self, const Args& args);

// Sequences and collections (LibraryCollections.cpp).
Value all(Thread& t, const BuiltinObj& self, const Args& args);
Value any(Thread& t, const BuiltinObj& self, const Args& args);
Value dict(Thread& t, const BuiltinObj& self, const Args& args);
Value enumerate(Thread& t, const BuiltinObj& self, const Args& args);
Value len(Thread& t, const BuiltinObj& self, const Args& args);
Value list(Thread& t, const BuiltinObj& self, const Args& args);
Value minmax(Thread& t, const BuiltinObj& self, const Args& args);  // min and max, by self.name()
Value range(Thread& t, const BuiltinObj& self, const Args& args);
Value reversed(Thread& t, const BuiltinObj& self, const Args& args);
Value set(Thread& t, const BuiltinObj& self, const Args& args);
Value sorted(Thread& t, const BuiltinObj& self, const Args& args);
Value tuple(Thread& t, const BuiltinObj& self, const Args& args);
Value zip(Thread& t, const BuiltinObj& self, const Args& args);

// Attributes, printing, failing (LibraryReflect.cpp).
Value dir(Thread& t, const BuiltinObj& self, const Args& args);
Value fail(Thread& t, const BuiltinObj& self, const Args& args);
Value getattr(Thread& t, const BuiltinObj& self, const Args& args);
Value hasattr(Thread& t, const BuiltinObj& self, const Args& args);
Value print(Thread& t, const BuiltinObj& self, const Args& args);

// --- shared helpers ---

[[noreturn]] inline void raise(std::string msg) { throw EvalError(std::move(msg)); }

// An iterator over `v`, or "FN: for parameter PARAM: got T, want iterable".
std::unique_ptr<Iterator> iterate_param(Thread& t, std::string_view fn, std::string_view param,
                                        const Value& v);

// A capacity to reserve for `n` expected elements: n, but never so much
// that a huge claimed length (range(1 << 40)) allocates before any work.
inline size_t reserve_hint(int64_t n) { return n <= 0 ? 0 : static_cast<size_t>(n < 65536 ? n : 65536); }

// The strings print() and fail() join: strings as they are, other values
// as repr (bytes raw for print, per starlark-go).
void append_print_form(std::string& out, const Value& v, bool bytes_raw);

}  // namespace faultbox::star::builtins
