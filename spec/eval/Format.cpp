#include "spec/eval/Format.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>

#include "spec/eval/Dict.h"
#include "spec/eval/Float.h"
#include "spec/eval/Int.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"
#include "spec/eval/Quote.h"
#include "spec/eval/String.h"
#include "spec/eval/StringSupport.h"

namespace faultbox::star {

using strings::fail;

namespace {

// str-or-repr as starlark-go's %s and {} print an operand: a string's own
// text, anything else its repr.
void append_str(std::string& out, const Value& v) {
  if (v.is_string()) {
    out += strings::text(v);
    return;
  }
  ReprPath path;
  repr(out, v, path);
}

void append_repr(std::string& out, const Value& v) {
  ReprPath path;
  repr(out, v, path);
}

// Go's %o %x %X of an integer: digits of |x| with a leading '-' if negative.
void append_int_base(std::string& out, const Value& x, int base, bool upper) {
  std::string digits = int_to_string(x, base);
  if (upper)
    for (char& c : digits)
      if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  out += digits;
}

// starlark-go's NumberToInt for %d %i %o %x %X: ints as they are, floats
// truncated toward zero; the error text follows "%d format requires integer: ".
Value number_to_int(const Value& v, std::string& why) {
  if (v.is_int()) return v;
  if (v.is_float()) {
    double f = v.as_float();
    if (std::isinf(f)) {
      why = "cannot convert float infinity to integer";
      return Value::absent();
    }
    if (std::isnan(f)) {
      why = "cannot convert float NaN to integer";
      return Value::absent();
    }
    return int_from_double(f);
  }
  why = "cannot convert " + std::string(type_name(v)) + " to int";
  return Value::absent();
}

// starlark-go's AsFloat: floats, and ints converted (huge ones to ±inf).
std::optional<double> as_float(const Value& v) {
  if (v.is_float()) return v.as_float();
  if (v.is_int()) {
    if (std::optional<double> d = int_to_double(v)) return d;
    return int_sign(v) < 0 ? -HUGE_VAL : HUGE_VAL;
  }
  return std::nullopt;
}

void append_format_verb(std::string& out, unsigned char c) {
  // Go's %c of a byte prints the code point of that value.
  utf8::append_rune(out, c);
}

}  // namespace

// ---- % ------------------------------------------------------------------------

Value string_interpolate(Thread& t, std::string_view format, const Value& x) {
  std::string buf;
  buf.reserve(format.size() + 16);
  const std::vector<Value>* tuple = x.is(ObjKind::Tuple) ? &x.as<TupleObj>()->elems() : nullptr;
  const size_t nargs = tuple ? tuple->size() : 1;
  size_t index = 0;

  while (true) {
    size_t i = format.find('%');
    if (i == std::string_view::npos) {
      buf += format;
      break;
    }
    buf.append(format.data(), i);
    format.remove_prefix(i + 1);

    if (!format.empty() && format[0] == '%') {
      buf.push_back('%');
      format.remove_prefix(1);
      continue;
    }

    Value arg;
    if (!format.empty() && format[0] == '(') {
      // Keyed operand: %(name)s.
      format.remove_prefix(1);
      size_t j = format.find(')');
      if (j == std::string_view::npos) fail("incomplete format key");
      std::string_view key = format.substr(0, j);
      if (!x.is(ObjKind::Dict)) fail("format requires a mapping");
      const Value* v = x.as<DictObj>()->table().find(t, make_string(std::string(key)));
      if (v == nullptr) fail("key not found: " + std::string(key));
      arg = *v;
      format.remove_prefix(j + 1);
    } else {
      if (index >= nargs) fail("not enough arguments for format string");
      arg = tuple ? (*tuple)[index] : x;
    }

    // Starlark has no flags, width, precision or length modifiers.
    if (format.empty()) fail("incomplete format");
    const char c = format[0];
    switch (c) {
      case 's':
      case 'r':
        if (c == 's')
          append_str(buf, arg);
        else
          append_repr(buf, arg);
        break;
      case 'd':
      case 'i':
      case 'o':
      case 'x':
      case 'X': {
        std::string why;
        Value n = number_to_int(arg, why);
        if (n.is_absent()) fail(std::string("%") + c + " format requires integer: " + why);
        if (c == 'd' || c == 'i')
          buf += int_to_string(n);
        else
          append_int_base(buf, n, c == 'o' ? 8 : 16, c == 'X');
        break;
      }
      case 'e':
      case 'f':
      case 'g':
      case 'E':
      case 'F':
      case 'G': {
        std::optional<double> f = as_float(arg);
        if (!f) fail(std::string("%") + c + " format requires float, not " + std::string(type_name(arg)));
        buf += float_format(*f, c);
        break;
      }
      case 'c':
        if (arg.is_int()) {
          std::optional<int64_t> r = int_to_int64(arg);
          if (!r || *r < 0 || *r > utf8::kMaxRune)
            fail("%c format requires a valid Unicode code point, got " + int_to_string(arg));
          utf8::append_rune(buf, static_cast<char32_t>(*r));
        } else if (arg.is_string()) {
          const std::string& s = strings::text(arg);
          utf8::DecodedRune d = s.empty() ? utf8::DecodedRune{utf8::kReplacement, 0} : utf8::decode_rune(s, 0);
          if (s.empty() || static_cast<size_t>(d.size) != s.size())
            fail("%c format requires a single-character string");
          utf8::append_rune(buf, d.rune);
        } else {
          fail("%c format requires int or single-character string, not " +
               std::string(type_name(arg)));
        }
        break;
      case '%':
        buf.push_back('%');
        break;
      default: {
        std::string msg = "unknown conversion %";
        append_format_verb(msg, static_cast<unsigned char>(c));
        fail(std::move(msg));
      }
    }
    format.remove_prefix(1);
    ++index;
  }

  if (index < nargs) fail("too many arguments for format string");
  return make_string(std::move(buf));
}

// ---- str.format -----------------------------------------------------------------

namespace {

// A field name made only of decimal digits (leading zeros allowed) is a
// positional index; anything else, even "-1" or "+0", is a keyword.
bool decimal_index(std::string_view s, size_t& out) {
  if (s.empty()) return false;
  int64_t x = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    int64_t d = ch - '0';
    if (x > (INT64_MAX - d) / 10) return false;  // overflows Go's int: a keyword then
    x = x * 10 + d;
  }
  out = static_cast<size_t>(x);
  return true;
}

}  // namespace

