#include "spec/lib/Json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

#include "spec/eval/Builtin.h"
#include "spec/eval/Dict.h"
#include "spec/eval/Error.h"
#include "spec/eval/Float.h"
#include "spec/eval/GoParseFloat.h"
#include "spec/eval/GoUtf8.h"
#include "spec/eval/Int.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"
#include "spec/eval/String.h"
#include "spec/eval/Thread.h"
#include "spec/eval/Unpack.h"
#include "spec/lib/JsonSyntax.h"
#include "spec/lib/NamedModule.h"

namespace faultbox::star {

namespace {

// A malformed JSON text (as opposed to, say, a stack overflow): the one
// failure json.decode's `default` replaces.
class JsonSyntaxError : public EvalError {
 public:
  using EvalError::EvalError;
};

// Runs f, prefixing the message of any error that escapes it.
template <class F>
void in_context(const std::string& prefix, F&& f) {
  try {
    f();
  } catch (const CancelledError&) {
    throw;
  } catch (EvalError& e) {
    e.set_msg(prefix + e.msg());
    throw;
  }
}

// ---------------------------------------------------------------------------
// Encoding

void append_hex4(std::string& out, unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", v);
  out += buf;
}

// starlark-go quotes printable-ASCII strings with Go's strconv.Quote (which
// writes DEL as \x7f) and everything else with encoding/json's rules (HTML
// characters and U+2028/9 escaped, invalid UTF-8 as \ufffd).
void quote(std::string& out, std::string_view s) {
  bool printable_ascii = true;
  for (unsigned char b : s)
    if (b < 0x20 || b >= 0x80) {
      printable_ascii = false;
      break;
    }
  out += '"';
  if (printable_ascii) {
    for (char c : s) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (c == 0x7f) {
        out += "\\x7f";
      } else {
        out += c;
      }
    }
    out += '"';
    return;
  }
  for (size_t i = 0; i < s.size();) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      switch (b) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '<': case '>': case '&': append_hex4(out, b); break;
        default:
          if (b < 0x20)
            append_hex4(out, b);
          else
            out += static_cast<char>(b);
      }
      ++i;
      continue;
    }
    auto d = utf8::decode_rune(s, i);
    if (d.rune == utf8::kReplacement && d.size == 1) {
      out += "\\ufffd";
    } else if (d.rune == 0x2028 || d.rune == 0x2029) {
      append_hex4(out, d.rune);
    } else {
      out.append(s.substr(i, d.size));
    }
    i += d.size;
  }
  out += '"';
}

// Values encoded as objects of their fields: structs, modules and host
// values with attributes (starlark-go's HasAttrs, after mappings and
// iterables have had their turn).
bool has_attrs(const Object& o) {
  switch (o.kind()) {
    case ObjKind::Struct:
    case ObjKind::Module:
    case ObjKind::Bytes:
      return true;
    case ObjKind::Other:
      return !o.attr_names().empty();
    default:
      return false;
  }
}

class Encoder {
 public:
  explicit Encoder(Thread& t) : t_(t) {}
  std::string out;

  void emit(const Value& x) {
    t_.add_step();  // a bounded evaluation bounds json.encode(range(1 << 40)) too
    switch (x.tag()) {
      case Value::Tag::None:
      case Value::Tag::Absent:
        out += "null";
        return;
      case Value::Tag::Bool:
        out += x.as_bool() ? "true" : "false";
        return;
      case Value::Tag::Int:
        out += std::to_string(x.as_small_int());
        return;
      case Value::Tag::Float:
        if (!std::isfinite(x.as_float()))
          throw EvalError("cannot encode non-finite float " + float_to_string(x.as_float()));
        out += float_to_string(x.as_float());
        return;
      case Value::Tag::Obj:
        break;
    }
    Object* o = x.obj();
    if (o->kind() == ObjKind::String) return quote(out, x.as<StringObj>()->str());
    if (o->kind() == ObjKind::BigInt) {
      out += int_to_string(x);
      return;
    }
    t_.check_stack();
    if (std::find(path_.begin(), path_.end(), o) != path_.end())
      throw EvalError("cycle in JSON structure");
    path_.push_back(o);
    emit_composite(x, *o);
    path_.pop_back();
  }

