// The json module: encode/decode/indent results and starlark-go's error
// texts, through the C++ entry points and through the module's builtins.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "spec/eval/Dict.h"
#include "spec/eval/Float.h"
#include "spec/eval/Function.h"
#include "spec/eval/Int.h"
#include "spec/eval/Interpreter.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"
#include "spec/eval/Render.h"
#include "spec/eval/String.h"
#include "spec/eval/Struct.h"
#include "spec/lib/Json.h"
#include "spec/lib/JsonSyntax.h"
#include "spec/lib/StructBuiltin.h"

namespace faultbox::star {
namespace {

class JsonTest : public ::testing::Test {
 protected:
  JsonTest() {
    predeclared.emplace_back("json", make_json_module());
    predeclared.emplace_back("struct", make_struct_builtin());
  }

  Value list(std::vector<Value> elems) { return make_list(interp.heap(), std::move(elems)); }
  Value dict(std::vector<std::pair<Value, Value>> items) {
    Value d = make_dict(interp.heap());
    for (auto& [k, v] : items) d.as<DictObj>()->table().insert(thread, k, v);
    return d;
  }
  static Value s(const char* text) { return make_string(text); }
  static Value i(int64_t n) { return Value::from_int(n); }

  std::string encode(const Value& x) {
    try {
      return json_encode(thread, x);
    } catch (const EvalError& e) {
      return "error: " + e.msg();
    }
  }
  // repr of the decoded value, or the error.
  std::string decode(const std::string& text) {
    try {
      return repr(json_decode(thread, text));
    } catch (const EvalError& e) {
      return "error: " + e.msg();
    }
  }
  std::string indent(const std::string& text, const std::string& prefix = "", const std::string& unit = "\t") {
    try {
      return json_indent(text, prefix, unit);
    } catch (const EvalError& e) {
      return "error: " + e.msg();
    }
  }

  // Runs Starlark `expr` with json and struct predeclared.
  std::string eval(const std::string& expr) {
    try {
      Value m = interp.exec_file(thread, "json.star", "x = " + expr + "\n", Dialect::spec(), predeclared);
      return repr(m.as<ModuleObj>()->global("x"));
    } catch (const EvalError& e) {
      return "error: " + e.msg();
    } catch (const SourceErrors& e) {
      return "source error: " + render_source_errors(e);
    }
  }

