#include "spec/lib/Math.h"

#include <cmath>
#include <numbers>
#include <string>

#include "spec/eval/Builtin.h"
#include "spec/eval/Error.h"
#include "spec/eval/Int.h"
#include "spec/eval/Ops.h"
#include "spec/lib/NamedModule.h"

namespace faultbox::star {

namespace {

using Unary = double (*)(double);
using Binary = double (*)(double, double);

// An int or float argument as a double (huge ints become +-inf, as Go's
// Int.Float does); anything else is "NAME: for parameter N: got T, want
// float or int".
double float_or_int(const BuiltinObj& self, const Value& v, size_t index) {
  if (v.is_float()) return v.as_float();
  if (v.is_int()) {
    if (auto d = int_to_double(v)) return *d;
    return int_sign(v) < 0 ? -HUGE_VAL : HUGE_VAL;
  }
  throw EvalError(self.name() + ": for parameter " + std::to_string(index + 1) + ": got " +
                  std::string(type_name(v)) + ", want float or int");
}

// Positional arguments only, between min and max of them (UnpackPositionalArgs).
void check_arity(const BuiltinObj& self, const Args& args, size_t min, size_t max) {
  if (!args.named.empty()) throw EvalError(self.name() + ": unexpected keyword arguments");
  const size_t n = args.positional.size();
  if (n < min)
    throw EvalError(self.name() + ": got " + std::to_string(n) + " arguments, want " +
                    (min < max ? "at least " : "") + std::to_string(min));
  if (n > max)
    throw EvalError(self.name() + ": got " + std::to_string(n) + " arguments, want " +
                    (max > min ? "at most " : "") + std::to_string(max));
}

// The functions, indexed by BuiltinObj data: each builtin carries its C
// function as data so one NativeFn serves them all.
struct UnaryFn {
  Unary fn;
};
struct BinaryFn {
  Binary fn;
};

Value call_unary(Thread&, const BuiltinObj& self, const Args& args) {
  check_arity(self, args, 1, 1);
  const double x = float_or_int(self, args.positional[0], 0);
  return Value::from_float(static_cast<const UnaryFn*>(self.data())->fn(x));
}

Value call_binary(Thread&, const BuiltinObj& self, const Args& args) {
  check_arity(self, args, 2, 2);
  const double x = float_or_int(self, args.positional[0], 0);
  const double y = float_or_int(self, args.positional[1], 1);
  return Value::from_float(static_cast<const BinaryFn*>(self.data())->fn(x, y));
}

// ceil and floor return ints (floats are rounded, then converted exactly).
Value round_to_int(const BuiltinObj& self, const Args& args, double (*round)(double)) {
  check_arity(self, args, 1, 1);
  const Value& x = args.positional[0];
  if (x.is_int()) return x;
  if (!x.is_float())
    throw EvalError("got " + std::string(type_name(x)) + ", want float or int");
  const double r = round(x.as_float());
  if (std::isinf(r)) throw EvalError("cannot convert float infinity to integer");
  if (std::isnan(r)) throw EvalError("cannot convert float NaN to integer");
  return int_from_double(r);
}

Value ceil_builtin(Thread&, const BuiltinObj& self, const Args& args) {
  return round_to_int(self, args, [](double d) { return std::ceil(d); });
}

Value floor_builtin(Thread&, const BuiltinObj& self, const Args& args) {
  return round_to_int(self, args, [](double d) { return std::floor(d); });
}

Value log_builtin(Thread&, const BuiltinObj& self, const Args& args) {
  check_arity(self, args, 1, 2);
  const double x = float_or_int(self, args.positional[0], 0);
  const double base = args.positional.size() > 1 ? float_or_int(self, args.positional[1], 1)
                                                 : std::numbers::e;
  if (base == 1) throw EvalError("division by zero");
  return Value::from_float(std::log(x) / std::log(base));
}

// Go's formulas, so results match to the last bit.
double degrees(double x) { return 360 * x / (2 * std::numbers::pi); }
double radians(double x) { return 2 * std::numbers::pi * x / 360; }

template <class Fn>
Value with_fn(const char* name, NativeFn native, Fn fn) {
  return Value(new BuiltinObj(name, native, Value(), std::make_shared<decltype(fn)>(fn)));
}

Value unary(const char* name, Unary fn) { return with_fn(name, call_unary, UnaryFn{fn}); }
Value binary(const char* name, Binary fn) { return with_fn(name, call_binary, BinaryFn{fn}); }

}  // namespace

Value make_math_module() {
  // (Function pointers to the <cmath> overloads for double.)
  return make_named_module(
      "math", {
                  {"ceil", make_builtin("ceil", ceil_builtin)},
                  {"copysign", binary("copysign", [](double x, double y) { return std::copysign(x, y); })},
                  {"fabs", unary("fabs", [](double x) { return std::fabs(x); })},
                  {"floor", make_builtin("floor", floor_builtin)},
                  {"mod", binary("mod", [](double x, double y) { return std::fmod(x, y); })},
                  {"pow", binary("pow", [](double x, double y) { return std::pow(x, y); })},
                  {"remainder", binary("remainder", [](double x, double y) { return std::remainder(x, y); })},
                  {"round", unary("round", [](double x) { return std::round(x); })},
                  {"exp", unary("exp", [](double x) { return std::exp(x); })},
                  {"sqrt", unary("sqrt", [](double x) { return std::sqrt(x); })},
                  {"acos", unary("acos", [](double x) { return std::acos(x); })},
                  {"asin", unary("asin", [](double x) { return std::asin(x); })},
                  {"atan", unary("atan", [](double x) { return std::atan(x); })},
                  {"atan2", binary("atan2", [](double y, double x) { return std::atan2(y, x); })},
                  {"cos", unary("cos", [](double x) { return std::cos(x); })},
                  {"hypot", binary("hypot", [](double x, double y) { return std::hypot(x, y); })},
                  {"sin", unary("sin", [](double x) { return std::sin(x); })},
                  {"tan", unary("tan", [](double x) { return std::tan(x); })},
                  {"degrees", unary("degrees", degrees)},
                  {"radians", unary("radians", radians)},
                  {"acosh", unary("acosh", [](double x) { return std::acosh(x); })},
                  {"asinh", unary("asinh", [](double x) { return std::asinh(x); })},
                  {"atanh", unary("atanh", [](double x) { return std::atanh(x); })},
                  {"cosh", unary("cosh", [](double x) { return std::cosh(x); })},
                  {"sinh", unary("sinh", [](double x) { return std::sinh(x); })},
                  {"tanh", unary("tanh", [](double x) { return std::tanh(x); })},
                  {"log", make_builtin("log", log_builtin)},
                  {"gamma", unary("gamma", [](double x) { return std::tgamma(x); })},
                  {"e", Value::from_float(std::numbers::e)},
                  {"pi", Value::from_float(std::numbers::pi)},
              });
}

}  // namespace faultbox::star