 private:
  void emit_composite(const Value& x, Object& o) {
    if (o.kind() == ObjKind::Dict) {
      std::vector<std::pair<Value, Value>> items;
      for (const auto& e : x.as<DictObj>()->table().entries())
        if (e.live) items.emplace_back(e.key, e.value);
      for (const auto& [k, v] : items)
        if (!k.is_string())
          throw EvalError("dict has " + std::string(type_name(k)) + " key, want string");
      std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
        return a.first.template as<StringObj>()->str() < b.first.template as<StringObj>()->str();
      });
      out += '{';
      for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ',';
        quote(out, items[i].first.as<StringObj>()->str());
        out += ':';
        in_context("in dict key " + repr(items[i].first) + ": ", [&] { emit(items[i].second); });
      }
      out += '}';
      return;
    }
    if (auto it = iterate(t_, x)) {
      out += '[';
      Value elem;
      for (size_t i = 0; it->next(elem); ++i) {
        if (i > 0) out += ',';
        in_context("at " + std::string(o.type_name()) + " index " + std::to_string(i) + ": ",
                   [&] { emit(elem); });
      }
      out += ']';
      return;
    }
    if (has_attrs(o)) {
      std::vector<std::string> names = o.attr_names();
      std::sort(names.begin(), names.end());
      out += '{';
      for (size_t i = 0; i < names.size(); ++i) {
        Value v = o.attr(t_, names[i]);
        if (v.is_absent())
          throw EvalError("internal error: dir(" + std::string(o.type_name()) + ") includes \"" +
                          names[i] + "\" but value has no ." + names[i] + " field");
        if (i > 0) out += ',';
        quote(out, names[i]);
        out += ':';
        in_context("in field ." + names[i] + ": ", [&] { emit(v); });
      }
      out += '}';
      return;
    }
    throw EvalError("cannot encode " + std::string(o.type_name()) + " as JSON");
  }

  Thread& t_;
  std::vector<const Object*> path_;  // containers being encoded, for cycles
};

// ---------------------------------------------------------------------------
// Decoding

struct DecodeFailure {
  std::string msg;
};

class Decoder {
 public:
  Decoder(Thread& t, std::string_view s) : t_(t), s_(s) {}
  size_t pos = 0;  // reported as the offset of a failure

  Value parse_document() {
    Value x = parse();
    if (skip_space()) fail("unexpected character " + q(s_[pos]) + " after value");
    return x;
  }

