// Strings and bytes (spec/eval/String.cpp, StringMethods.cpp, BytesMethods.cpp,
// StringIterables.cpp, Format.cpp, Quote.cpp, Runes.cpp): quoting, the
// Unicode tables, operators, % and str.format, every string method and the
// iterable views, with starlark-go's results and error messages. Most tests
// run Starlark source through the Interpreter, as programs use these values.
#include <gtest/gtest.h>

#include <iterator>
#include <random>
#include <string>

#include "spec/eval/Builtin.h"
#include "spec/eval/Function.h"
#include "spec/eval/GoUtf8.h"
#include "spec/eval/Interpreter.h"
#include "spec/eval/Ops.h"
#include "spec/eval/Quote.h"
#include "spec/eval/Render.h"
#include "spec/eval/Runes.h"
#include "spec/eval/String.h"
#include "spec/syntax/Quote.h"

namespace faultbox::star {
namespace {

class StringsTest : public ::testing::Test {
 protected:
  // repr() of the value of the Starlark expression `expr`.
  std::string eval(const std::string& expr) {
    try {
      Value m = interp.exec_file(thread, "test.star", "x = " + expr + "\n", Dialect::all(), predeclared);
      return repr(m.as<ModuleObj>()->global("x"));
    } catch (const EvalError& e) {
      ADD_FAILURE() << expr << ": unexpected error: " << e.msg();
    } catch (const SourceErrors& e) {
      ADD_FAILURE() << expr << ": source error: " << render_source_errors(e);
    }
    return "<error>";
  }

  // str() of the value of `expr`.
  std::string str_of(const std::string& expr) {
    try {
      Value m = interp.exec_file(thread, "test.star", "x = " + expr + "\n", Dialect::all(), predeclared);
      return str(m.as<ModuleObj>()->global("x"));
    } catch (const EvalError& e) {
      ADD_FAILURE() << expr << ": unexpected error: " << e.msg();
    }
    return "<error>";
  }

  // The message of the EvalError that evaluating `expr` throws.
  std::string error(const std::string& expr) {
    try {
      interp.exec_file(thread, "test.star", "x = " + expr + "\n", Dialect::all(), predeclared);
    } catch (const EvalError& e) {
      return e.msg();
    } catch (const SourceErrors& e) {
      ADD_FAILURE() << expr << ": source error: " << render_source_errors(e);
      return "<source error>";
    }
    ADD_FAILURE() << expr << ": no error";
    return "<no error>";
  }