  Interpreter interp;
  Thread thread{interp.heap(), "test"};
  StringDict predeclared;
};

// --- encode ------------------------------------------------------------------------

TEST_F(JsonTest, EncodesScalars) {
  EXPECT_EQ(encode(Value::none()), "null");
  EXPECT_EQ(encode(Value::boolean(true)), "true");
  EXPECT_EQ(encode(Value::boolean(false)), "false");
  EXPECT_EQ(encode(i(-123)), "-123");
  EXPECT_EQ(encode(make_int_from_decimal("3539537889086624823140625")), "3539537889086624823140625");
  EXPECT_EQ(encode(Value::from_float(3.539537889086625e+24)), "3.539537889086625e+24");
  EXPECT_EQ(encode(Value::from_float(12.345e67)), "1.2345e+68");
  EXPECT_EQ(encode(Value::from_float(1.0)), "1.0");
  EXPECT_EQ(encode(Value::from_float(std::nan(""))), "error: cannot encode non-finite float nan");
  EXPECT_EQ(encode(Value::from_float(-HUGE_VAL)), "error: cannot encode non-finite float -inf");
}

TEST_F(JsonTest, QuotesStringsLikeStarlarkGo) {
  EXPECT_EQ(encode(s("hello")), "\"hello\"");
  EXPECT_EQ(encode(s("a\"b\\c")), "\"a\\\"b\\\\c\"");
  // Printable ASCII goes through Go's strconv.Quote: no HTML escaping.
  EXPECT_EQ(encode(s("<a&b>")), "\"<a&b>\"");
  // Anything else through encoding/json: HTML characters escaped too.
  EXPECT_EQ(encode(s("<\n>")), "\"\\u003c\\n\\u003e\"");
  EXPECT_EQ(encode(s("\t\x01")), "\"\\t\\u0001\"");
  EXPECT_EQ(encode(s("\x80")), "\"\\ufffd\"");          // invalid UTF-8
  EXPECT_EQ(encode(s("é\xe2\x80\xa8")), "\"é\\u2028\"");  // U+2028 escaped
  EXPECT_EQ(encode(s("😿")), "\"😿\"");
}

TEST_F(JsonTest, EncodesContainers) {
  EXPECT_EQ(encode(list({i(1), i(2), i(3)})), "[1,2,3]");
  EXPECT_EQ(encode(make_tuple({i(1), s("a")})), "[1,\"a\"]");
  EXPECT_EQ(encode(dict({{s("y"), s("two")}, {s("x"), i(1)}})), "{\"x\":1,\"y\":\"two\"}");  // sorted keys
  EXPECT_EQ(encode(dict({})), "{}");
  EXPECT_EQ(encode(Value(new StructObj("struct", {{"y", s("two")}, {"x", i(1)}}))), "{\"x\":1,\"y\":\"two\"}");
  EXPECT_EQ(encode(dict({{i(1), s("two")}})), "error: dict has int key, want string");
}

TEST_F(JsonTest, NestedFailuresNameTheirPath) {
  Value inner = dict({{s("x"), make_json_module()}});
  Value st(new StructObj("struct", {{"x", list({i(1), inner})}}));
  EXPECT_EQ(encode(st),
            "error: in field .x: at list index 1: in dict key \"x\": in field .decode: cannot encode "
            "builtin_function_or_method as JSON");
}

TEST_F(JsonTest, DetectsCycles) {
  Value l = list({});
  l.as<ListObj>()->elems().push_back(l);
  EXPECT_EQ(encode(l), "error: at list index 0: cycle in JSON structure");
  Value d = dict({});
  d.as<DictObj>()->table().insert(thread, s("r"), d);
  EXPECT_EQ(encode(d), "error: in dict key \"r\": cycle in JSON structure");
  Value l2 = list({});
  Value t = make_tuple({i(1), i(2), l2});
  l2.as<ListObj>()->elems().push_back(t);
  EXPECT_EQ(encode(t), "error: at tuple index 2: at list index 0: cycle in JSON structure");
  // Shared but acyclic is fine.
  Value shared = list({i(1)});
  EXPECT_EQ(encode(list({shared, shared})), "[[1],[1]]");
}

// --- decode ------------------------------------------------------------------------

TEST_F(JsonTest, DecodesValues) {
  EXPECT_EQ(decode("null"), "None");
  EXPECT_EQ(decode(" true "), "True");
  EXPECT_EQ(decode("false"), "False");
  EXPECT_EQ(decode("-123"), "-123");
  EXPECT_EQ(decode("-0"), "0");
  EXPECT_EQ(decode("3539537889086624823140625"), "3539537889086624823140625");
  EXPECT_EQ(decode("3539537889086624823140625.0"), "3.539537889086625e+24");
  EXPECT_EQ(decode("0e+1"), "0.0");
  EXPECT_EQ(decode("-0.0"), "-0.0");
  EXPECT_EQ(decode("1.5E2"), "150.0");
  EXPECT_EQ(decode("[]"), "[]");
  EXPECT_EQ(decode("[1,[2, {}]]"), "[1, [2, {}]]");
  EXPECT_EQ(decode("{\"one\": 1, \"two\": 2, \"one\": 3}"), "{\"one\": 3, \"two\": 2}");
}

TEST_F(JsonTest, DecodesStrings) {
  EXPECT_EQ(decode("\"abc\""), "\"abc\"");
  EXPECT_EQ(decode("\"\\u0123\""), "\"ģ\"");
  EXPECT_EQ(decode("\"foo\\u0000bar\""), "\"foo\\x00bar\"");
  EXPECT_EQ(decode("\"\\ud83d\\ude39\\ud83d\\udc8d\""), "\"😹💍\"");
  EXPECT_EQ(decode("\"\\ud83d\""), "\"\xef\xbf\xbd\"");      // lone surrogate
  EXPECT_EQ(decode("\"\\ud83dx\""), "\"\xef\xbf\xbdx\"");
  EXPECT_EQ(decode("\"\\/\\b\\f\\n\\r\\t\""), "\"/\\b\\f\\n\\r\\t\"");
  EXPECT_EQ(decode("\"\x7f\""), "\"\\x7f\"");
  EXPECT_EQ(decode("\"é\xff\""), "\"é\xef\xbf\xbd\"");  // invalid UTF-8 replaced
}

TEST_F(JsonTest, DecodeErrorsGiveOffsets) {
  EXPECT_EQ(decode("truefalse"), "error: at offset 4, unexpected character 'f' after value");
  EXPECT_EQ(decode("\"abc"), "error: at offset 0, unclosed string literal");
  EXPECT_EQ(decode("\"ab\\gc\""), "error: at offset 7, invalid character 'g' in string escape code");
  EXPECT_EQ(decode("\"\\u12x4\""), "error: at offset 8, invalid character 'x' in \\u hexadecimal character escape");
  EXPECT_EQ(decode("\"a\\n\x01\""), "error: at offset 6, invalid character '\\x01' in string literal");
  EXPECT_EQ(decode("'abc'"), "error: at offset 0, unexpected character '\\''");
  EXPECT_EQ(decode("1.2.3"), "error: at offset 5, invalid number: 1.2.3");
  EXPECT_EQ(decode("+1"), "error: at offset 0, unexpected character '+'");
  EXPECT_EQ(decode("-abc"), "error: at offset 1, invalid number: -");
  EXPECT_EQ(decode("-00"), "error: at offset 3, invalid number: -00");
  EXPECT_EQ(decode("0123"), "error: at offset 4, invalid number: 0123");
  EXPECT_EQ(decode("1e400"), "error: at offset 5, invalid number: 1e400");
  EXPECT_EQ(decode("0x123"), "error: at offset 1, unexpected character 'x' after value");
  EXPECT_EQ(decode(""), "error: at offset 0, unexpected end of file");
  EXPECT_EQ(decode("[1, 2 "), "error: at offset 6, unexpected end of file");
  EXPECT_EQ(decode("[1, 2, ]"), "error: at offset 7, unexpected character ']'");
  EXPECT_EQ(decode("[1, 2}"), "error: at offset 5, got '}', want ',' or ']'");
  EXPECT_EQ(decode("{\"one\" 1"), "error: at offset 7, after object key, got '1', want ':' ");
  EXPECT_EQ(decode("{\"one\": 1 \"two\": 2"), "error: at offset 10, in object, got '\"', want ',' or '}'");
  EXPECT_EQ(decode("{1: 2}"), "error: at offset 2, got int for object key, want string");
  EXPECT_EQ(decode("nul"), "error: at offset 0, unexpected character 'n'");
  EXPECT_EQ(decode("\xc3\xa9"), "error: at offset 0, unexpected character 'Ã'");
}

TEST_F(JsonTest, DeepNestingFailsCleanly) {
  std::string deep(1000000, '[');
  std::string r = decode(deep);
  EXPECT_NE(r.find("error:"), std::string::npos) << r.substr(0, 100);
  // Balanced: decoded (or refused) and destroyed without exhausting the stack.
  for (size_t depth : {1000u, 20000u, 100000u}) {
    std::string text = std::string(depth, '[') + std::string(depth, ']');
    try {
      Value v = json_decode(thread, text);
      EXPECT_TRUE(v.is(ObjKind::List));
    } catch (const EvalError& e) {
      EXPECT_EQ(e.msg(), "Starlark stack overflow");
    }
    // Go's scanner refuses nesting beyond 10000.
    EXPECT_EQ(indent(text).starts_with("error: invalid character '[' exceeded max depth"), depth > 10000);
  }
}

TEST_F(JsonTest, RoundTripsEveryBmpCodePoint) {
  std::string all;
  for (char32_t c = 0; c < 0x10000; ++c) {
    if (c >= 0xD800 && c < 0xE000) continue;
    std::string one;
    if (c < 0x80) {
      one += static_cast<char>(c);
    } else if (c < 0x800) {
      one += static_cast<char>(0xC0 | (c >> 6));
      one += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      one += static_cast<char>(0xE0 | (c >> 12));
      one += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      one += static_cast<char>(0x80 | (c & 0x3F));
    }
    all += one;
  }
  Value v = json_decode(thread, json_encode(thread, make_string(all)));
  ASSERT_TRUE(v.is_string());
  EXPECT_TRUE(v.as<StringObj>()->str() == all);
}

// --- indent -------------------------------------------------------------------------

TEST_F(JsonTest, IndentsLikeGo) {
  EXPECT_EQ(indent("{\"x\":1,\"y\":[\"one\",\"two\"]}"),
            "{\n\t\"x\": 1,\n\t\"y\": [\n\t\t\"one\",\n\t\t\"two\"\n\t]\n}");
  EXPECT_EQ(indent("{\"x\":1,\"y\":[\"one\",\"two\"]}", "¶", "–––"),
            "{\n¶–––\"x\": 1,\n¶–––\"y\": [\n¶––––––\"one\",\n¶––––––\"two\"\n¶–––]\n¶}");
  EXPECT_EQ(indent(" [ ] "), "[] ");  // leading space dropped, trailing kept, empty stays compact
  EXPECT_EQ(indent("{ }"), "{}");
  EXPECT_EQ(indent("[1, {\"a\" : \"b, c\"}]", "", "  "), "[\n  1,\n  {\n    \"a\": \"b, c\"\n  }\n]");
  EXPECT_EQ(indent("-1.5e+3"), "-1.5e+3");
}

TEST_F(JsonTest, IndentReportsGoScannerErrors) {
  EXPECT_EQ(indent("!@#$%^& this is not json"), "error: invalid character '!' looking for beginning of value");
  EXPECT_EQ(indent(""), "error: unexpected end of JSON input");
  EXPECT_EQ(indent("[1,"), "error: unexpected end of JSON input");
  EXPECT_EQ(indent("tr"), "error: invalid character ' ' in literal true (expecting 'u')");
  EXPECT_EQ(indent("[1 2]"), "error: invalid character '2' after array element");
  EXPECT_EQ(indent("{\"a\" 1}"), "error: invalid character '1' after object key");
  EXPECT_EQ(indent("{\"a\":1 \"b\"}"), "error: invalid character '\"' after object key:value pair");
  EXPECT_EQ(indent("{1:2}"), "error: invalid character '1' looking for beginning of object key string");
  EXPECT_EQ(indent("01"), "error: invalid character '1' after top-level value");
  EXPECT_EQ(indent("1.x"), "error: invalid character 'x' after decimal point in numeric literal");
  EXPECT_EQ(indent("1e+"), "error: invalid character ' ' in exponent of numeric literal");
  EXPECT_EQ(indent("-x"), "error: invalid character 'x' in numeric literal");
  EXPECT_EQ(indent("nulx"), "error: invalid character 'x' in literal null (expecting 'l')");
}

TEST_F(JsonTest, QuoteCharFollowsGo) {
  EXPECT_EQ(json_syntax::quote_char('a'), "'a'");
  EXPECT_EQ(json_syntax::quote_char('\''), "'\\''");
  EXPECT_EQ(json_syntax::quote_char('"'), "'\"'");
  EXPECT_EQ(json_syntax::quote_char('\n'), "'\\n'");
  EXPECT_EQ(json_syntax::quote_char(0x01), "'\\x01'");
  EXPECT_EQ(json_syntax::quote_char(0x7f), "'\\x7f'");
  EXPECT_EQ(json_syntax::quote_char(0x85), "'\\u0085'");
  EXPECT_EQ(json_syntax::quote_char(0xe9), "'é'");
}

// --- the module through Starlark --------------------------------------------------------

TEST_F(JsonTest, ModuleBuiltins) {
  EXPECT_EQ(eval("dir(json)"), "[\"decode\", \"encode\", \"indent\"]");
  EXPECT_EQ(eval("str(json)"), "\"<module \\\"json\\\">\"");
  EXPECT_EQ(eval("json.encode(struct(x = 1, y = 'two'))"), "\"{\\\"x\\\":1,\\\"y\\\":\\\"two\\\"}\"");
  EXPECT_EQ(eval("json.encode(range(3))"), "\"[0,1,2]\"");
  EXPECT_EQ(eval("json.decode('[1, 2.5, \"x\"]')"), "[1, 2.5, \"x\"]");
  EXPECT_EQ(eval("json.decode('{\"invalid\": \"json\"', default = None)"), "None");
  EXPECT_EQ(eval("json.decode('[1', 'fallback')"), "\"fallback\"");
  EXPECT_EQ(eval("json.decode('[1]', default = 0)"), "[1]");
  EXPECT_EQ(eval("json.indent('[1]', prefix = '>', indent = ' ')"), "\"[\\n> 1\\n>]\"");
  EXPECT_EQ(eval("json.encode(float('nan'))"), "error: json.encode: cannot encode non-finite float nan");
  EXPECT_EQ(eval("json.encode(len)"), "error: json.encode: cannot encode builtin_function_or_method as JSON");
  EXPECT_EQ(eval("json.decode('truefalse')"), "error: json.decode: at offset 4, unexpected character 'f' after value");
  EXPECT_EQ(eval("json.decode(x = '1')"), "error: json.decode: unexpected keyword argument x");
  EXPECT_EQ(eval("json.decode(1)"), "error: json.decode: for parameter x: got int, want string");
  EXPECT_EQ(eval("json.indent('[1')"), "error: json.indent: unexpected end of JSON input");
  EXPECT_EQ(eval("json.indent('[1]', '>')"), "error: json.indent: got 2 arguments, want 1");
  EXPECT_EQ(eval("json.encode()"), "error: json.encode: got 0 arguments, want 1");
}

TEST_F(JsonTest, DecodedContainersAreMutable) {
  EXPECT_EQ(eval("[json.decode('[1]')][0] + [2]"), "[1, 2]");
  Value v = json_decode(thread, "{\"a\": [1]}");
  ASSERT_TRUE(v.is(ObjKind::Dict));
  EXPECT_FALSE(v.obj()->frozen());
}

}  // namespace
}  // namespace faultbox::star
