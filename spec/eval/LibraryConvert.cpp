// Universal builtins that convert or inspect a single value: abs, bool,
// bytes, chr, float, hash, int, ord, repr, str, type.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "spec/eval/Float.h"
#include "spec/eval/GoParseFloat.h"
#include "spec/eval/GoUtf8.h"
#include "spec/eval/Int.h"
#include "spec/eval/LibraryBuiltins.h"
#include "spec/eval/Ops.h"
#include "spec/eval/String.h"
#include "spec/eval/Thread.h"
#include "spec/eval/Unpack.h"

namespace faultbox::star::builtins {

namespace {

std::string count_str(size_t n) { return std::to_string(n); }

bool equal_fold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// java.lang.String.hashCode as starlark-go computes it: 31*h + c over the
// code points (not UTF-16 units: Go's check for surrogates never fires on
// decoded UTF-8), invalid bytes counting as U+FFFD, in wrapping int32.
int32_t java_string_hash(std::string_view s) {
  uint32_t h = 0;
  for (size_t i = 0; i < s.size();) {
    auto d = utf8::decode_rune(s, i);
    h = 31 * h + static_cast<uint32_t>(d.rune);
    i += d.size;
  }
  return static_cast<int32_t>(h);
}

// 32-bit FNV-1a, starlark-go's hash of bytes.
uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

Value abs(Thread&, const BuiltinObj&, const Args& args) {
  Value x;
  unpack_positional("abs", args, 1, {{"x", &x}});
  if (x.is_float()) return Value::from_float(std::fabs(x.as_float()));
  if (x.is_int()) return int_sign(x) >= 0 ? x : int_neg(x);
  raise("got " + std::string(type_name(x)) + ", want int or float");
}

Value bool_(Thread&, const BuiltinObj&, const Args& args) {
  Value x = Value::boolean(false);
  unpack_positional("bool", args, 0, {{"x", &x}});
  return Value::boolean(truth(x));
}

Value bytes(Thread& t, const BuiltinObj&, const Args& args) {
  if (!args.named.empty()) raise("bytes does not accept keyword arguments");
  if (args.positional.size() != 1)
    raise("bytes: got " + count_str(args.positional.size()) + " arguments, want exactly 1");
  const Value& x = args.positional[0];
  if (x.is(ObjKind::Bytes)) return x;
  if (x.is_string()) return make_bytes(utf8::transcode(x.as<StringObj>()->str()));
  auto it = iterate(t, x);
  if (!it)
    raise("bytes: got " + std::string(type_name(x)) + ", want string, bytes, or iterable of ints");
  std::string out;
  out.reserve(reserve_hint(len(x)));
  Value elem;
  for (size_t i = 0; it->next(elem); ++i) {
    t.add_step();
    if (!elem.is_int())
      raise("bytes: at index " + std::to_string(i) + ", got " + std::string(type_name(elem)) +
            ", want int");
    auto b = int_to_int64(elem);
    if (!b || *b < 0 || *b > 255)
      raise("bytes: at index " + std::to_string(i) + ", " + int_to_string(elem) +
            " out of range (want value in unsigned 8-bit range)");
    out += static_cast<char>(*b);
  }
  return make_bytes(std::move(out));
}

Value chr(Thread&, const BuiltinObj&, const Args& args) {
  if (!args.named.empty()) raise("chr does not accept keyword arguments");
  if (args.positional.size() != 1)
    raise("chr: got " + count_str(args.positional.size()) + " arguments, want 1");
  const Value& x = args.positional[0];
  if (!x.is_int()) raise("chr: got " + std::string(type_name(x)) + ", want int");
  // starlark-go reads the argument as an int32 first.
  auto i = int_to_int64(x);
  if (!i || *i < INT32_MIN || *i > INT32_MAX) raise("chr: " + int_to_string(x) + " out of range");
  if (*i < 0) raise("chr: Unicode code point " + std::to_string(*i) + " out of range (<0)");
  if (*i > utf8::kMaxRune) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "U+%llX", static_cast<unsigned long long>(*i));
    raise("chr: Unicode code point " + std::string(buf) + " out of range (>0x10FFFF)");
  }
  std::string s;
  utf8::append_rune(s, static_cast<char32_t>(*i));
  return make_string(std::move(s));
}

