#include "spec/syntax/Scanner.h"

#include <gmp.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "spec/syntax/Quote.h"
#include "spec/syntax/Unicode.h"

namespace faultbox::star {

namespace {

constexpr int kTabWidth = 8;

bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }
bool is_odigit(char32_t c) { return c >= '0' && c <= '7'; }
bool is_bdigit(char32_t c) { return c == '0' || c == '1'; }
bool is_xdigit(char32_t c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_ident_start(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (c >= 0x80 && unicode::is_letter(c));
}
bool is_ident(char32_t c) { return is_digit(c) || is_ident_start(c); }

struct Keyword {
  std::string_view word;
  Token token;
};

// Keywords, and the words starlark-go reserves (scanned as Illegal).
constexpr std::array<Keyword, 30> kKeywords = {{
    {"and", Token::And},           {"break", Token::Break},     {"continue", Token::Continue},
    {"def", Token::Def},           {"elif", Token::Elif},       {"else", Token::Else},
    {"for", Token::For},           {"if", Token::If},           {"in", Token::In},
    {"lambda", Token::Lambda},     {"load", Token::Load},       {"not", Token::Not},
    {"or", Token::Or},             {"pass", Token::Pass},       {"return", Token::Return},
    {"while", Token::While},       {"as", Token::Illegal},      {"class", Token::Illegal},
    {"del", Token::Illegal},       {"except", Token::Illegal},  {"finally", Token::Illegal},
    {"from", Token::Illegal},      {"global", Token::Illegal},  {"import", Token::Illegal},
    {"is", Token::Illegal},        {"nonlocal", Token::Illegal}, {"raise", Token::Illegal},
    {"try", Token::Illegal},       {"with", Token::Illegal},    {"yield", Token::Illegal},
}};

Token keyword_or_ident(std::string_view word) {
  // Every keyword is 2..8 lowercase ASCII letters.
  if (word.size() < 2 || word.size() > 8 || word[0] < 'a' || word[0] > 'y') return Token::Ident;
  for (const Keyword& k : kKeywords) {
    if (k.word == word) return k.token;
  }
  return Token::Ident;
}

// Go's %q of a rune: a single-quoted, escaped character literal.
std::string quote_rune(char32_t c) {
  std::string s = "'";
  char buf[16];
  if (c == '\'' || c == '\\') {
    s += '\\';
    s += static_cast<char>(c);
  } else if (unicode::is_print(c)) {
    unicode::append(s, c);
  } else {
    switch (c) {
      case '\a': s += "\\a"; break;
      case '\b': s += "\\b"; break;
      case '\f': s += "\\f"; break;
      case '\n': s += "\\n"; break;
      case '\r': s += "\\r"; break;
      case '\t': s += "\\t"; break;
      case '\v': s += "\\v"; break;
      default:
        if (c < ' ' || c == 0x7F) {
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
        } else if (c < 0x10000) {
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        } else {
          std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(c));
        }
        s += buf;
    }
  }
  s += '\'';
  return s;
}

// RAII for a GMP integer.
struct BigInt {
  mpz_t z;
  BigInt() { mpz_init(z); }
  ~BigInt() { mpz_clear(z); }
  BigInt(const BigInt&) = delete;
  BigInt& operator=(const BigInt&) = delete;
};

// Decimal text of the digits `digits` in `base` (all valid digits).
std::string to_decimal(const std::string& digits, int base) {
  BigInt n;
  mpz_set_str(n.z, digits.c_str(), base);
  std::string out(mpz_sizeinbase(n.z, 10) + 2, '\0');
  mpz_get_str(out.data(), 10, n.z);
  out.resize(std::strlen(out.c_str()));
  return out;
}

}  // namespace

Scanner::Scanner(std::string_view path, std::string_view source) : path_(path), src_(source) {}

void Scanner::error(Pos pos, std::string msg) const {
  throw SourceErrors({SourceError{std::string(path_), pos, std::move(msg)}}, std::string(src_));
}

// The next code point, without consuming it; '\r' and "\r\n" read as '\n',
// and the end of input (or a NUL byte, as in starlark-go) as 0.
char32_t Scanner::peek() const {
  if (at_eof()) return 0;
  auto b = static_cast<unsigned char>(src_[off_]);
  if (b < 0x80) return b == '\r' ? U'\n' : char32_t(b);
  char32_t c;
  unicode::decode(src_.data() + off_, src_.size() - off_, c);
  return c;
}

