// The universe: the names every Starlark file sees without declaring them
// (starlark-go's Universe, newest release: abs and bytes included). Whether
// a file may use `set` is the resolver's business (dialect), not ours.
#include "spec/eval/Interpreter.h"
#include "spec/eval/LibraryBuiltins.h"

namespace faultbox::star {

namespace {

struct UniversalBuiltin {
  const char* name;
  NativeFn fn;
};

// Each builtin is named as Starlark code calls it: the name appears in
// repr ("<built-in function len>"), in errors and in backtraces.
constexpr UniversalBuiltin kBuiltins[] = {
    {"abs", builtins::abs},
    {"all", builtins::all},
    {"any", builtins::any},
    {"bool", builtins::bool_},
    {"bytes", builtins::bytes},
    {"chr", builtins::chr},
    {"dict", builtins::dict},
    {"dir", builtins::dir},
    {"enumerate", builtins::enumerate},
    {"fail", builtins::fail},
    {"float", builtins::float_},
    {"getattr", builtins::getattr},
    {"hasattr", builtins::hasattr},
    {"hash", builtins::hash},
    {"int", builtins::int_},
    {"len", builtins::len},
    {"list", builtins::list},
    {"max", builtins::minmax},
    {"min", builtins::minmax},
    {"ord", builtins::ord},
    {"print", builtins::print},
    {"range", builtins::range},
    {"repr", builtins::repr},
    {"reversed", builtins::reversed},
    {"set", builtins::set},
    {"sorted", builtins::sorted},
    {"str", builtins::str},
    {"tuple", builtins::tuple},
    {"type", builtins::type},
    {"zip", builtins::zip},
};

}  // namespace

void make_universe(Heap&, StringDict& out) {
  out.emplace_back("None", Value::none());
  out.emplace_back("True", Value::boolean(true));
  out.emplace_back("False", Value::boolean(false));
  for (const auto& b : kBuiltins) out.emplace_back(b.name, make_builtin(b.name, b.fn));
}

}  // namespace faultbox::star