Value float_(Thread&, const BuiltinObj&, const Args& args) {
  if (!args.named.empty()) raise("float does not accept keyword arguments");
  if (args.positional.empty()) return Value::from_float(0.0);
  if (args.positional.size() != 1)
    raise("float got " + count_str(args.positional.size()) + " arguments, wants 1");
  const Value& x = args.positional[0];
  if (x.is_bool()) return Value::from_float(x.as_bool() ? 1.0 : 0.0);
  if (x.is_float()) return x;
  if (x.is_int()) {
    auto d = int_to_double(x);
    if (!d) raise("int too large to convert to float");
    return Value::from_float(*d);
  }
  if (x.is_string()) {
    const std::string& s = x.as<StringObj>()->str();
    if (s.empty()) raise("float: empty string");
    // Signed or unsigned inf, infinity and nan, in any case.
    std::string_view body = s;
    bool neg = false;
    if (body[0] == '+' || body[0] == '-') {
      neg = body[0] == '-';
      body.remove_prefix(1);
    }
    if (equal_fold(body, "inf") || equal_fold(body, "infinity"))
      return Value::from_float(neg ? -HUGE_VAL : HUGE_VAL);
    if (equal_fold(body, "nan")) return Value::from_float(std::nan(""));
    ParsedFloat p = parse_go_float(s);
    if (p.status == ParsedFloat::Status::TooLarge) raise("floating-point number too large");
    if (p.status != ParsedFloat::Status::Ok) raise("invalid float literal: " + s);
    return Value::from_float(p.value);
  }
  raise("float got " + std::string(type_name(x)) + ", want number or string");
}

Value hash(Thread&, const BuiltinObj&, const Args& args) {
  Value x;
  unpack_positional("hash", args, 1, {{"x", &x}});
  if (x.is_string()) return Value::from_int(java_string_hash(x.as<StringObj>()->str()));
  if (x.is(ObjKind::Bytes)) return Value::from_int(fnv1a(x.as<BytesObj>()->bytes()));
  raise("hash: got " + std::string(type_name(x)) + ", want string or bytes");
}

Value int_(Thread&, const BuiltinObj&, const Args& args) {
  Value x = Value::from_int(0);
  Value base = Value::absent();
  unpack_args("int", args, {{"x", &x}, {"base?", &base}});
  if (x.is_string()) {
    const std::string& s = x.as<StringObj>()->str();
    int64_t b = 10;
    if (!base.is_absent()) {
      if (!base.is_int()) raise("int: for base, got " + std::string(type_name(base)) + ", want int");
      auto bi = int_to_int64(base);
      if (!bi || (*bi != 0 && (*bi < 2 || *bi > 36)))
        raise("int: base must be an integer >= 2 && <= 36");
      b = *bi;
    }
    int error_base = static_cast<int>(b);
    auto v = int_parse(s, static_cast<int>(b), &error_base);
    if (!v) raise("int: invalid literal with base " + std::to_string(error_base) + ": " + s);
    return *v;
  }
  if (!base.is_absent()) raise("int: can't convert non-string with explicit base");
  if (x.is_bool()) return Value::from_int(x.as_bool() ? 1 : 0);
  if (x.is_int()) return x;
  if (x.is_float()) {
    double d = x.as_float();
    if (std::isinf(d)) raise("int: cannot convert float infinity to integer");
    if (std::isnan(d)) raise("int: cannot convert float NaN to integer");
    return int_from_double(d);
  }
  raise("int: cannot convert " + std::string(type_name(x)) + " to int");
}

Value ord(Thread&, const BuiltinObj&, const Args& args) {
  if (!args.named.empty()) raise("ord does not accept keyword arguments");
  if (args.positional.size() != 1)
    raise("ord: got " + count_str(args.positional.size()) + " arguments, want 1");
  const Value& x = args.positional[0];
  if (x.is_string()) {
    const std::string& s = x.as<StringObj>()->str();
    auto d = utf8::decode_rune(s, 0);
    if (d.size == 0 || static_cast<size_t>(d.size) != s.size())
      raise("ord: string encodes " + std::to_string(utf8::rune_count(s)) +
            " Unicode code points, want 1");
    return Value::from_int(d.rune);
  }
  if (x.is(ObjKind::Bytes)) {
    const std::string& b = x.as<BytesObj>()->bytes();
    if (b.size() != 1) raise("ord: bytes has length " + std::to_string(b.size()) + ", want 1");
    return Value::from_int(static_cast<unsigned char>(b[0]));
  }
  raise("ord: got " + std::string(type_name(x)) + ", want string or bytes");
}

Value repr(Thread&, const BuiltinObj&, const Args& args) {
  Value x;
  unpack_positional("repr", args, 1, {{"x", &x}});
  return make_string(star::repr(x));
}

Value str(Thread&, const BuiltinObj&, const Args& args) {
  if (!args.named.empty()) raise("str does not accept keyword arguments");
  if (args.positional.size() != 1)
    raise("str: got " + count_str(args.positional.size()) + " arguments, want exactly 1");
  const Value& x = args.positional[0];
  if (x.is_string()) return x;
  // bytes -> string transcodes: each invalid byte becomes U+FFFD.
  if (x.is(ObjKind::Bytes)) return make_string(utf8::transcode(x.as<BytesObj>()->bytes()));
  return make_string(star::str(x));
}

Value type(Thread&, const BuiltinObj&, const Args& args) {
  if (!args.named.empty()) raise("type does not accept keyword arguments");
  if (args.positional.size() != 1)
    raise("type: got " + count_str(args.positional.size()) + " arguments, want exactly 1");
  return make_string(std::string(type_name(args.positional[0])));
}

}  // namespace faultbox::star::builtins