// Consumes one code point, keeping pos_ (line, column in code points) current.
char32_t Scanner::read() {
  if (at_eof()) return 0;
  auto b = static_cast<unsigned char>(src_[off_]);
  if (b < 0x80) {
    ++off_;
    char32_t c = b;
    if (c == '\r') {
      if (!at_eof() && src_[off_] == '\n') ++off_;
      c = '\n';
    }
    if (c == '\n') {
      ++pos_.line;
      pos_.col = 1;
    } else {
      ++pos_.col;
    }
    return c;
  }
  char32_t c;
  off_ += unicode::decode(src_.data() + off_, src_.size() - off_, c);
  ++pos_.col;
  return c;
}

Token Scanner::next(TokenValue& val) {
  for (;;) {
    char32_t c = 0;
    bool blank = false;
    const bool saved_line_start = line_start_;

    // Leading white space: compute the indentation of a new line.
    if (line_start_) {
      line_start_ = false;
      int col = 0;
      for (;;) {
        c = peek();
        if (c == ' ') {
          ++col;
        } else if (c == '\t') {
          // (sic) starlark-go advances to the tab stop after the current
          // *rune* column, not the visual one.
          col += kTabWidth - (pos_.col - 1) % kTabWidth;
        } else {
          break;
        }
        read();
      }
      // A comment-only line, an empty line or the end of input.
      blank = c == '#' || c == '\n' || c == 0;
      if (!blank && depth_ == 0) {
        int cur = indents_.back();
        if (col > cur) {
          ++dents_;
          indents_.push_back(col);
        } else if (col < cur) {
          while (indents_.size() > 1 && col < indents_.back()) {
            --dents_;
            indents_.pop_back();
          }
          if (col != indents_.back()) {
            error(pos_, "unindent does not match any outer indentation level");
          }
        }
      }
    }

    // Pending indentation tokens.
    if (dents_ != 0) {
      val.pos = pos_;
      val.raw.clear();
      if (dents_ < 0) {
        ++dents_;
        return Token::Outdent;
      }
      --dents_;
      return Token::Indent;
    }

    c = peek();
    while (c == ' ' || c == '\t') {
      read();
      c = peek();
    }

    if (c == '#') {
      while (c != 0 && c != '\n') {
        read();
        c = peek();
      }
    }

    if (c == '\n') {
      line_start_ = true;
      if (depth_ > 0 || blank) {
        // Inside brackets, or a blank line: no token.
        read();
        continue;
      }
      val.pos = pos_;
      read();
      val.raw = "\n";
      return Token::Newline;
    }

    if (c == 0) {
      // End of input: close open blocks, after a NEWLINE if the last line
      // had none.
      if (indents_.size() > 1) {
        if (saved_line_start) {
          dents_ = 1 - static_cast<int>(indents_.size());
          indents_.resize(1);
          continue;
        }
        line_start_ = true;
        val.pos = pos_;
        val.raw = "\n";
        return Token::Newline;
      }
      val.pos = pos_;
      val.raw.clear();
      return Token::Eof;
    }

    if (c == '\\') {
      // Line continuation.
      read();
      if (peek() != '\n') error(pos_, "stray backslash in program");
      read();
      continue;
    }

    // The token proper.
    const size_t start = off_;
    val.pos = pos_;
    auto single = [&](Token t) {
      read();
      val.raw.assign(src_.substr(start, off_ - start));
      return t;
    };

    if (c == ',') return single(Token::Comma);

    if (c == '"' || c == '\'') return scan_string(val, start, c);

    if (is_ident_start(c)) {
      // String prefixes: r"", b"", rb"".
      auto is_quote = [&](size_t i) {
        return i < src_.size() && (src_[i] == '"' || src_[i] == '\'');
      };
      if ((c == 'r' || c == 'b') && is_quote(off_ + 1)) {
        read();
        return scan_string(val, start, peek());
      }
      if (c == 'r' && off_ + 1 < src_.size() && src_[off_ + 1] == 'b' && is_quote(off_ + 2)) {
        read();
        read();
        return scan_string(val, start, peek());
      }
      while (is_ident(c)) {
        read();
        c = peek();
      }
      val.raw.assign(src_.substr(start, off_ - start));
      return keyword_or_ident(val.raw);
    }

    switch (c) {
      case '(': ++depth_; return single(Token::LParen);
      case '[': ++depth_; return single(Token::LBrack);
      case '{': ++depth_; return single(Token::LBrace);
      case ')':
      case ']':
      case '}': {
        if (depth_ == 0) error(pos_, "unexpected " + quote_rune(c));
        --depth_;
        return single(c == ')' ? Token::RParen : c == ']' ? Token::RBrack : Token::RBrace);
      }
      default:
        break;
    }

    if (is_digit(c) || c == '.') return scan_number(val, start, c);

    // Punctuation. `op` is the token if no '=' follows, `op_eq` if one does.
    auto maybe_eq = [&](Token op, Token op_eq) {
      if (peek() == '=') {
        read();
        op = op_eq;
      }
      val.raw.assign(src_.substr(start, off_ - start));
      return op;
    };
    const Pos op_start = pos_;
    read();
    switch (c) {
      case '=': return maybe_eq(Token::Eq, Token::Eql);
      case '+': return maybe_eq(Token::Plus, Token::PlusEq);
      case '-': return maybe_eq(Token::Minus, Token::MinusEq);
      case '%': return maybe_eq(Token::Percent, Token::PercentEq);
      case '&': return maybe_eq(Token::Amp, Token::AmpEq);
      case '|': return maybe_eq(Token::Pipe, Token::PipeEq);
      case '^': return maybe_eq(Token::Circumflex, Token::CircumflexEq);
      case '!':
        if (peek() != '=') error(op_start, "unexpected input character '!'");
        return maybe_eq(Token::Illegal, Token::Neq);
      case '<':
        if (peek() == '<') {
          read();
          return maybe_eq(Token::LtLt, Token::LtLtEq);
        }
        return maybe_eq(Token::Lt, Token::Le);
      case '>':
        if (peek() == '>') {
          read();
          return maybe_eq(Token::GtGt, Token::GtGtEq);
        }
        return maybe_eq(Token::Gt, Token::Ge);
      case '/':
        if (peek() == '/') {
          read();
          return maybe_eq(Token::SlashSlash, Token::SlashSlashEq);
        }
        return maybe_eq(Token::Slash, Token::SlashEq);
      case '*':
        if (peek() == '*') {
          read();
          val.raw = "**";
          return Token::StarStar;
        }
        return maybe_eq(Token::Star, Token::StarEq);
      case ':':
      case ';':
      case '~':
        val.raw.assign(src_.substr(start, off_ - start));
        return c == ':' ? Token::Colon : c == ';' ? Token::Semi : Token::Tilde;
      default:
        break;
    }
    error(op_start, "unexpected input character " + quote_rune(c));
  }
}

