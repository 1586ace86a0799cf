#include "spec/syntax/Token.h"

#include <array>

namespace faultbox::star {

namespace {

// Indexed by Token; the spelling starlark-go's Token.String() gives.
constexpr std::array<std::string_view, static_cast<size_t>(Token::While) + 1> kTokenNames = {
    "illegal token",   // Illegal
    "end of file",     // Eof
    "newline",         // Newline
    "indent",          // Indent
    "outdent",         // Outdent
    "identifier",      // Ident
    "int literal",     // Int
    "float literal",   // Float
    "string literal",  // String
    "bytes literal",   // Bytes
    "+",   "-",  "*",  "/",  "//", "%",  "&",  "|",  "^",  "<<", ">>", "~",  ".",
    ",",   "=",  ";",  ":",  "(",  ")",  "[",  "]",  "{",  "}",  "<",  ">",  ">=",
    "<=",  "==", "!=", "+=", "-=", "*=", "/=", "//=", "%=", "&=", "|=", "^=", "<<=",
    ">>=", "**",
    "and", "break", "continue", "def", "elif", "else", "for", "if", "in", "lambda",
    "load", "not", "not in", "or", "pass", "return", "while",
};

constexpr std::string_view name_of(Token t) { return kTokenNames[static_cast<size_t>(t)]; }
static_assert(name_of(Token::Bytes) == "bytes literal");
static_assert(name_of(Token::Plus) == "+");
static_assert(name_of(Token::GtGtEq) == ">>=");
static_assert(name_of(Token::StarStar) == "**");
static_assert(name_of(Token::And) == "and");
static_assert(name_of(Token::NotIn) == "not in");
static_assert(name_of(Token::While) == "while");

}  // namespace

std::string_view token_name(Token t) {
  auto i = static_cast<size_t>(t);
  return i < kTokenNames.size() ? kTokenNames[i] : "illegal token";
}

Token augmented_op(Token t) {
  switch (t) {
    case Token::PlusEq: return Token::Plus;
    case Token::MinusEq: return Token::Minus;
    case Token::StarEq: return Token::Star;
    case Token::SlashEq: return Token::Slash;
    case Token::SlashSlashEq: return Token::SlashSlash;
    case Token::PercentEq: return Token::Percent;
    case Token::AmpEq: return Token::Amp;
    case Token::PipeEq: return Token::Pipe;
    case Token::CircumflexEq: return Token::Circumflex;
    case Token::LtLtEq: return Token::LtLt;
    case Token::GtGtEq: return Token::GtGt;
    default: return Token::Illegal;
  }
}

}  // namespace faultbox::star
