// Argument unpacking for native functions, worded as starlark-go's
// UnpackArgs / UnpackPositionalArgs. No allocation unless an error is thrown.
#include "spec/eval/Unpack.h"

#include "spec/eval/Error.h"
#include "spec/eval/Int.h"
#include "spec/eval/Ops.h"
#include "spec/eval/String.h"

namespace faultbox::star {

namespace {

[[noreturn]] void fail(std::string msg) { throw EvalError(std::move(msg)); }

std::string_view bare_name(std::string_view spec) {
  for (int i = 0; i < 2 && !spec.empty() && spec.back() == '?'; ++i) spec.remove_suffix(1);
  return spec;
}
bool is_optional(std::string_view spec) { return !spec.empty() && spec.back() == '?'; }
bool is_none_coalescing(std::string_view spec) { return spec.size() >= 2 && spec.ends_with("??"); }

// Stores v into the parameter's output; on a type mismatch throws
// "<context>: got T, want U" where the caller's context names the parameter.
template <class Context>
void store(const Value& v, const Param_& p, Context context) {
  auto mismatch = [&](std::string_view want) {
    fail(context() + "got " + std::string(type_name(v)) + ", want " + std::string(want));
  };
  if (auto out = std::get_if<Value*>(&p.out)) {
    **out = v;
  } else if (auto out = std::get_if<int64_t*>(&p.out)) {
    if (v.is_small_int())
      **out = v.as_small_int();
    else if (v.is(ObjKind::BigInt))
      fail(context() + int_to_string(v) + " out of range (want value in signed 64-bit range)");
    else
      mismatch("int");
  } else if (auto out = std::get_if<std::string*>(&p.out)) {
    if (!v.is_string()) mismatch("string");
    **out = v.as<StringObj>()->str();
  } else if (auto out = std::get_if<bool*>(&p.out)) {
    if (!v.is_bool()) mismatch("bool");
    **out = v.as_bool();
  } else if (auto out = std::get_if<double*>(&p.out)) {
    if (v.is_float()) {
      **out = v.as_float();
    } else if (v.is_int()) {
      auto d = int_to_double(v);
      if (!d) fail(context() + "int too large to convert to float");
      **out = *d;
    } else {
      mismatch("float");
    }
  }
}

// Which parameters have been given (a bitset; builtins have few parameters).
class Defined {
 public:
  explicit Defined(std::string_view fn, size_t n) {
    if (n > 64) fail(std::string(fn) + ": internal error: more than 64 parameters");
  }
  bool set(size_t i) {
    bool prev = (bits_ >> i) & 1;
    bits_ |= uint64_t{1} << i;
    return prev;
  }
  bool get(size_t i) const { return (bits_ >> i) & 1; }

 private:
  uint64_t bits_ = 0;
};

}  // namespace

void unpack_args(std::string_view fn, const Args& args, std::initializer_list<Param_> params) {
  const size_t nparams = params.size();
  const Param_* ps = params.begin();
  Defined defined(fn, nparams);

  if (args.positional.size() > nparams)
    fail(std::string(fn) + ": got " + std::to_string(args.positional.size()) +
         " arguments, want at most " + std::to_string(nparams));

  for (size_t i = 0; i < args.positional.size(); ++i) {
    defined.set(i);
    const Value& v = args.positional[i];
    if (v.is_none() && is_none_coalescing(ps[i].name)) continue;
    store(v, ps[i], [&] {
      return std::string(fn) + ": for parameter " + std::string(bare_name(ps[i].name)) + ": ";
    });
  }

  for (const NamedArg& kw : args.named) {
    size_t i = 0;
    while (i < nparams && bare_name(ps[i].name) != kw.name) ++i;
    if (i == nparams) fail(std::string(fn) + ": unexpected keyword argument " + std::string(kw.name));
    if (defined.set(i))
      fail(std::string(fn) + ": got multiple values for keyword argument " + std::string(kw.name));
    if (kw.value.is_none() && is_none_coalescing(ps[i].name)) continue;
    store(kw.value, ps[i], [&] {
      return std::string(fn) + ": for parameter " + std::string(kw.name) + ": ";
    });
  }

  // Every parameter before the first optional one must be given.
  for (size_t i = args.positional.size(); i < nparams; ++i) {
    if (is_optional(ps[i].name)) break;
    if (!defined.get(i)) fail(std::string(fn) + ": missing argument for " + std::string(ps[i].name));
  }
}

void unpack_positional(std::string_view fn, const Args& args, size_t min,
                       std::initializer_list<Param_> params) {
  if (!args.named.empty()) fail(std::string(fn) + ": unexpected keyword arguments");
  const size_t n = args.positional.size();
  const size_t max = params.size();
  if (n < min)
    fail(std::string(fn) + ": got " + std::to_string(n) + " arguments, want " +
         (min < max ? "at least " : "") + std::to_string(min));
  if (n > max)
    fail(std::string(fn) + ": got " + std::to_string(n) + " arguments, want " +
         (max > min ? "at most " : "") + std::to_string(max));
  const Param_* ps = params.begin();
  for (size_t i = 0; i < n; ++i) {
    const Value& v = args.positional[i];
    if (v.is_none() && is_none_coalescing(ps[i].name)) continue;
    store(v, ps[i], [&] { return std::string(fn) + ": for parameter " + std::to_string(i + 1) + ": "; });
  }
}

void unpack_none(std::string_view fn, const Args& args) { unpack_positional(fn, args, 0, {}); }

}  // namespace faultbox::star