Token Scanner::scan_string(TokenValue& val, size_t token_start, char32_t quote) {
  const Pos start = pos_;  // the opening quote (after any prefix)
  const std::string_view prefix = src_.substr(token_start, off_ - token_start);
  const bool is_raw = prefix.find('r') != std::string_view::npos;
  const bool is_bytes = prefix.find('b') != std::string_view::npos;
  const char q = static_cast<char>(quote);
  const bool triple = off_ + 3 <= src_.size() && src_[off_ + 1] == q && src_[off_ + 2] == q;

  std::string& raw = val.raw;
  raw.assign(prefix);
  // Reads one code point and appends it to raw: newlines normalized, an
  // invalid UTF-8 byte replaced by U+FFFD (as starlark-go's scanner does).
  auto take = [&]() {
    size_t before = off_;
    char32_t c = read();
    if (c == '\n') {
      raw += '\n';
    } else if (c == unicode::kRuneError && off_ - before == 1) {
      unicode::append(raw, c);
    } else {
      raw.append(src_.substr(before, off_ - before));
    }
    return c;
  };

  const size_t quote_len = triple ? 3 : 1;
  for (size_t i = 0; i < quote_len; ++i) take();
  const size_t body_start = raw.size();

  if (!triple) {
    for (;;) {
      if (at_eof()) error(val.pos, "unexpected EOF in string");
      char32_t c = take();
      if (c == quote) break;
      if (c == '\n') error(val.pos, "unexpected newline in string");
      if (c == '\\') {
        if (at_eof()) error(val.pos, "unexpected EOF in string");
        take();
      }
    }
  } else {
    int quotes = 0;
    for (;;) {
      if (at_eof()) error(val.pos, "unexpected EOF in string");
      char32_t c = take();
      if (c == quote) {
        if (++quotes == 3) break;
      } else {
        quotes = 0;
      }
      if (c == '\\') {
        if (at_eof()) error(val.pos, "unexpected EOF in string");
        take();
      }
    }
  }

  std::string_view body(raw);
  body = body.substr(body_start, raw.size() - body_start - quote_len);
  std::string err;
  if (!unquote_literal(body, is_raw, is_bytes, val.str, err)) error(start, std::move(err));
  return is_bytes ? Token::Bytes : Token::String;
}

