// Token kinds of the Starlark lexical grammar. Shared by the scanner, the
// parser and the AST (operators are stored as the token that spelled them).
#pragma once

#include <cstdint>
#include <string_view>

namespace faultbox::star {

enum class Token : uint8_t {
  Illegal,
  Eof,

  Newline,
  Indent,
  Outdent,

  // Tokens with values
  Ident,   // x
  Int,     // 123, 0x7f, 0o17, 0b101
  Float,   // 1.23e45
  String,  // "foo" or 'foo' or '''foo''' or r'foo' or r"foo"
  Bytes,   // b"foo", etc

  // Punctuation
  Plus,          // +
  Minus,         // -
  Star,          // *
  Slash,         // /
  SlashSlash,    // //
  Percent,       // %
  Amp,           // &
  Pipe,          // |
  Circumflex,    // ^
  LtLt,          // <<
  GtGt,          // >>
  Tilde,         // ~
  Dot,           // .
  Comma,         // ,
  Eq,            // =
  Semi,          // ;
  Colon,         // :
  LParen,        // (
  RParen,        // )
  LBrack,        // [
  RBrack,        // ]
  LBrace,        // {
  RBrace,        // }
  Lt,            // <
  Gt,            // >
  Ge,            // >=
  Le,            // <=
  Eql,           // ==
  Neq,           // !=
  PlusEq,        // +=    (keep order consistent with Plus..GtGt)
  MinusEq,       // -=
  StarEq,        // *=
  SlashEq,       // /=
  SlashSlashEq,  // //=
  PercentEq,     // %=
  AmpEq,         // &=
  PipeEq,        // |=
  CircumflexEq,  // ^=
  LtLtEq,        // <<=
  GtGtEq,        // >>=
  StarStar,      // **

  // Keywords
  And,
  Break,
  Continue,
  Def,
  Elif,
  Else,
  For,
  If,
  In,
  Lambda,
  Load,
  Not,
  NotIn,  // synthesized by the parser from "not in"
  Or,
  Pass,
  Return,
  While,
};

// Spelling of a token as starlark-go prints it in messages ("+", "for",
// "newline", "end of file", "identifier", ...).
std::string_view token_name(Token t);

// For an augmented assignment token (PlusEq...), the binary operator it
// applies (Plus...). Returns Token::Illegal for anything else.
Token augmented_op(Token t);

}  // namespace faultbox::star