  Interpreter interp;
  Thread thread{interp.heap(), "test"};
  StringDict predeclared;
};

// --- quoting -----------------------------------------------------------------

TEST(QuoteTest, EscapesWhatIsNotPrintable) {
  EXPECT_EQ(quote("abc"), "\"abc\"");
  EXPECT_EQ(quote(""), "\"\"");
  EXPECT_EQ(quote("a\"b\\c'd"), R"("a\"b\\c'd")");
  EXPECT_EQ(quote("\a\b\f\n\r\t\v"), R"("\a\b\f\n\r\t\v")");
  EXPECT_EQ(quote(std::string("\0\x01\x1f\x7f", 4)), R"("\x00\x01\x1f\x7f")");
  // Printable non-ASCII runes stay; other runes get \u or \U.
  EXPECT_EQ(quote("é世😿"), "\"é世😿\"");
  EXPECT_EQ(quote("\u200d\u00a0"), R"("\u200d\u00a0")");
  EXPECT_EQ(quote("\U000E0001"), R"("\U000e0001")");
  // Invalid UTF-8: each byte of the bad sequence as \x.
  EXPECT_EQ(quote("\xff"), R"("\xff")");
  EXPECT_EQ(quote("\xf0\x9f\x98"), R"("\xf0\x9f\x98")");
  EXPECT_EQ(quote("a\xed\xa0\x80z"), R"("a\xed\xa0\x80z")");  // a surrogate is invalid
}

TEST(QuoteTest, BytesUseTheSameEscapesWithPrefix) {
  EXPECT_EQ(quote("hello, 世界", true), "b\"hello, 世界\"");
  EXPECT_EQ(quote("hello, 世界\xe7\x95", true), R"(b"hello, 世界\xe7\x95")");
  EXPECT_EQ(quote("\t\n\x7f\u200d", true), R"(b"\t\n\x7f\u200d")");
  EXPECT_EQ(quote("", true), "b\"\"");
}

// The scanner reads back what repr writes: any valid text as a string
// literal, any byte sequence as a bytes literal.
TEST(QuoteTest, RoundTripsThroughTheScanner) {
  std::mt19937 rng(20240611);
  const char32_t kInteresting[] = {0,     7,      '\n',   '"',     '\'',    '\\',    ' ',   0x7F,
                                   0x80,  0xA0,   0xE9,   0x200D,  0x4E16,  0xFFFD,  0xFEFF, 0x1F63F,
                                   0xE0001, 0x10FFFF, 'a',  'Z'};
  for (int iter = 0; iter < 500; ++iter) {
    std::string text, bytes;
    int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) {
      char32_t r = (rng() % 3 == 0) ? static_cast<char32_t>(rng() % 0x110000)
                                     : kInteresting[rng() % std::size(kInteresting)];
      if (r >= 0xD800 && r <= 0xDFFF) r = 'x';
      utf8::append_rune(text, r);
      bytes.push_back(static_cast<char>(rng() % 256));
    }
    std::string q = quote(text), out, err;
    ASSERT_EQ(q.front(), '"');
    ASSERT_TRUE(unquote_literal(std::string_view(q).substr(1, q.size() - 2), false, false, out, err))
        << q << ": " << err;
    EXPECT_EQ(out, text) << q;

    std::string qb = quote(bytes, true);
    ASSERT_EQ(qb.substr(0, 2), "b\"");
    ASSERT_TRUE(unquote_literal(std::string_view(qb).substr(2, qb.size() - 3), false, true, out, err))
        << qb << ": " << err;
    EXPECT_EQ(out, bytes) << qb;
  }
}

// --- runes ------------------------------------------------------------------------

TEST(RunesTest, ClassesFollowGo) {
  EXPECT_TRUE(runes::is_letter('a'));
  EXPECT_TRUE(runes::is_letter(U'é'));
  EXPECT_TRUE(runes::is_letter(U'世'));
  EXPECT_FALSE(runes::is_letter('1'));
  EXPECT_FALSE(runes::is_letter(U'¿'));
  EXPECT_TRUE(runes::is_digit(U'٣'));  // ARABIC-INDIC DIGIT THREE (Nd)
  EXPECT_FALSE(runes::is_digit(U'²'));  // superscript two is No, not Nd
  EXPECT_TRUE(runes::is_upper(U'Й'));
  EXPECT_TRUE(runes::is_lower(U'й'));
  EXPECT_TRUE(runes::is_title(U'ǅ'));
  EXPECT_FALSE(runes::is_upper(U'ǅ'));
  EXPECT_TRUE(runes::is_space(0x85));
  EXPECT_TRUE(runes::is_space(0x3000));
  EXPECT_FALSE(runes::is_space(0x200B));  // ZERO WIDTH SPACE is not White_Space
  EXPECT_TRUE(runes::is_print(U'é'));
  EXPECT_TRUE(runes::is_print(' '));
  EXPECT_FALSE(runes::is_print(0xA0));  // only the ASCII space is printable
  EXPECT_FALSE(runes::is_print(0x200D));
}

TEST(RunesTest, SimpleCaseMappings) {
  EXPECT_EQ(runes::to_upper('a'), U'A');
  EXPECT_EQ(runes::to_upper(U'é'), U'É');
  EXPECT_EQ(runes::to_upper(U'ß'), U'ß');  // no one-rune upper case
  EXPECT_EQ(runes::to_upper(U'ÿ'), U'Ÿ');
  EXPECT_EQ(runes::to_lower(U'Ā'), U'ā');  // alternating Upper/lower block
  EXPECT_EQ(runes::to_lower(U'ā'), U'ā');
  EXPECT_EQ(runes::to_upper(U'ǆ'), U'Ǆ');
  EXPECT_EQ(runes::to_title(U'ǆ'), U'ǅ');
  EXPECT_EQ(runes::to_lower(U'ǅ'), U'ǆ');
  EXPECT_EQ(runes::to_lower(0x212A), U'k');  // KELVIN SIGN
  EXPECT_EQ(runes::to_upper(U'😿'), U'😿');
  EXPECT_TRUE(runes::is_cased(U'ß'));  // folds with U+1E9E
  EXPECT_TRUE(runes::is_cased(U'ǅ'));
  EXPECT_FALSE(runes::is_cased(U'ĸ'));  // a lower-case letter without a counterpart
  EXPECT_FALSE(runes::is_cased(U'世'));
}

// --- values and operators -----------------------------------------------------

TEST_F(StringsTest, ReprAndStr) {
  EXPECT_EQ(eval("'a\"b'"), R"("a\"b")");
  EXPECT_EQ(eval("'😿'[:1]"), R"("\xf0")");
  EXPECT_EQ(str_of("'a\"b'"), "a\"b");
  EXPECT_EQ(eval("b'x\\xffy'"), R"(b"x\xffy")");
  EXPECT_EQ(str_of("b'hello'"), "hello");
  EXPECT_EQ(str_of("b'\\xe4\\xb8\\x96\\xe7\\x95'"), "世\uFFFD\uFFFD");
  EXPECT_EQ(str_of("b'\\xed\\xb0\\x80'"), "\uFFFD\uFFFD\uFFFD");  // a surrogate's encoding
  EXPECT_EQ(eval("str(b'ok')"), "\"ok\"");
}

TEST_F(StringsTest, EqualityOrderingAndHashing) {
  EXPECT_EQ(eval("'abc' == 'ab' + 'c'"), "True");
  EXPECT_EQ(eval("'abc' != 'abd'"), "True");
  EXPECT_EQ(eval("('abc' < 'abd', 'ab' < 'abc', 'b' > 'abc', '\\x7f' < '\\x80')"),
            "(True, True, True, True)");
  EXPECT_EQ(eval("(b'\\x7f' < b'\\x80', b'abc' < b'abcd')"), "(True, True)");
  EXPECT_EQ(eval("'abc' == b'abc'"), "False");
  EXPECT_EQ(eval("dict([('a' + 'b', 1), ('ab', 2)])"), "{\"ab\": 2}");
  EXPECT_EQ(eval("dict([(b'k', 1), (b'k', 2)])[b'k']"), "2");

  Heap heap;
  Thread t(heap, "t");
  Value a = make_string("hello"), b = make_string(std::string("hel") + "lo");
  EXPECT_EQ(hash_value(t, a), hash_value(t, b));
  EXPECT_EQ(hash_value(t, a), hash_value(t, a));  // cached
  EXPECT_NE(hash_value(t, make_string("ab")), hash_value(t, make_string("ba")));
  EXPECT_EQ(hash_value(t, make_bytes("xy")), hash_value(t, make_bytes("xy")));
}

TEST_F(StringsTest, ConcatenationAndRepetition) {
  EXPECT_EQ(eval("'a' + 'b' + ''"), "\"ab\"");
  EXPECT_EQ(eval("('abc' * 3, 2 * 'xy', 'abc' * 0, 'abc' * -1, '' * 1000000000000)"),
            "(\"abcabcabc\", \"xyxy\", \"\", \"\", \"\")");
  EXPECT_EQ(error("'abc' * (1000000 * 1000000)"), "repeat count 1000000000000 too large");
  EXPECT_EQ(error("'abc' * 1000000 * 1000000"), "excessive repeat (3000000 * 1000000 elements)");
  EXPECT_EQ(error("1.0 * 'abc'"), "unknown binary op: float * string");
  EXPECT_EQ(error("'a' + 1"), "unknown binary op: string + int");
  EXPECT_EQ(error("'a' * True"), "unknown binary op: string * bool");
  EXPECT_EQ(eval("(b'ab' + b'cd', b'ab' * 2, 3 * b'x')"), "(b\"abcd\", b\"abab\", b\"xxx\")");
  EXPECT_EQ(error("b'a' + 'b'"), "unknown binary op: bytes + string");
}

TEST_F(StringsTest, Membership) {
  EXPECT_EQ(eval("('oo' in 'food', 'ox' not in 'food', '' in '', 'é' in 'café')"),
            "(True, True, True, True)");
  EXPECT_EQ(error("1 in 'abc'"), "'in <string>' requires string as left operand, not int");
  EXPECT_EQ(error("'a' in 1"), "unknown binary op: string in int");
  EXPECT_EQ(eval("(b'bc' in b'abcd', 97 in b'abc', 100 in b'abc', 0 not in b'abc')"),
            "(True, True, False, True)");
  EXPECT_EQ(error("'bc' in b'abc'"), "'in bytes' requires bytes or int as left operand, not string");
  EXPECT_EQ(error("256 in b'abc'"),
            "int in bytes: 256 out of range (want value in unsigned 8-bit range)");
  EXPECT_EQ(error("-1 in b'abc'"), "int in bytes: -1 out of range (want value in unsigned 8-bit range)");
}

TEST_F(StringsTest, IndexingAndSlicing) {
  EXPECT_EQ(eval("('abc'[0], 'abc'[-1], 'Hello, 世界!'[7])"), R"(("a", "c", "\xe4"))");
  EXPECT_EQ(error("'abc'[3]"), "string index 3 out of range [-3:2]");
  EXPECT_EQ(error("'abc'[-4]"), "string index -4 out of range [-3:2]");
  EXPECT_EQ(error("''[0]"), "index 0 out of range: empty string");
  EXPECT_EQ(error("'abc'['x']"), "string index: got string, want int");
  EXPECT_EQ(error("'abc'[1 << 40]"), "string index: 1099511627776 out of range");
  EXPECT_EQ(eval("('banana'[1:4], 'banana'[::-1], 'banana'[::2], 'banana'[7::-2], 'abc'[5:], 'abc'[2:1])"),
            R"(("ana", "ananab", "bnn", "aaa", "", ""))");
  EXPECT_EQ(eval("(b'goodbye'[0], b'goodbye'[-1], b'goodbye'[::2], b'goodbye'[4:4])"),
            R"((b"g", b"e", b"gobe", b""))");
  EXPECT_EQ(error("b'abc'[5]"), "bytes index 5 out of range [-3:2]");
  EXPECT_EQ(eval("(len('Hello, 世界!'), len(b'😿'), len(''))"), "(14, 4, 0)");
}

TEST_F(StringsTest, StringsAreNotIterable) {
  EXPECT_EQ(error("[c for c in 'abc']"), "string value is not iterable");
}

// --- % formatting ---------------------------------------------------------------

TEST_F(StringsTest, PercentConversions) {
  EXPECT_EQ(eval("'%s|%r' % ('hi', 'hi')"), R"("hi|\"hi\"")");
  EXPECT_EQ(eval("'%s %s' % ([1, 'a'], None)"), R"("[1, \"a\"] None")");
  EXPECT_EQ(eval("'%d %i %d' % (42, -7, 3.9)"), "\"42 -7 3\"");
  EXPECT_EQ(eval("'%d' % 123456789012345678901234567890"), "\"123456789012345678901234567890\"");
  EXPECT_EQ(eval("'%d' % -1e20"), "\"-100000000000000000000\"");
  EXPECT_EQ(eval("'%o %x %X %x' % (8, 255, 255, -255)"), "\"10 ff FF -ff\"");
  EXPECT_EQ(eval("'%x' % (1 << 70)"), "\"400000000000000000\"");
  EXPECT_EQ(eval("'%X' % -(1 << 70)"), "\"-400000000000000000\"");
  EXPECT_EQ(eval("'%e|%f|%g|%E|%G' % (1.5, 1.5, 1e6, 123.0, 1e-7)"),
            "\"1.500000e+00|1.500000|1e+06|1.230000E+02|1E-07\"");
  EXPECT_EQ(eval("'%g %g %e' % (100000, 0.0001, 0)"), "\"100000.0 0.0001 0.000000e+00\"");
  EXPECT_EQ(eval("'%f' % float('inf')"), "\"+inf\"");
  EXPECT_EQ(eval("'%c%c%c' % (65, 0x3b1, '😿')"), "\"Aα😿\"");
  EXPECT_EQ(eval("'100%% %s' % 'sure'"), "\"100% sure\"");
  EXPECT_EQ(eval("'%s' % ((1, 2),)"), "\"(1, 2)\"");
  EXPECT_EQ(eval("'%s' % [1]"), "\"[1]\"");
  EXPECT_EQ(eval("'no operands' % ()"), "\"no operands\"");
}

TEST_F(StringsTest, PercentWithMapping) {
  EXPECT_EQ(eval("'%(a)s-%(b)r-%(a)d' % {'a': 1, 'b': 'x'}"), R"("1-\"x\"-1")");
  EXPECT_EQ(eval("'%(a)s' % {'a': 1, 'b': 2}"), "\"1\"");
  EXPECT_EQ(error("'%(a)s' % {'b': 1}"), "key not found: a");
  EXPECT_EQ(error("'%(a)s' % (1,)"), "format requires a mapping");
  EXPECT_EQ(error("'%(a' % {'a': 1}"), "incomplete format key");
  EXPECT_EQ(error("'%(x)s %s' % {'x': 1}"), "not enough arguments for format string");
}

TEST_F(StringsTest, PercentErrors) {
  EXPECT_EQ(error("'%d %d' % 1"), "not enough arguments for format string");
  EXPECT_EQ(error("'%d %d' % (1, 2, 3)"), "too many arguments for format string");
  EXPECT_EQ(error("'' % 1"), "too many arguments for format string");
  EXPECT_EQ(error("'abc%' % 1"), "incomplete format");
  EXPECT_EQ(error("'abc%' % ()"), "not enough arguments for format string");
  EXPECT_EQ(error("'%q' % 1"), "unknown conversion %q");
  EXPECT_EQ(error("'%d' % 'x'"), "%d format requires integer: cannot convert string to int");
  EXPECT_EQ(error("'%x' % True"), "%x format requires integer: cannot convert bool to int");
  EXPECT_EQ(error("'%d' % float('nan')"), "%d format requires integer: cannot convert float NaN to integer");
  EXPECT_EQ(error("'%d' % float('-inf')"),
            "%d format requires integer: cannot convert float infinity to integer");
  EXPECT_EQ(error("'%e' % '1'"), "%e format requires float, not string");
  EXPECT_EQ(error("'%c' % 'ab'"), "%c format requires a single-character string");
  EXPECT_EQ(error("'%c' % ''"), "%c format requires a single-character string");
  EXPECT_EQ(error("'%c' % 65.0"), "%c format requires int or single-character string, not float");
  EXPECT_EQ(error("'%c' % 0x110000"), "%c format requires a valid Unicode code point, got 1114112");
  EXPECT_EQ(error("'%c' % -1"), "%c format requires a valid Unicode code point, got -1");
  EXPECT_EQ(error("1 % 'x'"), "unknown binary op: int % string");
}

// --- str.format -----------------------------------------------------------------

TEST_F(StringsTest, FormatFields) {
  EXPECT_EQ(eval("'a{}b{}c'.format(1, 'x')"), "\"a1bxc\"");
  EXPECT_EQ(eval("'{1}{0}{1}'.format('a', 'b')"), "\"bab\"");
  EXPECT_EQ(eval("'{x}{y}{}'.format(1, x=2, y=3)"), "\"231\"");
  EXPECT_EQ(eval("'{{}} {{{}}}'.format(5)"), "\"{} {5}\"");
  EXPECT_EQ(eval("'{!r} {!s} {x!r}'.format('a', 'b', x=[1])"), R"("\"a\" b [1]")");
  EXPECT_EQ(eval("'{012}'.format(*range(20))"), "\"12\"");
  EXPECT_EQ(eval("'{}'.format(None)"), "\"None\"");
}

TEST_F(StringsTest, FormatErrors) {
  EXPECT_EQ(error("'a{z}b'.format(x=1)"), "format: keyword z not found");
  EXPECT_EQ(error("'{-1}'.format(1)"), "format: keyword -1 not found");
  EXPECT_EQ(error("'{+0}'.format(1)"), "format: keyword +0 not found");
  EXPECT_EQ(error("'a{123}b'.format()"), "format: tuple index out of range");
  EXPECT_EQ(error("'{}{}'.format(1)"), "format: tuple index out of range");
  EXPECT_EQ(error("'{}{1}'.format(1, 2)"),
            "format: cannot switch from automatic field numbering to manual field specification");
  EXPECT_EQ(error("'{0}{}'.format(1, 2)"),
            "format: cannot switch from manual field specification to automatic field numbering");
  EXPECT_EQ(error("'{x!}'.format(x=1)"), "format: unknown conversion \"\"");
  EXPECT_EQ(error("'{x!a}'.format(x=1)"), "format: unknown conversion \"a\"");
  EXPECT_EQ(error("'{a.b}'.format(1)"),
            "format: attribute syntax x.y is not supported in replacement fields: a.b");
  EXPECT_EQ(error("'{a[0]}'.format(1)"),
            "format: element syntax a[i] is not supported in replacement fields: a[0]");
  EXPECT_EQ(error("'{ {} }'.format(1)"), "format: nested replacement fields not supported");
  EXPECT_EQ(error("'{:>5}'.format(1)"), "format spec features not supported in replacement fields: >5");
  EXPECT_EQ(error("'{{}'.format(1)"), "format: single '}' in format");
  EXPECT_EQ(error("'}}{'.format(1)"), "format: unmatched '{' in format");
}

// --- methods ----------------------------------------------------------------------

TEST_F(StringsTest, CaseMethods) {
  EXPECT_EQ(eval("'hElLo, WoRlD!'.capitalize()"), "\"Hello, world!\"");
  EXPECT_EQ(eval("'¿Por qué?'.capitalize()"), "\"¿por qué?\"");
  EXPECT_EQ(eval("'ǆenan'.capitalize()"), "\"ǅenan\"");
  EXPECT_EQ(eval("('Por Qué'.lower(), 'ǇUBOVIĆ'.lower(), 'straße'.upper(), 'ǉubović'.upper())"),
            "(\"por qué\", \"ǉubović\", \"STRAßE\", \"ǇUBOVIĆ\")");
  EXPECT_EQ(eval("('hElLo, WoRlD!'.title(), '¿Por qué?'.title(), 'ǉubović'.title())"),
            "(\"Hello, World!\", \"¿Por Qué?\", \"ǈubović\")");
  // Invalid UTF-8 becomes U+FFFD when a string goes through a case mapping.
  EXPECT_EQ(eval("('é' + '😿'[:1]).upper()"), "\"É\uFFFD\"");
  EXPECT_EQ(eval("('a' + '😿'[:1]).lower() == 'a' + '😿'[:1]"), "False");
}

TEST_F(StringsTest, Predicates) {
  EXPECT_EQ(eval("('abc1'.isalnum(), 'ab c'.isalnum(), ''.isalnum(), 'Ωé'.isalpha(), '12'.isdigit(), '1.5'.isdigit())"),
            "(True, False, False, True, True, False)");
  EXPECT_EQ(eval("(' \\t\\n\\u3000'.isspace(), ''.isspace(), ' x'.isspace())"), "(True, False, False)");
  EXPECT_EQ(eval("('hello, world!'.islower(), 'HAL-9000'.isupper(), '123'.islower(), 'ǆenan ǉubović'.islower())"),
            "(True, True, False, True)");
  EXPECT_EQ(eval("('ǄENAN ǇUBOVIĆ'.isupper(), 'Hello'.isupper(), 'ǅǈ'.isupper(), 'ǅǈ'.islower())"),
            "(True, False, False, False)");
  EXPECT_EQ(eval("('Hello, World!'.istitle(), 'Catch-22'.istitle(), 'ǅenan ǈubović'.istitle(), 'Ǆenan'.istitle(), 'HEllo'.istitle(), '22'.istitle())"),
            "(True, True, True, False, False, False)");
}

TEST_F(StringsTest, Searching) {
  EXPECT_EQ(eval("('foofoo'.find('oo'), 'foofoo'.find('ox'), 'foofoo'.find('oo', 2), 'foofoo'.rfind('oo'), 'foofoo'.rfind('oo', 1, 4), 'foofoo'.find(''), 'foofoo'.rfind(''))"),
            "(1, -1, 4, 4, 1, 0, 6)");
  EXPECT_EQ(eval("('abc'.index('c'), 'abcabc'.rindex('a'), 'abc'.find('a', -1), 'abc'.find('c', None, -1))"),
            "(2, 3, -1, -1)");
  EXPECT_EQ(error("'abc'.index('z')"), "index: substring not found");
  EXPECT_EQ(error("'abc'.rindex('z')"), "rindex: substring not found");
  EXPECT_EQ(error("'abc'.find(1)"), "find: for parameter 1: got int, want string");
  EXPECT_EQ(error("'abc'.find('a', 'x')"), "find: invalid start index: got string, want int");
  EXPECT_EQ(error("'abc'.find('a', 0, 1 << 40)"), "find: invalid end index: 1099511627776 out of range");
  EXPECT_EQ(eval("('banana'.count('a'), 'banana'.count('a', 2), 'banana'.count('a', -4, -2), 'banana'.count('an'), 'abc'.count(''), 'é'.count(''), 'abc'.count('', 5))"),
            "(3, 2, 1, 2, 4, 2, 1)");
}

TEST_F(StringsTest, StartsWithEndsWith) {
  EXPECT_EQ(eval("('foo'.startswith('fo'), 'foo'.endswith('oo'), 'foo'.startswith('x'), 'abc'.startswith(('x', 'a')), 'abc'.endswith(('x', 'y')))"),
            "(True, True, False, True, False)");
  EXPECT_EQ(eval("('abc'.startswith('bc', 1), 'abc'.startswith('b', 999), 'abc'.endswith('ab', None, -1), 'abc'.startswith('', 5))"),
            "(True, False, True, True)");
  EXPECT_EQ(error("'foo'.startswith(1)"), "startswith: got int, want string or tuple of string");
  EXPECT_EQ(error("'123'.endswith(['3'])"), "endswith: got list, want string or tuple of string");
  EXPECT_EQ(error("'123'.startswith(('x', 2))"), "startswith: want string, got int, for element 1");
  EXPECT_EQ(eval("'123'.startswith(('1', 2))"), "True");  // stops at the first match
}

TEST_F(StringsTest, JoinReplaceRemove) {
  EXPECT_EQ(eval("(','.join(['a', 'b', 'c']), ''.join(('x', 'y')), '-'.join([]), '-'.join(['solo']))"),
            "(\"a,b,c\", \"xy\", \"\", \"solo\")");
  EXPECT_EQ(eval("'+'.join({'k1': 1, 'k2': 2})"), "\"k1+k2\"");
  EXPECT_EQ(eval("'+'.join('ab'.elems())"), "\"a+b\"");
  EXPECT_EQ(error("''.join(['one', 2])"), "join: in list, want string, got int");
  EXPECT_EQ(error("','.join('abc')"), "join: for parameter 1: got string, want iterable");
  EXPECT_EQ(error("','.join(None)"), "join: for parameter 1: got NoneType, want iterable");
  EXPECT_EQ(eval("('banana'.replace('a', 'o'), 'banana'.replace('a', 'o', 2), 'banana'.replace('a', 'o', 0), 'banana'.replace('x', 'y'), 'banana'.replace('an', ''))"),
            "(\"bonono\", \"bonona\", \"banana\", \"banana\", \"ba\")");
  EXPECT_EQ(eval("('abc'.replace('', '-'), 'aé'.replace('', '.', 2))"), "(\"-a-b-c-\", \".a.é\")");
  EXPECT_EQ(error("'abc'.replace('a')"), "replace: got 1 arguments, want at least 2");
  EXPECT_EQ(eval("('abc'.removeprefix('ab'), 'abc'.removeprefix('x'), 'abc'.removesuffix('bc'), 'abc'.removesuffix(''), 'aaa'.removeprefix('a'))"),
            "(\"c\", \"abc\", \"a\", \"abc\", \"aa\")");
}

TEST_F(StringsTest, Strip) {
  EXPECT_EQ(eval("(' \\tfoo\\n '.strip(), ' \\tfoo\\n '.lstrip(), ' \\tfoo\\n '.rstrip(), ' x '.strip(''))"),
            "(\"foo\", \"foo\\n \", \" \\tfoo\", \"x\")");
  EXPECT_EQ(eval("('blah.h'.strip('b.h'), 'blah.h'.lstrip('b.h'), 'blah.h'.rstrip('b.h'), 'éxé'.strip('é'))"),
            "(\"la\", \"lah.h\", \"bla\", \"x\")");
  EXPECT_EQ(eval("'\\u3000x\\u00a0'.strip()"), "\"x\"");
  EXPECT_EQ(error("'x'.strip(None)"), "strip: for parameter 1: got NoneType, want string");
}

TEST_F(StringsTest, Partition) {
  EXPECT_EQ(eval("('foo/bar/wiz'.partition('/'), 'foo/bar/wiz'.rpartition('/'))"),
            "((\"foo\", \"/\", \"bar/wiz\"), (\"foo/bar\", \"/\", \"wiz\"))");
  EXPECT_EQ(eval("('abc'.partition('.'), 'abc'.rpartition('.'))"),
            "((\"abc\", \"\", \"\"), (\"\", \"\", \"abc\"))");
  EXPECT_EQ(error("'abc'.partition('')"), "partition: empty separator");
  EXPECT_EQ(error("'abc'.rpartition('')"), "rpartition: empty separator");
}

TEST_F(StringsTest, Split) {
  EXPECT_EQ(eval("('a.b.c.d'.split('.'), 'a.b.c.d'.split('.', 1), 'a.b.c.d'.rsplit('.', 2), 'a.b.c.d'.split('.', 0))"),
            "([\"a\", \"b\", \"c\", \"d\"], [\"a\", \"b.c.d\"], [\"a.b\", \"c\", \"d\"], [\"a.b.c.d\"])");
  EXPECT_EQ(eval("('--aa--'.split('-'), ''.split('.'), 'aaa'.rsplit('aa', 1), 'aaa'.split('aa'))"),
            "([\"\", \"\", \"aa\", \"\", \"\"], [\"\"], [\"\", \"a\"], [\"\", \"a\"])");
  EXPECT_EQ(eval("(' a bc\\n  def \\t  ghi'.split(), '  '.split(), ''.split(), 'a\\u3000b'.split())"),
            "([\"a\", \"bc\", \"def\", \"ghi\"], [], [], [\"a\", \"b\"])");
  EXPECT_EQ(eval("('  aa  bb  cc  '.split(None, 1), '  aa  bb  cc  '.rsplit(None, 1), '  aa  bb  cc  '.split(None, 0), '  aa  bb  cc  '.rsplit(None, 0))"),
            "([\"aa\", \"bb  cc  \"], [\"  aa  bb\", \"cc\"], [\"aa  bb  cc  \"], [\"  aa  bb  cc\"])");
  EXPECT_EQ(error("'a'.split('')"), "split: empty separator");
  EXPECT_EQ(error("'a'.rsplit(1)"), "split: got int for separator, want string");
  EXPECT_EQ(error("'a'.split('.', 'x')"), "split: for parameter 2: got string, want int");
}

TEST_F(StringsTest, Splitlines) {
  EXPECT_EQ(eval("('\\nabc\\ndef'.splitlines(), '\\nabc\\ndef\\n'.splitlines(True), ''.splitlines(), 'a\\n\\nb'.splitlines())"),
            "([\"\", \"abc\", \"def\"], [\"\\n\", \"abc\\n\", \"def\\n\"], [], [\"a\", \"\", \"b\"])");
}

TEST_F(StringsTest, MethodArgumentErrors) {
  EXPECT_EQ(error("'abc'.upper(1)"), "upper: got 1 arguments, want 0");
  EXPECT_EQ(error("'abc'.count()"), "count: got 0 arguments, want at least 1");
  EXPECT_EQ(error("'abc'.count('a', 1, 2, 3)"), "count: got 4 arguments, want at most 3");
  EXPECT_EQ(error("'abc'.find(sub='a')"), "find: unexpected keyword arguments");
  EXPECT_EQ(error("'abc'.nosuch"), "string has no .nosuch field or method");
  EXPECT_EQ(error("''.starts_with"), "string has no .starts_with field or method (did you mean .startswith?)");
}

TEST_F(StringsTest, MethodsAreAttributes) {
  EXPECT_EQ(eval("'abc'.upper"), "<built-in method upper of string value>");
  EXPECT_EQ(eval("getattr('a,b', 'split')(',')"), "[\"a\", \"b\"]");
  EXPECT_EQ(eval("hasattr('', 'removeprefix')"), "True");
  EXPECT_EQ(eval("dir('')[:4]"), "[\"capitalize\", \"codepoint_ords\", \"codepoints\", \"count\"]");
  EXPECT_EQ(eval("len(dir(''))"), "35");
  EXPECT_EQ(eval("dir(b'')"), "[\"elems\"]");
}

// --- iterable views -----------------------------------------------------------------

TEST_F(StringsTest, ElemsAndCodepoints) {
  EXPECT_EQ(eval("list('abcЙ'.elems())"), R"(["a", "b", "c", "\xd0", "\x99"])");
  EXPECT_EQ(eval("list('abcЙ'.elem_ords())"), "[97, 98, 99, 208, 153]");
  EXPECT_EQ(eval("list('aЙ😿'.codepoints())"), "[\"a\", \"Й\", \"😿\"]");
  EXPECT_EQ(eval("list('aЙ😿'.codepoint_ords())"), "[97, 1049, 128575]");
  EXPECT_EQ(eval("list(('A' + '😿Z'[1:]).codepoint_ords())"), "[65, 65533, 65533, 65533, 90]");
  EXPECT_EQ(eval("list(('A' + '😿Z'[1:]).codepoints())"), R"(["A", "\x9f", "\x98", "\xbf", "Z"])");
  EXPECT_EQ(eval("(list(''.elems()), list(''.codepoints()))"), "([], [])");
  EXPECT_EQ(eval("('ab'.elems(), 'ab'.elem_ords(), 'ab'.codepoints(), 'ab'.codepoint_ords())"),
            R"(("ab".elems(), "ab".elem_ords(), "ab".codepoints(), "ab".codepoint_ords()))");
  EXPECT_EQ(eval("(type('a'.elems()), type('a'.elem_ords()), type('a'.codepoints()), type('a'.codepoint_ords()))"),
            R"(("elems", "elems", "codepoints", "codepoints"))");
  EXPECT_EQ(eval("('abc'.elems()[1], 'abc'.elem_ords()[-1], len('aé'.elems()))"), "(\"b\", 99, 3)");
  EXPECT_EQ(error("'abc'.elems()[3]"), "elems index 3 out of range [-3:2]");
  EXPECT_EQ(error("'abc'.codepoints()[0]"), "unhandled index operation codepoints[int]");
  EXPECT_EQ(error("len('abc'.codepoints())"), "len: value of type codepoints has no len");
  EXPECT_EQ(error("{'a'.elems(): 1}"), "unhashable: elems");
  EXPECT_EQ(eval("bool(''.elems())"), "True");
}

TEST_F(StringsTest, BytesElems) {
  EXPECT_EQ(eval("list(b'hi\\xff'.elems())"), "[104, 105, 255]");
  EXPECT_EQ(eval("b'hi'.elems()"), "b\"hi\".elems()");
  EXPECT_EQ(eval("type(b''.elems())"), "\"bytes.elems\"");
  EXPECT_EQ(error("b''.elems(1)"), "elems: got 1 arguments, want 0");
}

}  // namespace
}  // namespace faultbox::star