 private:
  [[noreturn]] static void fail(std::string msg) { throw DecodeFailure{std::move(msg)}; }
  static std::string q(char c) { return json_syntax::quote_char(static_cast<unsigned char>(c)); }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  // Skips white space; reports whether input remains.
  bool skip_space() {
    for (; pos < s_.size(); ++pos) {
      char c = s_[pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return true;
    }
    return false;
  }

  char next() {
    if (!skip_space()) fail("unexpected end of file");
    return s_[pos];
  }

  bool take(std::string_view word) {
    if (s_.substr(pos, word.size()) != word) return false;
    pos += word.size();
    return true;
  }

  Value parse() {
    t_.check_stack();
    t_.add_step();
    const char b = next();
    switch (b) {
      case '"':
        return parse_string();
      case 'n':
        if (take("null")) return Value::none();
        break;
      case 't':
        if (take("true")) return Value::boolean(true);
        break;
      case 'f':
        if (take("false")) return Value::boolean(false);
        break;
      case '[':
        return parse_array();
      case '{':
        return parse_object();
      default:
        if (is_digit(b) || b == '-') return parse_number();
    }
    fail("unexpected character " + q(b));
  }

  Value parse_array() {
    std::vector<Value> elems;
    ++pos;  // '['
    if (next() != ']') {
      for (;;) {
        elems.push_back(parse());
        char b = next();
        if (b != ',') {
          if (b != ']') fail("got " + q(b) + ", want ',' or ']'");
          break;
        }
        ++pos;  // ','
      }
    }
    ++pos;  // ']'
    return make_list(t_.heap(), std::move(elems));
  }

  Value parse_object() {
    Value dict = make_dict(t_.heap());
    ++pos;  // '{'
    if (next() != '}') {
      for (;;) {
        Value key = parse();
        if (!key.is_string()) fail("got " + std::string(type_name(key)) + " for object key, want string");
        char b = next();
        if (b != ':') fail("after object key, got " + q(b) + ", want ':' ");
        ++pos;  // ':'
        Value value = parse();
        dict.as<DictObj>()->table().insert(t_, key, value);
        b = next();
        if (b != ',') {
          if (b != '}') fail("in object, got " + q(b) + ", want ',' or '}'");
          break;
        }
        ++pos;  // ','
      }
    }
    ++pos;  // '}'
    return dict;
  }

  Value parse_string() {
    // Find the closing quote; plain ASCII without escapes needs no decoding.
    bool plain = true, closed = false;
    size_t j = pos + 1;
    for (; j < s_.size(); ++j) {
      unsigned char b = static_cast<unsigned char>(s_[j]);
      if (b == '\\') {
        plain = false;
        ++j;  // skip the escaped character
      } else if (b == '"') {
        closed = true;
        ++j;
        break;
      } else if (b >= 0x80) {
        plain = false;
      }
    }
    if (!closed) fail("unclosed string literal");
    std::string_view r = s_.substr(pos, j - pos);
    pos = j;
    if (plain) return make_string(std::string(r.substr(1, r.size() - 2)));
    // Go's json.Unmarshal: validate, then unquote.
    json_syntax::Scanner scan;
    for (unsigned char c : r)
      if (scan.step(c) == json_syntax::Op::Error) fail(scan.error());
    if (auto err = scan.finish()) fail(*err);
    return make_string(unquote(r));
  }

  static int hex4(std::string_view r, size_t k) {
    if (k + 6 > r.size() || r[k] != '\\' || r[k + 1] != 'u') return -1;
    int v = 0;
    for (size_t i = k + 2; i < k + 6; ++i) {
      char c = r[i];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  }

  // The contents of a valid JSON string literal r (quotes included).
  static std::string unquote(std::string_view r) {
    std::string out;
    out.reserve(r.size());
    const size_t end = r.size() - 1;
    for (size_t k = 1; k < end;) {
      const unsigned char c = static_cast<unsigned char>(r[k]);
      if (c == '\\') {
        const char e = r[k + 1];
        switch (e) {
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            char32_t rr = static_cast<char32_t>(hex4(r, k));
            k += 6;
            if (rr >= 0xD800 && rr < 0xE000) {
              int lo = hex4(r, k);
              if (rr < 0xDC00 && lo >= 0xDC00 && lo < 0xE000) {
                k += 6;
                utf8::append_rune(out, 0x10000 + ((rr - 0xD800) << 10) + (lo - 0xDC00));
                continue;
              }
              rr = utf8::kReplacement;
            }
            utf8::append_rune(out, rr);
            continue;
          }
          default: out += e;  // " \ /
        }
        k += 2;
        continue;
      }
      if (c < 0x80) {
        out += static_cast<char>(c);
        ++k;
        continue;
      }
      auto d = utf8::decode_rune(r, k);
      if (d.rune == utf8::kReplacement && d.size == 1)
        utf8::append_rune(out, utf8::kReplacement);
      else
        out.append(r.substr(k, d.size));
      k += d.size;
    }
    return out;
  }

  Value parse_number() {
    // Scan [0-9+-eE.] and let the number parsers judge.
    bool is_float = false;
    size_t j = pos + 1;
    for (; j < s_.size(); ++j) {
      char b = s_[j];
      if (is_digit(b)) continue;
      if (b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-') {
        is_float = true;
        continue;
      }
      break;
    }
    std::string num(s_.substr(pos, j - pos));
    pos = j;
    // JSON, unlike C, forbids a leading zero before a digit.
    std::string_view digits = num;
    if (digits[0] == '-') digits.remove_prefix(1);
    if (digits.empty() || (digits[0] == '0' && digits.size() > 1 && is_digit(digits[1])))
      fail("invalid number: " + num);
    if (is_float) {
      ParsedFloat p = parse_go_float(num);
      if (p.status != ParsedFloat::Status::Ok) fail("invalid number: " + num);
      return Value::from_float(p.value);
    }
    return make_int_from_decimal(num);
  }

  Thread& t_;
  std::string_view s_;
};

// ---------------------------------------------------------------------------
// The module's builtins

Value encode_builtin(Thread& t, const BuiltinObj& self, const Args& args) {
  Value x;
  unpack_positional(self.name(), args, 1, {{"x", &x}});
  std::string out;
  in_context(self.name() + ": ", [&] { out = json_encode(t, x); });
  return make_string(std::move(out));
}

Value decode_builtin(Thread& t, const BuiltinObj& self, const Args& args) {
  std::string text;
  Value dflt = Value::absent();
  unpack_args(self.name(), args, {{"x", &text}, {"default?", &dflt}});
  // x is positional-only: decode(x, *, default) is not expressible above.
  if (args.positional.empty()) throw EvalError(self.name() + ": unexpected keyword argument x");
  try {
    return json_decode(t, text);
  } catch (JsonSyntaxError& e) {
    if (!dflt.is_absent()) return dflt;
    e.set_msg(self.name() + ": " + e.msg());
    throw;
  }
}

Value indent_builtin(Thread&, const BuiltinObj& self, const Args& args) {
  std::string prefix, unit = "\t";  // keyword-only
  unpack_args(self.name(), Args{{}, args.named}, {{"prefix?", &prefix}, {"indent?", &unit}});
  std::string text;  // positional-only
  unpack_positional(self.name(), Args{args.positional, {}}, 1, {{"str", &text}});
  std::string out;
  in_context(self.name() + ": ", [&] { out = json_indent(text, prefix, unit); });
  return make_string(std::move(out));
}

}  // namespace

std::string json_encode(Thread& t, const Value& x) {
  Encoder enc(t);
  enc.emit(x);
  return std::move(enc.out);
}

Value json_decode(Thread& t, std::string_view text) {
  Decoder dec(t, text);
  try {
    return dec.parse_document();
  } catch (DecodeFailure& f) {
    throw JsonSyntaxError("at offset " + std::to_string(dec.pos) + ", " + f.msg);
  }
}

std::string json_indent(std::string_view text, std::string_view prefix, std::string_view indent) {
  std::string out;
  if (auto err = json_syntax::indent(text, prefix, indent, out)) throw EvalError(*err);
  return out;
}

Value make_json_module() {
  return make_named_module("json", {
                                       {"decode", make_builtin("json.decode", decode_builtin)},
                                       {"encode", make_builtin("json.encode", encode_builtin)},
                                       {"indent", make_builtin("json.indent", indent_builtin)},
                                   });
}

}  // namespace faultbox::star