std::string format_fields(Thread&, std::string_view format, const Args& args) {
  std::string buf;
  buf.reserve(format.size() + 16);
  bool automatic = false, manual = false;
  size_t index = 0;

  while (true) {
    std::string_view literal = format;
    size_t i = format.find('{');
    if (i != std::string_view::npos) literal = format.substr(0, i);

    // "}}" in the literal part is a '}'; a lone '}' is an error.
    while (true) {
      size_t j = literal.find('}');
      if (j == std::string_view::npos) {
        buf += literal;
        break;
      }
      if (j + 1 == literal.size() || literal[j + 1] != '}') fail("format: single '}' in format");
      buf.append(literal.data(), j + 1);
      literal.remove_prefix(j + 2);
    }

    if (i == std::string_view::npos) break;

    if (i + 1 < format.size() && format[i + 1] == '{') {
      buf.push_back('{');
      format.remove_prefix(i + 2);
      continue;
    }

    format.remove_prefix(i + 1);
    size_t close = format.find('}');
    if (close == std::string_view::npos) fail("format: unmatched '{' in format");

    std::string_view field = format.substr(0, close);
    format.remove_prefix(close + 1);

    std::string_view name, conv = "s", spec;
    if (size_t bang = field.find('!'); bang == std::string_view::npos) {
      if (size_t colon = field.find(':'); colon == std::string_view::npos) {
        name = field;
      } else {
        name = field.substr(0, colon);
        spec = field.substr(colon + 1);
      }
    } else {
      name = field.substr(0, bang);
      std::string_view rest = field.substr(bang + 1);
      if (size_t colon = rest.find(':'); colon == std::string_view::npos) {
        conv = rest;
      } else {
        conv = rest.substr(0, colon);
        spec = rest.substr(colon + 1);
      }
    }

    const Value* arg = nullptr;
    size_t num;
    if (name.empty()) {
      if (manual)
        fail("format: cannot switch from manual field specification to automatic field numbering");
      automatic = true;
      if (index >= args.positional.size()) fail("format: tuple index out of range");
      arg = &args.positional[index++];
    } else if (decimal_index(name, num)) {
      if (automatic)
        fail("format: cannot switch from automatic field numbering to manual field specification");
      manual = true;
      if (num >= args.positional.size()) fail("format: tuple index out of range");
      arg = &args.positional[num];
    } else {
      for (const NamedArg& kv : args.named) {
        if (kv.name == name) {
          arg = &kv.value;
          break;
        }
      }
      if (arg == nullptr) {
        // Starlark has no x.y, a[i] or nested {...} in fields.
        if (name.find('.') != std::string_view::npos)
          fail("format: attribute syntax x.y is not supported in replacement fields: " +
               std::string(name));
        if (name.find('[') != std::string_view::npos)
          fail("format: element syntax a[i] is not supported in replacement fields: " +
               std::string(name));
        if (name.find('{') != std::string_view::npos)
          fail("format: nested replacement fields not supported");
        fail("format: keyword " + std::string(name) + " not found");
      }
    }

    if (!spec.empty())
      fail("format spec features not supported in replacement fields: " + std::string(spec));

    if (conv == "s") {
      append_str(buf, *arg);
    } else if (conv == "r") {
      append_repr(buf, *arg);
    } else {
      fail("format: unknown conversion " + quote(conv));
    }
  }
  return buf;
}

}  // namespace faultbox::star