Token Scanner::scan_number(TokenValue& val, size_t token_start, char32_t c) {
  const Pos start = pos_;
  bool fraction = false;
  bool exponent = false;
  auto digits = [&](bool (*pred)(char32_t)) {
    while (pred(c)) {
      read();
      c = peek();
    }
  };
  auto text = [&] { return src_.substr(token_start, off_ - token_start); };

  if (c == '.') {
    read();
    c = peek();
    if (!is_digit(c)) {
      val.raw = ".";
      return Token::Dot;
    }
    fraction = true;
  } else if (c == '0') {
    read();
    c = peek();
    if (c == '.') {
      fraction = true;
    } else if (c == 'x' || c == 'X') {
      read();
      c = peek();
      if (!is_xdigit(c)) error(start, "invalid hex literal");
      digits(is_xdigit);
    } else if (c == 'o' || c == 'O') {
      read();
      c = peek();
      if (!is_odigit(c)) error(pos_, "invalid octal literal");
      digits(is_odigit);
    } else if (c == 'b' || c == 'B') {
      read();
      c = peek();
      if (!is_bdigit(c)) error(pos_, "invalid binary literal");
      digits(is_bdigit);
    } else {
      // A float like 0123.4, or the obsolete octal form 0755.
      bool all_zeros = true;
      bool octal = true;
      while (is_digit(c)) {
        if (c != '0') all_zeros = false;
        if (c > '7') octal = false;
        read();
        c = peek();
      }
      if (c == '.') {
        fraction = true;
      } else if (c == 'e' || c == 'E') {
        exponent = true;
      } else if (octal && !all_zeros) {
        error(pos_, "obsolete form of octal literal; use 0o" + std::string(text().substr(1)));
      }
    }
  } else {
    digits(is_digit);
    if (c == '.') {
      fraction = true;
    } else if (c == 'e' || c == 'E') {
      exponent = true;
    }
  }

  if (fraction) {
    read();  // '.' (or, for ".5", the first digit)
    c = peek();
    digits(is_digit);
    if (c == 'e' || c == 'E') exponent = true;
  }
  if (exponent) {
    read();  // 'e'
    c = peek();
    if (c == '+' || c == '-') {
      read();
      c = peek();
      if (!is_digit(c)) error(pos_, "invalid float literal");
    }
    digits(is_digit);
  }

  val.raw.assign(text());
  if (fraction || exponent) {
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(val.raw.c_str(), &end);
    if (end != val.raw.c_str() + val.raw.size() || std::isinf(v)) {
      error(pos_, "invalid float literal");
    }
    val.float_value = v;
    return Token::Float;
  }
  parse_int(val, start);
  return Token::Int;
}

void Scanner::parse_int(TokenValue& val, Pos start) {
  const std::string& s = val.raw;
  int base = 10;
  size_t skip = 0;
  if (s.size() > 2 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') base = 16;
    if (p == 'o' || p == 'O') base = 8;
    if (p == 'b' || p == 'B') base = 2;
    if (base != 10) skip = 2;
  }
  if (base == 10 && s.size() > 1 && s[0] == '0' && s.find_first_not_of('0') != std::string::npos) {
    // A decimal with a leading zero (e.g. 0128): neither int nor octal.
    error(start, "invalid int literal");
  }
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t v = 0;
  bool fits = true;
  for (size_t i = skip; i < s.size(); ++i) {
    char ch = s[i];
    uint64_t d = ch <= '9' ? uint64_t(ch - '0') : uint64_t((ch | 0x20) - 'a' + 10);
    if (v > (kMax - d) / static_cast<uint64_t>(base)) {
      fits = false;
      break;
    }
    v = v * static_cast<uint64_t>(base) + d;
  }
  val.int_fits = fits;
  if (fits) {
    val.int_value = static_cast<int64_t>(v);
    val.int_decimal.clear();
  } else {
    val.int_value = 0;
    val.int_decimal = base == 10 ? s : to_decimal(s.substr(skip), base);
  }
}

}  // namespace faultbox::star
