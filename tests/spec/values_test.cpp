// The core value layer: ints (small and GMP-backed), floats and their
// formatting, hashing, comparison, arithmetic dispatch and its messages,
// range, slicing, attributes, builtins and argument unpacking.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "spec/eval/Builtin.h"
#include "spec/eval/Error.h"
#include "spec/eval/Float.h"
#include "spec/eval/Heap.h"
#include "spec/eval/Int.h"
#include "spec/eval/Ops.h"
#include "spec/eval/Range.h"
#include "spec/eval/String.h"
#include "spec/eval/Thread.h"
#include "spec/eval/Unpack.h"

namespace faultbox::star {
namespace {

class ValuesTest : public ::testing::Test {
 protected:
  Heap heap;
  Thread t{heap, "test"};

  static Value I(int64_t i) { return Value::from_int(i); }
  static Value F(double d) { return Value::from_float(d); }
  static Value B(const std::string& decimal) { return make_int_from_decimal(decimal); }
  static Value S(std::string s) { return make_string(std::move(s)); }
  static std::string text(const Value& v) { return repr(v); }

  Value op(Token o, const Value& x, const Value& y) { return binary_op(t, o, x, y); }
  // 2^n by repeated shifts (a single shift is limited to 511).
  Value pow2(int n) {
    Value v = I(1);
    for (; n > 0; n -= 500) v = op(Token::LtLt, v, I(n < 500 ? n : 500));
    return v;
  }
  // The message of the EvalError `f` throws ("" when it does not throw).
  template <class F>
  static std::string error_of(F f) {
    try {
      f();
    } catch (const EvalError& e) {
      return e.msg();
    }
    return "";
  }
  std::string binary_error(Token o, const Value& x, const Value& y) {
    return error_of([&] { op(o, x, y); });
  }
};

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// --- ints ------------------------------------------------------------------------

TEST_F(ValuesTest, SmallIntOverflowBecomesBigAndBigNormalizesBack) {
  Value big = op(Token::Plus, I(kMax), I(1));
  EXPECT_TRUE(big.is(ObjKind::BigInt));
  EXPECT_EQ(text(big), "9223372036854775808");
  Value back = op(Token::Minus, big, I(1));
  ASSERT_TRUE(back.is_small_int());
  EXPECT_EQ(back.as_small_int(), kMax);

  EXPECT_EQ(text(op(Token::Minus, I(kMin), I(1))), "-9223372036854775809");
  EXPECT_EQ(text(op(Token::Star, I(kMin), I(kMin))), "85070591730234615865843651857942052864");
  EXPECT_EQ(text(unary_op(t, Token::Minus, I(kMin))), "9223372036854775808");
  EXPECT_TRUE(unary_op(t, Token::Minus, unary_op(t, Token::Minus, I(kMin))).is_small_int());
  // A literal that fits is small.
  EXPECT_TRUE(B("-9223372036854775808").is_small_int());
  EXPECT_TRUE(B("9223372036854775808").is(ObjKind::BigInt));
}

TEST_F(ValuesTest, BigIntArithmeticMatchesKnownValues) {
  EXPECT_EQ(text(op(Token::Star, I(1111111111111111), I(1111111111111111))),
            "1234567901234567654320987654321");
  Value x = I(0x1000000000000001);
  EXPECT_EQ(int_to_string(op(Token::Star, x, x), 16), "1000000000000002000000000000001");
  Value e30 = B("1000000000000000000000000000000");
  EXPECT_EQ(text(op(Token::SlashSlash, e30, I(-7))), "-142857142857142857142857142858");
  EXPECT_EQ(text(op(Token::Percent, e30, I(-7))), "-6");
  Value ne30 = B("-1000000000000000000000000000000");
  EXPECT_EQ(text(op(Token::SlashSlash, ne30, I(7))), "-142857142857142857142857142858");
  EXPECT_EQ(text(op(Token::Percent, ne30, I(7))), "6");
  Value d = B("-9999999999999999999999997");
  EXPECT_EQ(text(op(Token::SlashSlash, ne30, d)), "100000");
  EXPECT_EQ(text(op(Token::Percent, ne30, d)), "-300000");
  EXPECT_EQ(text(op(Token::SlashSlash, I(kMin), I(-1))), "9223372036854775808");
  EXPECT_EQ(text(op(Token::Percent, I(kMin), I(-1))), "0");
}

TEST_F(ValuesTest, FlooredDivisionAndRemainderFollowTheDivisorSign) {
  // int.star's table, for small operands and for operands scaled into big ints.
  struct Case {
    int64_t x, y, q, r;
  } cases[] = {{100, 7, 14, 2},  {100, -7, -15, -5}, {-100, 7, -15, 5}, {-100, -7, 14, -2},
               {98, 7, 14, 0},   {98, -7, -14, 0},   {-98, 7, -14, 0},  {-98, -7, 14, 0}};
  Value m = B("1000000000000000000000");
  for (const Case& c : cases) {
    EXPECT_EQ(op(Token::SlashSlash, I(c.x), I(c.y)).as_small_int(), c.q) << c.x << "//" << c.y;
    EXPECT_EQ(op(Token::Percent, I(c.x), I(c.y)).as_small_int(), c.r) << c.x << "%" << c.y;
    Value bx = op(Token::Star, I(c.x), m), by = op(Token::Star, I(c.y), m);
    EXPECT_EQ(text(op(Token::SlashSlash, bx, by)), std::to_string(c.q));
    EXPECT_EQ(text(op(Token::Percent, bx, by)), text(op(Token::Star, I(c.r), m)));
  }
  EXPECT_EQ(binary_error(Token::SlashSlash, I(1), I(0)), "floored division by zero");
  EXPECT_EQ(binary_error(Token::Percent, I(1), I(0)), "integer modulo by zero");
  EXPECT_EQ(binary_error(Token::Percent, m, I(0)), "integer modulo by zero");
}

TEST_F(ValuesTest, BitwiseOpsUseTwosComplementOnBigInts) {
  Value n70 = unary_op(t, Token::Minus, op(Token::LtLt, I(1), I(70)));
  EXPECT_EQ(text(op(Token::Pipe, n70, I(5))), "-1180591620717411303419");
  Value mask72 = op(Token::Minus, op(Token::LtLt, I(1), I(72)), I(1));
  EXPECT_EQ(text(op(Token::Amp, n70, mask72)), "3541774862152233910272");
  EXPECT_EQ(text(op(Token::Circumflex, op(Token::LtLt, I(1), I(70)), I(-1))),
            "-1180591620717411303425");
  EXPECT_EQ(text(unary_op(t, Token::Tilde, op(Token::LtLt, I(1), I(70)))), "-1180591620717411303425");
  EXPECT_EQ(text(op(Token::GtGt, n70, I(3))), "-147573952589676412928");
  EXPECT_EQ(text(op(Token::GtGt, op(Token::Minus, n70, I(1)), I(68))), "-5");
  EXPECT_EQ(text(op(Token::GtGt, n70, I(1000))), "-1");
  EXPECT_EQ(op(Token::Pipe, I(3), I(6)).as_small_int(), 7);
  EXPECT_EQ(unary_op(t, Token::Tilde, I(0)).as_small_int(), -1);
  EXPECT_EQ(int_to_string(op(Token::Minus, n70, I(255)), 16), "-4000000000000000ff");
}

TEST_F(ValuesTest, ShiftsHaveStarlarkLimits) {
  EXPECT_TRUE(op(Token::LtLt, I(1), I(62)).is_small_int());
  EXPECT_TRUE(op(Token::LtLt, I(1), I(63)).is(ObjKind::BigInt));
  Value m63 = op(Token::LtLt, I(-1), I(63));
  ASSERT_TRUE(m63.is_small_int());
  EXPECT_EQ(m63.as_small_int(), kMin);
  EXPECT_EQ(op(Token::GtGt, I(-5), I(1)).as_small_int(), -3);
  EXPECT_EQ(op(Token::GtGt, I(-5), I(64)).as_small_int(), -1);
  EXPECT_EQ(op(Token::GtGt, I(5), I(200)).as_small_int(), 0);
  EXPECT_EQ(text(op(Token::LtLt, I(3), I(511))).size(), 155u);
  EXPECT_EQ(binary_error(Token::LtLt, I(2), I(-1)), "negative shift count: -1");
  EXPECT_EQ(binary_error(Token::GtGt, I(2), I(-1)), "negative shift count: -1");
  EXPECT_EQ(binary_error(Token::LtLt, I(1), I(512)), "shift count too large: 512");
  EXPECT_EQ(binary_error(Token::GtGt, I(1), I(int64_t{1} << 40)), "1099511627776 out of range");
  EXPECT_EQ(binary_error(Token::LtLt, I(1), S("a")), "got string, want int");
  EXPECT_EQ(binary_error(Token::LtLt, S("a"), I(1)), "unknown binary op: string << int");
}

TEST_F(ValuesTest, IntParseFollowsStarlarkRules) {
  struct Case {
    const char* s;
    int base;
    const char* want;  // null: invalid
    int error_base;
  } cases[] = {
      {"100000000000000000000", 10, "100000000000000000000", 0},
      {"-100000000000000000000", 10, "-100000000000000000000", 0},
      {"0123", 10, "123", 0},
      {"-0123", 10, "-123", 0},
      {"0x12", 10, nullptr, 10},
      {"0o123", 10, nullptr, 10},
      {"00", 8, "0", 0},
      {"-0", 10, "0", 0},
      {"+00", 8, "0", 0},
      {"11", 9, "10", 0},
      {"-10011", 2, "-19", 0},
      {"0123", 8, "83", 0},
      {"0o123", 8, "83", 0},
      {"-0x12", 16, "-18", 0},
      {"0b0101", 0, "5", 0},
      {"0b00000", 0, "0", 0},
      {"0x123", 8, nullptr, 8},
      {"0o123", 16, nullptr, 16},
      {"0x110", 2, nullptr, 2},
      {"+0x12", 0, "18", 0},
      {"-0o123", 0, "-83", 0},
      {"0123", 0, nullptr, 0},
      {"000", 0, "0", 0},
      {"0Oxa", 8, nullptr, 8},
      {"--4", 10, nullptr, 10},
      {"+-4", 10, nullptr, 10},
      {"0x-4", 16, nullptr, 16},
      {"", 10, nullptr, 10},
      {"1_000", 10, nullptr, 10},
      {"1_000", 0, nullptr, 10},
      {" 1", 10, nullptr, 10},
      {"zz", 36, "1295", 0},
      {"Ff", 16, "255", 0},
      {"9223372036854775807", 10, "9223372036854775807", 0},
      {"-9223372036854775808", 10, "-9223372036854775808", 0},
      {"18446744073709551616", 10, "18446744073709551616", 0},
      {"0x", 0, nullptr, 0},
  };
  for (const Case& c : cases) {
    int eb = -1;
    auto v = int_parse(c.s, c.base, &eb);
    if (c.want) {
      ASSERT_TRUE(v.has_value()) << c.s << " base " << c.base;
      EXPECT_EQ(text(*v), c.want) << c.s;
      EXPECT_EQ(v->is_small_int(), int_to_int64(*v).has_value());
    } else {
      EXPECT_FALSE(v.has_value()) << c.s << " base " << c.base;
      EXPECT_EQ(eb, c.error_base) << c.s << " base " << c.base;
    }
  }
  EXPECT_TRUE(int_parse("9223372036854775808", 10)->is(ObjKind::BigInt));
  EXPECT_TRUE(int_parse("-9223372036854775808", 10)->is_small_int());
}

TEST_F(ValuesTest, IntToDoubleRoundsToNearestEven) {
  Value p53 = op(Token::LtLt, I(1), I(53));
  auto as_double = [&](const Value& v) { return int_to_double(v).value(); };
  EXPECT_EQ(as_double(op(Token::Plus, p53, I(1))), 9007199254740992.0);
  EXPECT_EQ(as_double(op(Token::Plus, p53, I(3))), 9007199254740996.0);
  EXPECT_EQ(as_double(op(Token::Plus, p53, I(5))), 9007199254740996.0);
  Value p64 = op(Token::LtLt, I(1), I(64));
  EXPECT_EQ(as_double(op(Token::Plus, p64, I(2048))), 1.8446744073709552e+19);  // tie, even
  EXPECT_EQ(as_double(op(Token::Plus, p64, I(2049))), 1.8446744073709556e+19);  // sticky
  EXPECT_EQ(as_double(op(Token::Plus, p64, I(3 * 2048))), 1.844674407370956e+19);
  EXPECT_EQ(as_double(unary_op(t, Token::Minus, op(Token::Plus, p64, I(4096)))), -1.8446744073709556e+19);
  Value p1024 = pow2(1024);
  EXPECT_FALSE(int_to_double(p1024).has_value());
  EXPECT_FALSE(int_to_double(op(Token::Minus, p1024, I(1))).has_value());  // rounds up to 2^1024
  // The largest double is 2^1024 - 2^971; halfway to 2^1024 ties to even (inf).
  Value halfway = op(Token::Minus, p1024, pow2(970));
  EXPECT_FALSE(int_to_double(halfway).has_value());
  EXPECT_EQ(int_to_double(op(Token::Minus, halfway, I(1))), std::numeric_limits<double>::max());
  Value max_double = op(Token::Minus, p1024, pow2(971));
  EXPECT_EQ(int_to_double(max_double), std::numeric_limits<double>::max());
  EXPECT_EQ(as_double(pow2(1023)), std::ldexp(1.0, 1023));
  EXPECT_EQ(text(int_from_double(1e100)),
            "10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104");
  EXPECT_EQ(int_from_double(-99.9).as_small_int(), -99);
  EXPECT_EQ(text(int_from_double(1.23e+32)), "123000000000000004979083645550592");
  EXPECT_EQ(text(int_from_double(-9223372036854775808.0)), "-9223372036854775808");
  EXPECT_EQ(text(int_from_double(9223372036854775808.0)), "9223372036854775808");
}

// --- floats -------------------------------------------------------------------------

TEST_F(ValuesTest, FloatToStringIsGoShortestG) {
  struct Case {
    double d;
    const char* want;
  } cases[] = {
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1.0, "1.0"},
      {123.0, "123.0"},
      {1.11, "1.11"},
      {1e5, "100000.0"},
      {123456.7, "123456.7"},
      {1e6, "1e+06"},
      {1234567.0, "1.234567e+06"},
      {1.23e45, "1.23e+45"},
      {-1.23e-45, "-1.23e-45"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {1.5e-7, "1.5e-07"},
      {1e100, "1e+100"},
      {100.0 / 7.0, "14.285714285714286"},
      {5.60012e+07, "5.60012e+07"},
      {1.7976931348623157e+308, "1.7976931348623157e+308"},
      {5e-324, "5e-324"},
      {0.1, "0.1"},
      {1e21, "1e+21"},
      {std::numeric_limits<double>::infinity(), "+inf"},
      {-std::numeric_limits<double>::infinity(), "-inf"},
      {std::nan(""), "nan"},
  };
  for (const Case& c : cases) EXPECT_EQ(float_to_string(c.d), c.want);
  EXPECT_EQ(float_to_string(1.23e-45 - (1.23 / 1e45)), "-1.5557538194652854e-61");
  EXPECT_EQ(text(F(2.5)), "2.5");
  EXPECT_EQ(str(F(-2.0)), "-2.0");
}

TEST_F(ValuesTest, FloatFormatConversions) {
  EXPECT_EQ(float_format(0, 'e'), "0.000000e+00");
  EXPECT_EQ(float_format(123, 'e'), "1.230000e+02");
  EXPECT_EQ(float_format(-1.23e-45, 'e'), "-1.230000e-45");
  EXPECT_EQ(float_format(-0.0, 'e'), "-0.000000e+00");
  EXPECT_EQ(float_format(1.23e45, 'E'), "1.230000E+45");
  EXPECT_EQ(float_format(123, 'f'), "123.000000");
  EXPECT_EQ(float_format(1.23e45, 'f'), "1229999999999999973814869011019624571608236032.000000");
  EXPECT_EQ(float_format(-1.23e-45, 'f'), "-0.000000");
  EXPECT_EQ(float_format(1e6, 'g'), "1e+06");
  EXPECT_EQ(float_format(1e6, 'G'), "1E+06");
  EXPECT_EQ(float_format(1e5, 'g'), "100000.0");
  EXPECT_EQ(float_format(std::nan(""), 'e'), "nan");
  EXPECT_EQ(float_format(std::numeric_limits<double>::infinity(), 'F'), "+inf");
  EXPECT_EQ(float_format(-std::numeric_limits<double>::infinity(), 'g'), "-inf");
}

TEST_F(ValuesTest, FloatArithmeticAndMessages) {
  EXPECT_EQ(op(Token::Plus, F(1.2e3), I(1)).as_float(), 1201.0);
  EXPECT_EQ(op(Token::Slash, I(5), I(4)).as_float(), 1.25);
  EXPECT_TRUE(op(Token::Slash, I(4), I(2)).is_float());
  EXPECT_EQ(op(Token::SlashSlash, F(100), F(-7)).as_float(), -15.0);
  EXPECT_EQ(op(Token::SlashSlash, I(100), F(-7)).as_float(), -15.0);
  EXPECT_EQ(float_to_string(op(Token::SlashSlash, I(1), F(-INFINITY)).as_float()), "-0.0");
  EXPECT_EQ(op(Token::Percent, F(100), F(-7)).as_float(), -5.0);
  EXPECT_EQ(op(Token::Percent, F(-100), I(7)).as_float(), 5.0);
  EXPECT_EQ(op(Token::Percent, F(-98), F(-8)).as_float(), -2.0);
  EXPECT_EQ(op(Token::Percent, F(2.5), I(2)).as_float(), 0.5);
  EXPECT_TRUE(std::isnan(op(Token::Percent, F(INFINITY), I(1)).as_float()));
  EXPECT_EQ(binary_error(Token::Slash, F(1), I(0)), "floating-point division by zero");
  EXPECT_EQ(binary_error(Token::Slash, I(1), I(0)), "floating-point division by zero");
  EXPECT_EQ(binary_error(Token::SlashSlash, I(1), F(0)), "floored division by zero");
  EXPECT_EQ(binary_error(Token::Percent, I(1), F(0)), "floating-point modulo by zero");
  EXPECT_EQ(binary_error(Token::Percent, F(1), I(0)), "floating-point modulo by zero");
  Value huge = op(Token::LtLt, op(Token::LtLt, I(1), I(500)), I(500));
  huge = op(Token::LtLt, huge, I(500));
  for (Token o : {Token::Plus, Token::Minus, Token::Star, Token::Slash, Token::SlashSlash, Token::Percent}) {
    EXPECT_EQ(binary_error(o, huge, F(1)), "int too large to convert to float");
    EXPECT_EQ(binary_error(o, F(1), huge), "int too large to convert to float");
  }
  // bool is not a number in Starlark.
  EXPECT_EQ(binary_error(Token::Plus, Value::boolean(true), I(1)), "unknown binary op: bool + int");
  EXPECT_EQ(binary_error(Token::Minus, F(1), Value::boolean(true)), "unknown binary op: float - bool");
  EXPECT_EQ(binary_error(Token::Plus, I(1), Value()), "unknown binary op: int + NoneType");
  EXPECT_EQ(binary_error(Token::Pipe, F(1), I(1)), "unknown binary op: float | int");
  EXPECT_EQ(binary_error(Token::In, S(""), I(1)), "unknown binary op: string in int");
  EXPECT_EQ(binary_error(Token::NotIn, S(""), I(1)), "unknown binary op: string in int");
  EXPECT_EQ(binary_error(Token::StarStar, I(2), I(2)), "unknown binary op: int ** int");
}

TEST_F(ValuesTest, UnaryOps) {
  EXPECT_EQ(unary_op(t, Token::Minus, F(INFINITY)).as_float(), -INFINITY);
  EXPECT_EQ(unary_op(t, Token::Plus, I(3)).as_small_int(), 3);
  EXPECT_TRUE(unary_op(t, Token::Not, I(0)).as_bool());
  EXPECT_FALSE(unary_op(t, Token::Not, S("x")).as_bool());
  EXPECT_EQ(error_of([&] { unary_op(t, Token::Minus, S("x")); }), "unknown unary op: - string");
  EXPECT_EQ(error_of([&] { unary_op(t, Token::Tilde, F(1)); }), "unknown unary op: ~ float");
  EXPECT_EQ(error_of([&] { unary_op(t, Token::Minus, Value::boolean(true)); }), "unknown unary op: - bool");
}

// --- hashing, equality, ordering ------------------------------------------------------

TEST_F(ValuesTest, EqualNumbersHashAlike) {
  // float.star's checkhash, plus values beyond int64.
  for (double a : {1.23e100, 1.23e10, 1.23e1, 1.23, 1.0, 4294967295.0, 8589934591.0,
                   9223372036854775807.0, 18446744073709551616.0, 1e30}) {
    for (double b : {a, -a, 1 / a, -1 / a}) {
      if (std::trunc(b) != b) continue;
      Value i = int_from_double(b);
      ASSERT_TRUE(equal(t, i, F(b))) << b;
      EXPECT_EQ(hash_value(t, i), hash_value(t, F(b))) << b;
    }
  }
  EXPECT_EQ(hash_value(t, F(-0.0)), hash_value(t, I(0)));
  EXPECT_EQ(hash_value(t, F(std::nan(""))), hash_value(t, F(-std::nan(""))));
  Value p64 = op(Token::LtLt, I(1), I(64));
  EXPECT_NE(hash_value(t, p64), hash_value(t, op(Token::Plus, p64, I(1))));
  EXPECT_NE(hash_value(t, I(1)), hash_value(t, I(2)));
  EXPECT_EQ(hash_value(t, Value::boolean(true)), 1u);
}

TEST_F(ValuesTest, ComparisonsAreExactAcrossIntAndFloat) {
  Value a = B("1229999999999999973814869011019624571608236031");
  Value b = B("1229999999999999973814869011019624571608236032");
  Value c = B("1229999999999999973814869011019624571608236033");
  EXPECT_FALSE(equal(t, F(1.23e45), a));
  EXPECT_TRUE(equal(t, F(1.23e45), b));
  EXPECT_TRUE(equal(t, b, F(1.23e45)));
  EXPECT_FALSE(equal(t, c, F(1.23e45)));
  EXPECT_TRUE(compare(t, Token::Lt, a, F(1.23e45)));
  EXPECT_TRUE(compare(t, Token::Gt, c, F(1.23e45)));
  Value p53p1 = op(Token::Plus, op(Token::LtLt, I(1), I(53)), I(1));
  EXPECT_TRUE(compare(t, Token::Neq, F(9007199254740992.0), p53p1));
  EXPECT_TRUE(compare(t, Token::Lt, F(9007199254740992.0), p53p1));
  EXPECT_TRUE(compare(t, Token::Lt, I(-2), F(-2 + 1e-15)));
  EXPECT_TRUE(compare(t, Token::Gt, F(-1.5), I(-2)));
  EXPECT_TRUE(compare(t, Token::Lt, I(kMax), F(9223372036854775808.0)));
  EXPECT_TRUE(compare(t, Token::Eql, I(kMin), F(-9223372036854775808.0)));
  EXPECT_TRUE(compare(t, Token::Lt, I(5), F(INFINITY)));
  EXPECT_TRUE(compare(t, Token::Lt, b, F(std::nan(""))));
  EXPECT_TRUE(compare(t, Token::Gt, F(-INFINITY), B("-1" + std::string(400, '0'))) == false);
}

TEST_F(ValuesTest, NaNIsEqualToItselfAndAboveInfinity) {
  Value nan = F(std::nan(""));
  EXPECT_TRUE(equal(t, nan, nan));
  EXPECT_TRUE(compare(t, Token::Ge, nan, nan));
  EXPECT_FALSE(compare(t, Token::Lt, nan, nan));
  EXPECT_FALSE(compare(t, Token::Neq, nan, nan));
  EXPECT_TRUE(compare(t, Token::Gt, nan, F(INFINITY)));
  EXPECT_EQ(compare3(t, nan, I(3)), 1);
  EXPECT_EQ(compare3(t, I(3), nan), -1);
  EXPECT_TRUE(equal(t, F(0.0), F(-0.0)));
}

TEST_F(ValuesTest, DifferentTypesAreUnequalAndUnordered) {
  EXPECT_FALSE(equal(t, Value::boolean(true), I(1)));
  EXPECT_FALSE(equal(t, Value::boolean(false), F(0.0)));
  EXPECT_TRUE(compare(t, Token::Neq, I(1), S("1")));
  EXPECT_TRUE(equal(t, Value(), Value()));
  // None equals itself but is unordered, even with itself (misc.star).
  EXPECT_TRUE(compare(t, Token::Eql, Value(), Value()));
  EXPECT_EQ(error_of([&] { compare(t, Token::Lt, Value(), Value()); }), "NoneType < NoneType not implemented");
  EXPECT_TRUE(compare(t, Token::Lt, Value::boolean(false), Value::boolean(true)));
  EXPECT_EQ(error_of([&] { compare(t, Token::Lt, I(1), Value()); }), "int < NoneType not implemented");
  EXPECT_EQ(error_of([&] { compare3(t, S("one"), I(1)); }), "string < int not implemented");
  EXPECT_EQ(error_of([&] { compare(t, Token::Ge, Value::boolean(true), F(1)); }),
            "bool >= float not implemented");
  EXPECT_EQ(compare3(t, I(1), F(1.0)), 0);
  EXPECT_EQ(compare3(t, F(0.5), I(1)), -1);
  EXPECT_EQ(compare3(t, B("99999999999999999999"), I(1)), 1);
  EXPECT_TRUE(binary_op(t, Token::Le, I(1), F(1.0)).as_bool());
}

// An application-defined value with fields, like starlark-go's test type `hasfields`.
class FieldsObj final : public Object {
 public:
  FieldsObj() : Object(ObjKind::Other) {}
  std::string_view type_name() const override { return "hasfields"; }
  std::vector<std::string> attr_names() const override { return {"forty_five", "one", "three", "two"}; }
  Value attr(Thread&, std::string_view name) override {
    if (name == "one") return Value::from_int(1);
    if (name == "strict") throw NoSuchAttrError("hasfields has no field called strict");
    return Value::absent();
  }
  void set_attr(Thread&, std::string_view name, const Value&) override {
    if (name.starts_with("no")) throw NoSuchAttrError("no ." + std::string(name) + " field");
  }
  Value binary(Thread&, Token op, const Value&, bool this_on_left) override {
    if (op == Token::Plus) return Value::from_int(this_on_left ? 1 : 2);
    return Value::absent();
  }
};

// A type comparing by its number, to check the depth limit on a cyclic value.
class SelfObj final : public Object {
 public:
  SelfObj() : Object(ObjKind::Other) {}
  std::string_view type_name() const override { return "self"; }
  bool equals(Thread& t, const Object&, int depth) const override {
    Value me(const_cast<SelfObj*>(this));
    return equal(t, me, me, depth + 1);
  }
};

TEST_F(ValuesTest, RecursiveComparisonIsBounded) {
  Value s(new SelfObj());
  EXPECT_EQ(error_of([&] { equal(t, s, s); }), "comparison exceeded maximum recursion depth");
}

TEST_F(ValuesTest, AttributesAndSpellingHints) {
  Value hf(new FieldsObj());
  EXPECT_EQ(get_attr(t, hf, "one").as_small_int(), 1);
  EXPECT_EQ(error_of([&] { get_attr(t, hf, "One"); }),
            "hasfields has no .One field or method (did you mean .one?)");
  EXPECT_EQ(error_of([&] { get_attr(t, hf, "FortyFive"); }),
            "hasfields has no .FortyFive field or method (did you mean .forty_five?)");
  EXPECT_EQ(error_of([&] { get_attr(t, hf, "trhee"); }),
            "hasfields has no .trhee field or method (did you mean .three?)");
  EXPECT_EQ(error_of([&] { get_attr(t, hf, "thirty"); }), "hasfields has no .thirty field or method");
  EXPECT_EQ(error_of([&] { get_attr(t, hf, "strict"); }), "hasfields has no field called strict");
  EXPECT_EQ(error_of([&] { set_attr(t, hf, "noForty_Five", I(1)); }),
            "no .noForty_Five field (did you mean .forty_five?)");
  EXPECT_NO_THROW(set_attr(t, hf, "x", I(1)));
  EXPECT_EQ(error_of([&] { get_attr(t, I(1), "real"); }), "int has no .real field or method");
  EXPECT_THROW(get_attr(t, I(1), "real"), NoSuchAttrError);
  EXPECT_EQ(error_of([&] { set_attr(t, I(1), "x", I(2)); }), "can't assign to .x field of int");
  Value r(new RangeObj(0, 3, 1));
  EXPECT_EQ(error_of([&] { set_attr(t, r, "x", I(2)); }), "can't assign to .x field of range");
  EXPECT_EQ(nearest_attr_name("uper", {"lower", "upper"}), "upper");
  EXPECT_EQ(nearest_attr_name("zzzz", {"lower", "upper"}), "");
}

TEST_F(ValuesTest, BinaryFallsBackToEitherOperandsObject) {
  Value hf(new FieldsObj());
  EXPECT_EQ(op(Token::Plus, hf, I(1)).as_small_int(), 1);
  EXPECT_EQ(op(Token::Plus, I(1), hf).as_small_int(), 2);
  EXPECT_EQ(binary_error(Token::Minus, I(1), hf), "unknown binary op: int - hasfields");
}

TEST_F(ValuesTest, ObjectDefaults) {
  Value hf(new FieldsObj());
  EXPECT_EQ(error_of([&] { hash_value(t, hf); }), "unhashable type: hasfields");
  EXPECT_EQ(error_of([&] { get_index(t, hf, I(0)); }), "unhandled index operation hasfields[int]");
  EXPECT_EQ(error_of([&] { get_index(t, I(1), S("a")); }), "unhandled index operation int[string]");
  EXPECT_EQ(error_of([&] { set_index(t, hf, I(0), I(1)); }), "hasfields value does not support item assignment");
  EXPECT_EQ(error_of([&] { set_index(t, F(1), I(0), I(1)); }), "float value does not support item assignment");
  EXPECT_EQ(error_of([&] { hf.obj()->call(t, Args{}); }), "invalid call of non-function (hasfields)");
  EXPECT_EQ(error_of([&] { compare(t, Token::Lt, hf, hf); }), "hasfields < hasfields not implemented");
  EXPECT_TRUE(equal(t, hf, hf));
  EXPECT_FALSE(equal(t, hf, Value(new FieldsObj())));
  EXPECT_EQ(text(hf), "<hasfields>");
  EXPECT_EQ(len(hf), -1);
  EXPECT_EQ(len(I(1)), -1);
  EXPECT_TRUE(truth(hf));
  EXPECT_EQ(iterate(t, hf), nullptr);
  EXPECT_EQ(error_of([&] { iterate_or_throw(t, F(1)); }), "float value is not iterable");
  EXPECT_EQ(error_of([&] { iterate_or_throw(t, I(1), "extend"); }), "extend: int value is not iterable");
  EXPECT_EQ(error_of([&] { slice(t, hf, Value(), Value(), Value()); }), "invalid slice operand hasfields");
  EXPECT_EQ(error_of([&] { slice(t, I(3), Value(), Value(), Value()); }), "invalid slice operand int");
}

TEST_F(ValuesTest, TruthAndTypeNames) {
  EXPECT_FALSE(truth(Value()));
  EXPECT_FALSE(truth(I(0)));
  EXPECT_TRUE(truth(I(-1)));
  EXPECT_FALSE(truth(F(0.0)));
  EXPECT_FALSE(truth(F(-0.0)));
  EXPECT_TRUE(truth(F(std::nan(""))));
  EXPECT_TRUE(truth(B("99999999999999999999")));
  EXPECT_EQ(type_name(Value()), "NoneType");
  EXPECT_EQ(type_name(Value::boolean(true)), "bool");
  EXPECT_EQ(type_name(B("99999999999999999999")), "int");
  EXPECT_EQ(type_name(F(1)), "float");
  EXPECT_EQ(text(Value()), "None");
  EXPECT_EQ(text(Value::boolean(false)), "False");
  EXPECT_EQ(text(I(kMin)), "-9223372036854775808");
}

// --- indices, slices, range ------------------------------------------------------------

TEST_F(ValuesTest, CheckedIndexAndToInt64Messages) {
  EXPECT_EQ(checked_index(I(-1), 3, "list"), 2);
  EXPECT_EQ(checked_index(I(0), 3, "list"), 0);
  EXPECT_EQ(error_of([&] { checked_index(I(3), 3, "list"); }), "list index 3 out of range [-3:2]");
  EXPECT_EQ(error_of([&] { checked_index(I(-4), 3, "list"); }), "list index -4 out of range [-3:2]");
  EXPECT_EQ(error_of([&] { checked_index(I(0), 0, "range"); }), "index 0 out of range: empty range");
  EXPECT_EQ(error_of([&] { checked_index(F(1), 3, "string"); }), "string index: got float, want int");
  EXPECT_EQ(error_of([&] { checked_index(I(int64_t{1} << 40), 3, "tuple"); }),
            "tuple index: 1099511627776 out of range");
  EXPECT_EQ(to_int64(I(-7), "count"), -7);
  EXPECT_EQ(error_of([&] { to_int64(S("x"), "count"); }), "count: got string, want int");
  EXPECT_EQ(error_of([&] { to_int64(B("99999999999999999999"), ""); }), "99999999999999999999 out of range");
}

// Python's slice semantics (which starlark-go shares for int32 bounds).
std::vector<int64_t> reference_slice(int64_t n, std::optional<int64_t> lo, std::optional<int64_t> hi,
                                     int64_t step) {
  auto adjust = [&](std::optional<int64_t> v, int64_t dflt, int64_t low, int64_t high) {
    if (!v) return dflt;
    int64_t i = *v < 0 ? *v + n : *v;
    return std::clamp(i, low, high);
  };
  std::vector<int64_t> out;
  if (step > 0) {
    int64_t s = adjust(lo, 0, 0, n), e = adjust(hi, n, 0, n);
    for (int64_t i = s; i < e; i += step) out.push_back(i);
  } else {
    int64_t s = adjust(lo, n - 1, -1, n - 1), e = adjust(hi, -1, -1, n - 1);
    for (int64_t i = s; i > e; i += step) out.push_back(i);
  }
  return out;
}

TEST_F(ValuesTest, RangeSlicingMatchesPythonSemantics) {
  for (int64_t n = 0; n <= 6; ++n) {
    Value r(new RangeObj(0, n, 1));
    for (int lo = -9; lo <= 9; ++lo) {
      for (int hi = -9; hi <= 9; ++hi) {
        for (int step = -3; step <= 3; ++step) {
          if (step == 0) continue;
          // lo/hi == 9 stand for None.
          std::optional<int64_t> l = lo == 9 ? std::nullopt : std::optional<int64_t>(lo);
          std::optional<int64_t> h = hi == 9 ? std::nullopt : std::optional<int64_t>(hi);
          Value sv = slice(t, r, l ? I(*l) : Value(), h ? I(*h) : Value(), I(step));
          std::vector<int64_t> got;
          auto it = iterate(t, sv);
          ASSERT_NE(it, nullptr);
          for (Value x; it->next(x);) got.push_back(x.as_small_int());
          EXPECT_EQ(got, reference_slice(n, l, h, step)) << n << " [" << lo << ":" << hi << ":" << step << "]";
          EXPECT_EQ(len(sv), static_cast<int64_t>(got.size()));
        }
      }
    }
  }
}

TEST_F(ValuesTest, SliceErrors) {
  Value r(new RangeObj(0, 5, 1));
  EXPECT_EQ(error_of([&] { slice(t, r, Value(), Value(), I(0)); }), "zero is not a valid slice step");
  EXPECT_EQ(error_of([&] { slice(t, r, Value(), Value(), Value::boolean(true)); }),
            "invalid slice step: got bool, want int");
  EXPECT_EQ(error_of([&] { slice(t, r, F(1), Value(), Value()); }), "invalid start index: got float, want int");
  EXPECT_EQ(error_of([&] { slice(t, r, Value(), S(""), Value()); }), "invalid end index: got string, want int");
  EXPECT_EQ(error_of([&] { slice(t, r, Value(), S(""), I(-1)); }), "invalid end index: got string, want int");
}

TEST_F(ValuesTest, RangeBehavesLikeStarlarkGo) {
  auto range = [](int64_t a, int64_t b, int64_t c) { return Value(new RangeObj(a, b, c)); };
  EXPECT_EQ(text(range(0, 10, 1)), "range(10)");
  EXPECT_EQ(text(range(1, 10, 1)), "range(1, 10)");
  EXPECT_EQ(text(range(0, 10, -1)), "range(0, 10, -1)");
  EXPECT_EQ(type_name(range(0, 1, 1)), "range");
  EXPECT_TRUE(equal(t, range(0, 5, 10), range(0, 5, 11)));
  EXPECT_TRUE(equal(t, range(0, 0, 1), range(2, 1, 3)));
  EXPECT_TRUE(equal(t, range(0, 3, 2), range(0, 4, 2)));
  EXPECT_FALSE(equal(t, range(1, 10, 1), range(2, 10, 1)));
  EXPECT_EQ(error_of([&] { compare(t, Token::Lt, range(0, 0, 1), range(0, 0, 1)); }),
            "range < range not implemented");
  EXPECT_EQ(error_of([&] { hash_value(t, range(0, 10, 1)); }), "unhashable: range");
  EXPECT_TRUE(truth(range(1, 2, 1)));
  EXPECT_FALSE(truth(range(2, 1, 1)));
  EXPECT_EQ(len(range(0, 0x7fffffff, 1)), 0x7fffffff);
  EXPECT_EQ(len(range(kMin, kMax, 1)), kMax);  // saturated: the true length is 2^64-1
  EXPECT_EQ(len(range(10, 2, -3)), 3);
  EXPECT_EQ(len(range(-10, -2, 3)), 3);
  EXPECT_EQ(get_index(t, range(10, 2, -3), I(-1)).as_small_int(), 4);
  EXPECT_EQ(error_of([&] { get_index(t, range(0, 3, 1), F(1.0)); }), "range index: got float, want int");
  EXPECT_EQ(error_of([&] { get_index(t, slice(t, range(0, 0, 2), Value(), Value(), Value()), I(0)); }),
            "index 0 out of range: empty range");
  EXPECT_EQ(text(slice(t, range(0, 10, 2), Value(), Value(), I(-2))), "range(8, -2, -4)");

  auto in = [&](const Value& x, const Value& r) { return binary_op(t, Token::In, x, r).as_bool(); };
  EXPECT_TRUE(in(I(1), range(0, 3, 1)));
  EXPECT_TRUE(in(F(2.0), range(0, 3, 1)));
  EXPECT_FALSE(in(I(4), range(0, 4, 1)));
  EXPECT_FALSE(in(F(1e15), range(0, 4, 1)));
  EXPECT_FALSE(in(F(1e100), range(0, 4, 1)));
  EXPECT_TRUE(in(I(-8), range(-2, -10, -3)));
  EXPECT_FALSE(in(I(-7), range(-2, -10, -3)));
  EXPECT_TRUE(binary_op(t, Token::NotIn, I(4), range(0, 4, 1)).as_bool());
  EXPECT_EQ(binary_error(Token::In, Value::boolean(true), range(0, 3, 1)),
            "'in <range>' requires integer as left operand, not bool");
  EXPECT_EQ(binary_error(Token::In, S("one"), range(0, 3, 1)),
            "'in <range>' requires integer as left operand, not string");

  // Iteration near the int64 limits does not overflow.
  std::vector<int64_t> got;
  auto it = iterate(t, range(kMax - 2, kMax, 1));
  for (Value x; it->next(x);) got.push_back(x.as_small_int());
  EXPECT_EQ(got, (std::vector<int64_t>{kMax - 2, kMax - 1}));
  EXPECT_EQ(heap.live_containers(), 0u);
}

// --- builtins -------------------------------------------------------------------------

Value native_answer(Thread&, const BuiltinObj&, const Args&) { return Value::from_int(42); }
Value native_other(Thread&, const BuiltinObj&, const Args&) { return Value(); }

TEST_F(ValuesTest, BuiltinsAndMethodTables) {
  Value f = make_builtin("answer", native_answer);
  EXPECT_EQ(text(f), "<built-in function answer>");
  EXPECT_EQ(type_name(f), "builtin_function_or_method");
  EXPECT_EQ(f.obj()->call(t, Args{}).as_small_int(), 42);
  EXPECT_EQ(f.obj()->name(), "answer");
  EXPECT_TRUE(equal(t, f, f));
  EXPECT_FALSE(equal(t, f, make_builtin("answer", native_other)));
  // Identity semantics (function.star): equal builtins are the same object.
  Value g = make_builtin("answer", native_answer);
  EXPECT_FALSE(equal(t, f, g));
  EXPECT_EQ(hash_value(t, f), hash_value(t, f));

  static const Method methods[] = {{"append", native_answer}, {"clear", native_other}, {"extend", native_other}};
  MethodTable table{std::begin(methods), std::end(methods)};
  EXPECT_EQ(table.find("clear"), &methods[1]);
  EXPECT_EQ(table.find("append"), &methods[0]);
  EXPECT_EQ(table.find("extend"), &methods[2]);
  EXPECT_EQ(table.find("pop"), nullptr);
  EXPECT_EQ(table.find(""), nullptr);
  EXPECT_EQ(table.names(), (std::vector<std::string>{"append", "clear", "extend"}));

  Value recv = I(7);
  Value m = bind_method(table, "append", recv);
  ASSERT_TRUE(m.is(ObjKind::Builtin));
  EXPECT_EQ(text(m), "<built-in method append of int value>");
  EXPECT_TRUE(m.as<BuiltinObj>()->is_method());
  EXPECT_EQ(m.as<BuiltinObj>()->receiver().as_small_int(), 7);
  EXPECT_TRUE(bind_method(table, "nope", recv).is_absent());
  EXPECT_NE(hash_value(t, m), hash_value(t, make_builtin("append", native_answer)));
  EXPECT_TRUE(equal(t, m, m));
  EXPECT_FALSE(equal(t, m, bind_method(table, "append", recv)));  // "".count twice: two methods
  EXPECT_FALSE(equal(t, m, bind_method(table, "append", I(8))));
}

// --- unpacking -----------------------------------------------------------------------

TEST_F(ValuesTest, UnpackArgsBindsPositionalAndKeywordArguments) {
  std::vector<Value> pos = {S("a,b"), I(3)};
  std::vector<NamedArg> named = {{"flag", Value::boolean(true)}};
  std::string sep;
  int64_t n = -1;
  bool flag = false;
  Value extra = I(99);
  unpack_args("f", Args{pos, named}, {{"sep", &sep}, {"n?", &n}, {"flag?", &flag}, {"extra?", &extra}});
  EXPECT_EQ(sep, "a,b");
  EXPECT_EQ(n, 3);
  EXPECT_TRUE(flag);
  EXPECT_EQ(extra.as_small_int(), 99);  // untouched

  double d = 0;
  std::vector<Value> one = {I(2)};
  unpack_args("g", Args{one, {}}, {{"x", &d}});
  EXPECT_EQ(d, 2.0);
  // '??': None means absent.
  int64_t k = 5;
  std::vector<Value> none = {Value()};
  unpack_args("h", Args{none, {}}, {{"k??", &k}});
  EXPECT_EQ(k, 5);
}

TEST_F(ValuesTest, UnpackArgsMessages) {
  Value x, y;
  int64_t n = 0;
  std::string s;
  bool b = false;
  auto call = [&](std::vector<Value> pos, std::vector<NamedArg> named) {
    return error_of([&] { unpack_args("f", Args{pos, named}, {{"x", &x}, {"y?", &y}}); });
  };
  EXPECT_EQ(call({I(1), I(2), I(3)}, {}), "f: got 3 arguments, want at most 2");
  EXPECT_EQ(call({}, {}), "f: missing argument for x");
  EXPECT_EQ(call({}, {{"y", I(1)}}), "f: missing argument for x");
  EXPECT_EQ(call({I(1)}, {{"z", I(1)}}), "f: unexpected keyword argument z");
  EXPECT_EQ(call({I(1)}, {{"x", I(1)}}), "f: got multiple values for keyword argument x");
  EXPECT_EQ(call({}, {{"x", I(1)}, {"y", I(1)}}), "");
  std::vector<Value> str1 = {S("1")};
  EXPECT_EQ(error_of([&] { unpack_args("int", Args{str1, {}}, {{"base", &n}}); }),
            "int: for parameter base: got string, want int");
  std::vector<NamedArg> kw = {{"base", F(1)}};
  EXPECT_EQ(error_of([&] { unpack_args("int", Args{{}, kw}, {{"base", &n}}); }),
            "int: for parameter base: got float, want int");
  std::vector<Value> big = {B("18446744073709551616")};
  EXPECT_EQ(error_of([&] { unpack_args("range", Args{big, {}}, {{"stop", &n}}); }),
            "range: for parameter stop: 18446744073709551616 out of range (want value in signed 64-bit range)");
  std::vector<Value> i1 = {I(1)};
  EXPECT_EQ(error_of([&] { unpack_args("splitlines", Args{i1, {}}, {{"keepends?", &b}}); }),
            "splitlines: for parameter keepends: got int, want bool");
  EXPECT_EQ(error_of([&] { unpack_args("startswith", Args{i1, {}}, {{"x", &s}}); }),
            "startswith: for parameter x: got int, want string");
  double d;
  std::vector<Value> none = {Value()};
  EXPECT_EQ(error_of([&] { unpack_args("f", Args{none, {}}, {{"x", &d}}); }),
            "f: for parameter x: got NoneType, want float");
}

TEST_F(ValuesTest, UnpackPositionalMessages) {
  Value a, b, c;
  auto call = [&](std::vector<Value> pos, std::vector<NamedArg> named, size_t min) {
    return error_of([&] { unpack_positional("get", Args{pos, named}, min, {{"a", &a}, {"b", &b}}); });
  };
  EXPECT_EQ(call({I(1)}, {{"b", I(2)}}, 1), "get: unexpected keyword arguments");
  EXPECT_EQ(call({}, {}, 1), "get: got 0 arguments, want at least 1");
  EXPECT_EQ(call({}, {}, 2), "get: got 0 arguments, want 2");
  EXPECT_EQ(call({I(1), I(2), I(3)}, {}, 1), "get: got 3 arguments, want at most 2");
  EXPECT_EQ(call({I(1), I(2), I(3)}, {}, 2), "get: got 3 arguments, want 2");
  EXPECT_EQ(call({I(1), I(2)}, {}, 1), "");
  EXPECT_EQ(b.as_small_int(), 2);
  int64_t n = 0;
  std::vector<Value> pos = {I(1), S("x")};
  EXPECT_EQ(error_of([&] { unpack_positional("range", Args{pos, {}}, 1, {{"start", &n}, {"stop", &n}}); }),
            "range: for parameter 2: got string, want int");
  std::vector<Value> two = {I(1), I(2)};
  EXPECT_EQ(error_of([&] { unpack_none("clear", Args{two, {}}); }), "clear: got 2 arguments, want 0");
  EXPECT_NO_THROW(unpack_none("clear", Args{}));
}

}  // namespace
}  // namespace faultbox::star
