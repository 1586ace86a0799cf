#include "spec/lib/JsonSyntax.h"

#include <cstdio>

#include "spec/eval/GoUtf8.h"

namespace faultbox::star::json_syntax {

enum class Scanner::State : uint8_t {
  BeginValue,
  BeginValueOrEmpty,
  BeginStringOrEmpty,
  BeginString,
  EndValue,
  EndTop,
  InString,
  InStringEsc,
  InStringEscU,
  Neg,    // after '-'
  One,    // in the integer part, after a non-zero digit
  Zero,   // after a leading 0
  Dot,    // after the decimal point
  Dot0,   // in the fraction
  E,      // after e/E
  ESign,  // after the exponent's sign
  E0,     // in the exponent
  Literal,
  Error,
};

namespace {

constexpr size_t kMaxNestingDepth = 10000;  // Go's limit

bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_hex(unsigned char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Go's unicode.IsPrint for U+0000..U+00FF.
bool go_printable(unsigned char c) {
  if (c < 0x80) return c >= 0x20 && c < 0x7f;
  return c >= 0xA1 && c != 0xAD;
}

}  // namespace

std::string quote_char(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  std::string out = "'";
  switch (c) {
    case '\a': out += "\\a"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\v': out += "\\v"; break;
    case '\\': out += "\\\\"; break;
    default: {
      char buf[8];
      if (go_printable(c)) {
        utf8::append_rune(out, c);
      } else if (c < 0x20 || c == 0x7f) {
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
    }
  }
  out += '\'';
  return out;
}

Scanner::Scanner() : state_(State::BeginValue) {}

Op Scanner::fail(unsigned char c, std::string_view context) {
  state_ = State::Error;
  error_ = "invalid character " + quote_char(c) + " " + std::string(context);
  return Op::Error;
}

Op Scanner::pop() {
  stack_.pop_back();
  if (stack_.empty()) {
    state_ = State::EndTop;
    end_top_ = true;
  } else {
    state_ = State::EndValue;
  }
  return Op::Continue;  // callers return their own op
}

Op Scanner::begin_value(unsigned char c) {
  if (is_space(c)) return Op::SkipSpace;
  switch (c) {
    case '{':
      if (stack_.size() >= kMaxNestingDepth) return fail(c, "exceeded max depth");
      stack_.push_back(Parse::ObjectKey);
      state_ = State::BeginStringOrEmpty;
      return Op::BeginObject;
    case '[':
      if (stack_.size() >= kMaxNestingDepth) return fail(c, "exceeded max depth");
      stack_.push_back(Parse::ArrayValue);
      state_ = State::BeginValueOrEmpty;
      return Op::BeginArray;
    case '"':
      state_ = State::InString;
      return Op::BeginLiteral;
    case '-':
      state_ = State::Neg;
      return Op::BeginLiteral;
    case '0':
      state_ = State::Zero;
      return Op::BeginLiteral;
    case 't':
      word_ = "true";
      literal_pos_ = 1;
      state_ = State::Literal;
      return Op::BeginLiteral;
    case 'f':
      word_ = "false";
      literal_pos_ = 1;
      state_ = State::Literal;
      return Op::BeginLiteral;
    case 'n':
      word_ = "null";
      literal_pos_ = 1;
      state_ = State::Literal;
      return Op::BeginLiteral;
  }
  if (c >= '1' && c <= '9') {
    state_ = State::One;
    return Op::BeginLiteral;
  }
  return fail(c, "looking for beginning of value");
}

Op Scanner::begin_value_or_empty(unsigned char c) {
  if (is_space(c)) return Op::SkipSpace;
  if (c == ']') return end_value(c);
  return begin_value(c);
}

Op Scanner::begin_string_or_empty(unsigned char c) {
  if (is_space(c)) return Op::SkipSpace;
  if (c == '}') {
    stack_.back() = Parse::ObjectValue;
    return end_value(c);
  }
  return begin_string(c);
}

Op Scanner::begin_string(unsigned char c) {
  if (is_space(c)) return Op::SkipSpace;
  if (c == '"') {
    state_ = State::InString;
    return Op::BeginLiteral;
  }
  return fail(c, "looking for beginning of object key string");
}

Op Scanner::end_value(unsigned char c) {
  if (stack_.empty()) {
    state_ = State::EndTop;
    end_top_ = true;
    return end_top(c);
  }
  if (is_space(c)) {
    state_ = State::EndValue;
    return Op::SkipSpace;
  }
  switch (stack_.back()) {
    case Parse::ObjectKey:
      if (c == ':') {
        stack_.back() = Parse::ObjectValue;
        state_ = State::BeginValue;
        return Op::ObjectKey;
      }
      return fail(c, "after object key");
    case Parse::ObjectValue:
      if (c == ',') {
        stack_.back() = Parse::ObjectKey;
        state_ = State::BeginString;
        return Op::ObjectValue;
      }
      if (c == '}') {
        pop();
        return Op::EndObject;
      }
      return fail(c, "after object key:value pair");
    case Parse::ArrayValue:
      if (c == ',') {
        state_ = State::BeginValue;
        return Op::ArrayValue;
      }
      if (c == ']') {
        pop();
        return Op::EndArray;
      }
      return fail(c, "after array element");
  }
  return fail(c, "");
}

Op Scanner::end_top(unsigned char c) {
  if (!is_space(c)) return fail(c, "after top-level value");
  return Op::End;
}

Op Scanner::after_zero(unsigned char c) {
  if (c == '.') {
    state_ = State::Dot;
    return Op::Continue;
  }
  if (c == 'e' || c == 'E') {
    state_ = State::E;
    return Op::Continue;
  }
  return end_value(c);
}

Op Scanner::exponent_sign(unsigned char c) {
  if (is_digit(c)) {
    state_ = State::E0;
    return Op::Continue;
  }
  return fail(c, "in exponent of numeric literal");
}

Op Scanner::literal(unsigned char c, std::string_view word) {
  if (c != static_cast<unsigned char>(word[literal_pos_])) {
    std::string context = "in literal " + std::string(word) + " (expecting " +
                          quote_char(static_cast<unsigned char>(word[literal_pos_])) + ")";
    return fail(c, context);
  }
  if (++literal_pos_ == word.size()) state_ = State::EndValue;
  return Op::Continue;
}

Op Scanner::step(unsigned char c) {
  switch (state_) {
    case State::BeginValue:
      return begin_value(c);
    case State::BeginValueOrEmpty:
      return begin_value_or_empty(c);
    case State::BeginStringOrEmpty:
      return begin_string_or_empty(c);
    case State::BeginString:
      return begin_string(c);
    case State::EndValue:
      return end_value(c);
    case State::EndTop:
      return end_top(c);
    case State::InString:
      if (c == '"') {
        state_ = State::EndValue;
        return Op::Continue;
      }
      if (c == '\\') {
        state_ = State::InStringEsc;
        return Op::Continue;
      }
      if (c < 0x20) return fail(c, "in string literal");
      return Op::Continue;
    case State::InStringEsc:
      switch (c) {
        case 'b': case 'f': case 'n': case 'r': case 't': case '\\': case '/': case '"':
          state_ = State::InString;
          return Op::Continue;
        case 'u':
          hex_left_ = 4;
          state_ = State::InStringEscU;
          return Op::Continue;
      }
      return fail(c, "in string escape code");
    case State::InStringEscU:
      if (!is_hex(c)) return fail(c, "in \\u hexadecimal character escape");
      if (--hex_left_ == 0) state_ = State::InString;
      return Op::Continue;
    case State::Neg:
      if (c == '0') {
        state_ = State::Zero;
        return Op::Continue;
      }
      if (c >= '1' && c <= '9') {
        state_ = State::One;
        return Op::Continue;
      }
      return fail(c, "in numeric literal");
    case State::One:
      if (is_digit(c)) return Op::Continue;
      return after_zero(c);
    case State::Zero:
      return after_zero(c);
    case State::Dot:
      if (is_digit(c)) {
        state_ = State::Dot0;
        return Op::Continue;
      }
      return fail(c, "after decimal point in numeric literal");
    case State::Dot0:
      if (is_digit(c)) return Op::Continue;
      if (c == 'e' || c == 'E') {
        state_ = State::E;
        return Op::Continue;
      }
      return end_value(c);
    case State::E:
      if (c == '+' || c == '-') {
        state_ = State::ESign;
        return Op::Continue;
      }
      return exponent_sign(c);
    case State::ESign:
      return exponent_sign(c);
    case State::E0:
      if (is_digit(c)) return Op::Continue;
      return end_value(c);
    case State::Literal:
      return literal(c, word_);
    case State::Error:
      return Op::Error;
  }
  return Op::Error;
}

std::optional<std::string> Scanner::finish() {
  if (state_ == State::Error) return error_;
  if (end_top_) return std::nullopt;
  step(' ');
  if (end_top_) return std::nullopt;
  if (state_ != State::Error) {
    state_ = State::Error;
    error_ = "unexpected end of JSON input";
  }
  return error_;
}

namespace {

// "\n" + prefix + depth copies of the unit, kept between lines so each
// line start is a single append.
class LineStart {
 public:
  LineStart(std::string_view prefix, std::string_view unit) : unit_(unit) {
    text_ = "\n";
    text_ += prefix;
    base_ = text_.size();
  }
  const std::string& at(int depth) {
    const size_t want = base_ + static_cast<size_t>(depth) * unit_.size();
    while (text_.size() < want) text_ += unit_;
    text_.resize(want);
    return text_;
  }

 private:
  std::string_view unit_;
  std::string text_;
  size_t base_;
};

}  // namespace

std::optional<std::string> indent(std::string_view src, std::string_view prefix,
                                  std::string_view indent_unit, std::string& out) {
  const size_t start = out.size();
  Scanner scan;
  bool need_indent = false;  // delayed so that {} and [] stay compact
  int depth = 0;
  LineStart line(prefix, indent_unit);
  for (unsigned char c : src) {
    Op op = scan.step(c);
    if (op == Op::SkipSpace) continue;
    if (op == Op::Error) break;
    if (need_indent && op != Op::EndObject && op != Op::EndArray) {
      need_indent = false;
      out += line.at(++depth);
    }
    if (op == Op::Continue) {
      out += static_cast<char>(c);
      continue;
    }
    switch (c) {
      case '{':
      case '[':
        need_indent = true;
        out += static_cast<char>(c);
        break;
      case ',':
        out += ',';
        out += line.at(depth);
        break;
      case ':':
        out += ": ";
        break;
      case '}':
      case ']':
        if (need_indent) {
          need_indent = false;  // empty object or array
        } else {
          out += line.at(--depth);
        }
        out += static_cast<char>(c);
        break;
      default:
        out += static_cast<char>(c);
    }
  }
  if (auto err = scan.finish()) {
    out.resize(start);
    return err;
  }
  return std::nullopt;
}

}  // namespace faultbox::star::json_syntax
