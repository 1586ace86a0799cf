// The universal builtins, struct values and the struct/module builtins,
// through Interpreter::exec_file: results and starlark-go's exact messages.
#include <gtest/gtest.h>

#include <string>

#include "spec/eval/Function.h"
#include "spec/eval/Interpreter.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"
#include "spec/eval/Render.h"
#include "spec/eval/StableSort.h"
#include "spec/eval/Struct.h"
#include "spec/lib/Math.h"
#include "spec/lib/NamedModule.h"
#include "spec/lib/StructBuiltin.h"

namespace faultbox::star {
namespace {

class LibraryTest : public ::testing::Test {
 protected:
  LibraryTest() {
    thread.print = [this](Thread&, std::string_view msg) {
      printed.append(msg);
      printed += "\n";
    };
    predeclared.emplace_back("struct", make_struct_builtin());
    predeclared.emplace_back("module", make_module_builtin());
    predeclared.emplace_back("math", make_math_module());
  }

  Value run(const std::string& src) {
    return interp.exec_file(thread, "lib.star", src, Dialect::spec(), predeclared);
  }

  // repr() of the value of `expr`.
  std::string eval(const std::string& expr) {
    try {
      Value m = run("x = " + expr + "\n");
      return repr(m.as<ModuleObj>()->global("x"));
    } catch (const EvalError& e) {
      return "error: " + e.msg();
    } catch (const SourceErrors& e) {
      return "source error: " + render_source_errors(e);
    }
  }

  // The message of the error `src` fails with.
  std::string message(const std::string& src) {
    try {
      run(src + "\n");
    } catch (const EvalError& e) {
      return e.msg();
    } catch (const SourceErrors& e) {
      return "source error: " + render_source_errors(e);
    }
    return "<no error>";
  }

  Interpreter interp;
  Thread thread{interp.heap(), "test"};
  StringDict predeclared;
  std::string printed;
};

// --- the universe itself ------------------------------------------------------

TEST_F(LibraryTest, UniverseHoldsEveryBuiltinOfTheNewestRelease) {
  StringDict u;
  make_universe(interp.heap(), u);
  std::vector<std::string> names;
  for (auto& [name, v] : u) names.push_back(name);
  std::vector<std::string> want = {"None",  "True",      "False", "abs",     "all",     "any",
                                   "bool",  "bytes",     "chr",   "dict",    "dir",     "enumerate",
                                   "fail",  "float",     "getattr", "hasattr", "hash",  "int",
                                   "len",   "list",      "max",   "min",     "ord",     "print",
                                   "range", "repr",      "reversed", "set",  "sorted",  "str",
                                   "tuple", "type",      "zip"};
  EXPECT_EQ(names, want);
  EXPECT_EQ(eval("str(len)"), "\"<built-in function len>\"");
  EXPECT_EQ(eval("type(max)"), "\"builtin_function_or_method\"");
}

// --- conversions ----------------------------------------------------------------

TEST_F(LibraryTest, Abs) {
  EXPECT_EQ(eval("abs(-5)"), "5");
  EXPECT_EQ(eval("abs(5)"), "5");
  EXPECT_EQ(eval("abs(-1.5)"), "1.5");
  EXPECT_EQ(eval("abs(-1 << 100) == 1 << 100"), "True");
  EXPECT_EQ(eval("abs(float('-inf'))"), "+inf");
  EXPECT_EQ(message("abs('0')"), "got string, want int or float");
  EXPECT_EQ(message("abs()"), "abs: got 0 arguments, want 1");
}

TEST_F(LibraryTest, Bool) {
  EXPECT_EQ(eval("bool()"), "False");
  EXPECT_EQ(eval("bool([0])"), "True");
  EXPECT_EQ(eval("bool('')"), "False");
  EXPECT_EQ(message("bool(x=1)"), "bool: unexpected keyword arguments");
}

TEST_F(LibraryTest, Bytes) {
  EXPECT_EQ(eval("bytes('hello')"), "b\"hello\"");
  EXPECT_EQ(eval("bytes([65, 66, 67])"), "b\"ABC\"");
  EXPECT_EQ(eval("bytes(b'x')"), "b\"x\"");
  EXPECT_EQ(eval("len(bytes('\\xff'))"), "3");  // invalid UTF-8 becomes U+FFFD
  EXPECT_EQ(message("bytes([300])"), "bytes: at index 0, 300 out of range (want value in unsigned 8-bit range)");
  EXPECT_EQ(message("bytes([1, b'a'])"), "bytes: at index 1, got bytes, want int");
  EXPECT_EQ(message("bytes(1)"), "bytes: got int, want string, bytes, or iterable of ints");
  EXPECT_EQ(message("bytes()"), "bytes: got 0 arguments, want exactly 1");
}

TEST_F(LibraryTest, ChrAndOrd) {
  EXPECT_EQ(eval("chr(65)"), "\"A\"");
  EXPECT_EQ(eval("ord(chr(0x1F600))"), "128512");
  EXPECT_EQ(eval("ord(b'a')"), "97");
  EXPECT_EQ(eval("ord('\\xff')"), "65533");  // one invalid byte decodes as U+FFFD
  EXPECT_EQ(message("chr(-1)"), "chr: Unicode code point -1 out of range (<0)");
  EXPECT_EQ(message("chr(0x110000)"), "chr: Unicode code point U+110000 out of range (>0x10FFFF)");
  EXPECT_EQ(message("chr('a')"), "chr: got string, want int");
  EXPECT_EQ(message("chr(1 << 40)"), "chr: 1099511627776 out of range");
  EXPECT_EQ(message("ord('abc')"), "ord: string encodes 3 Unicode code points, want 1");
  EXPECT_EQ(message("ord('')"), "ord: string encodes 0 Unicode code points, want 1");
  EXPECT_EQ(message("ord('😿'[1:])"), "ord: string encodes 3 Unicode code points, want 1");
  EXPECT_EQ(message("ord(b'ab')"), "ord: bytes has length 2, want 1");
  EXPECT_EQ(message("ord(1)"), "ord: got int, want string or bytes");
}

TEST_F(LibraryTest, Float) {
  EXPECT_EQ(eval("float()"), "0.0");
  EXPECT_EQ(eval("float(True)"), "1.0");
  EXPECT_EQ(eval("float(123)"), "123.0");
  EXPECT_EQ(eval("float('1.5e3')"), "1500.0");
  EXPECT_EQ(eval("float('-Infinity')"), "-inf");
  EXPECT_EQ(eval("float('+NaN')"), "nan");
  EXPECT_EQ(eval("float('0x1p3')"), "8.0");
  EXPECT_EQ(eval("float('1e-400')"), "0.0");
  EXPECT_EQ(message("float('1.1abc')"), "invalid float literal: 1.1abc");
  EXPECT_EQ(message("float(' 1')"), "invalid float literal:  1");
  EXPECT_EQ(message("float('1e1000')"), "floating-point number too large");
  EXPECT_EQ(message("float('')"), "float: empty string");
  EXPECT_EQ(message("float(None)"), "float got NoneType, want number or string");
  EXPECT_EQ(message("float(1, 2)"), "float got 2 arguments, wants 1");
  EXPECT_EQ(message("float(x=1)"), "float does not accept keyword arguments");
  EXPECT_EQ(message("float(1 << 500 << 500 << 100)"), "int too large to convert to float");
}

TEST_F(LibraryTest, Int) {
  EXPECT_EQ(eval("int(3.9)"), "3");
  EXPECT_EQ(eval("int(-3.9)"), "-3");
  EXPECT_EQ(eval("int(True)"), "1");
  EXPECT_EQ(eval("int('0x1f', 16)"), "31");
  EXPECT_EQ(eval("int('0o17', 0)"), "15");
  EXPECT_EQ(eval("int(x='12', base=8)"), "10");
  EXPECT_EQ(eval("int(1e20)"), "100000000000000000000");
  EXPECT_EQ(message("int()"), "int: missing argument for x");
  EXPECT_EQ(message("int('0x12')"), "int: invalid literal with base 10: 0x12");
  EXPECT_EQ(message("int('0123', 0)"), "int: invalid literal with base 0: 0123");
  EXPECT_EQ(message("int(3, 10)"), "int: can't convert non-string with explicit base");
  EXPECT_EQ(message("int('1', 37)"), "int: base must be an integer >= 2 && <= 36");
  EXPECT_EQ(message("int(float('nan'))"), "int: cannot convert float NaN to integer");
  EXPECT_EQ(message("int(float('inf'))"), "int: cannot convert float infinity to integer");
  EXPECT_EQ(message("int(None)"), "int: cannot convert NoneType to int");
}

TEST_F(LibraryTest, HashIsDeterministic) {
  EXPECT_EQ(eval("hash('')"), "0");
  EXPECT_EQ(eval("hash('abc')"), "96354");  // Java's String.hashCode
  EXPECT_EQ(eval("hash('😿')"), "128575");  // one code point, not two UTF-16 units
  EXPECT_EQ(eval("hash('a' * 20)"), "1542361408");  // wrapping int32 arithmetic
  EXPECT_EQ(eval("hash('z' * 6)"), "-685785664");  // negative: int32
  EXPECT_EQ(eval("hash(b'')"), "2166136261");         // FNV-1a
  EXPECT_EQ(eval("hash(b'abc')"), "440920331");
  EXPECT_EQ(message("hash([1])"), "hash: got list, want string or bytes");
}

TEST_F(LibraryTest, StrReprType) {
  EXPECT_EQ(eval("str('x')"), "\"x\"");
  EXPECT_EQ(eval("str(1.0)"), "\"1.0\"");
  EXPECT_EQ(eval("str([1, 'a'])"), "\"[1, \\\"a\\\"]\"");
  EXPECT_EQ(eval("str(b'\\xe4\\xb8')"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
  EXPECT_EQ(eval("repr('x')"), "\"\\\"x\\\"\"");
  EXPECT_EQ(message("str()"), "str: got 0 arguments, want exactly 1");
  EXPECT_EQ(message("str(x=1)"), "str does not accept keyword arguments");
  EXPECT_EQ(eval("[type(x) for x in (None, True, 1, 1.0, '', b'', [], (), {}, range(1), len)]"),
            "[\"NoneType\", \"bool\", \"int\", \"float\", \"string\", \"bytes\", \"list\", "
            "\"tuple\", \"dict\", \"range\", \"builtin_function_or_method\"]");
  EXPECT_EQ(eval("type(set())"), "\"set\"");
  EXPECT_EQ(eval("type(lambda: 1)"), "\"function\"");
  EXPECT_EQ(message("type(1, 2)"), "type: got 2 arguments, want exactly 1");
}

// --- collections ------------------------------------------------------------------

TEST_F(LibraryTest, AllAnyLen) {
  EXPECT_EQ(eval("all([])"), "True");
  EXPECT_EQ(eval("all([1, ''])"), "False");
  EXPECT_EQ(eval("any([0, 'a'])"), "True");
  EXPECT_EQ(eval("any(())"), "False");
  EXPECT_EQ(message("any(1)"), "any: for parameter 1: got int, want iterable");
  EXPECT_EQ(eval("len({1: 2})"), "1");
  EXPECT_EQ(eval("len('abc')"), "3");
  EXPECT_EQ(message("len(1)"), "len: value of type int has no len");
}

TEST_F(LibraryTest, DictAndSet) {
  EXPECT_EQ(eval("dict([(1, 2), (3, 4)], foo='bar')"), "{1: 2, 3: 4, \"foo\": \"bar\"}");
  EXPECT_EQ(eval("dict({1: 2}.items())"), "{1: 2}");
  EXPECT_EQ(message("dict(None)"), "dict: got NoneType, want iterable");
  EXPECT_EQ(message("dict(['ab'])"), "dict: dictionary update sequence element #0 is not iterable (string)");
  EXPECT_EQ(message("dict([(1,)])"), "dict: dictionary update sequence element #0 has length 1, want 2");
  EXPECT_EQ(message("dict({}, {})"), "dict: got 2 arguments, want at most 1");
  EXPECT_EQ(message("dict({'b': 3}, a=4, **dict(a=5))"), "dict: duplicate keyword arg: \"a\"");
  EXPECT_EQ(eval("sorted(set([3, 1, 3]))"), "[1, 3]");
  EXPECT_EQ(eval("set()"), "set([])");
  EXPECT_EQ(message("set(1)"), "set: for parameter 1: got int, want iterable");
  EXPECT_EQ(message("set([[1]])"), "set: unhashable type: list");
}

TEST_F(LibraryTest, ListTupleReversedEnumerateZip) {
  EXPECT_EQ(eval("list((1, 2))"), "[1, 2]");
  EXPECT_EQ(eval("list()"), "[]");
  EXPECT_EQ(message("list('abc')"), "list: for parameter 1: got string, want iterable");
  EXPECT_EQ(eval("tuple([1])"), "(1,)");
  EXPECT_EQ(message("tuple(1)"), "tuple: for parameter 1: got int, want iterable");
  EXPECT_EQ(eval("reversed([1, 144, 81])"), "[81, 144, 1]");
  EXPECT_EQ(eval("enumerate(['a', 'b'], 42)"), "[(42, \"a\"), (43, \"b\")]");
  EXPECT_EQ(message("enumerate('ab')"), "enumerate: for parameter 1: got string, want iterable");
  EXPECT_EQ(eval("zip()"), "[]");
  EXPECT_EQ(eval("zip([1, 2, 3], 'ab'.elems())"), "[(1, \"a\"), (2, \"b\")]");
  EXPECT_EQ(message("zip([1], 1)"), "zip: argument #2 is not iterable: int");
  EXPECT_EQ(message("zip(x=[])"), "zip does not accept keyword arguments");
}

TEST_F(LibraryTest, Range) {
  EXPECT_EQ(eval("list(range(5))"), "[0, 1, 2, 3, 4]");
  EXPECT_EQ(eval("list(range(10, 2, -3))"), "[10, 7, 4]");
  EXPECT_EQ(eval("range(1, 10)"), "range(1, 10)");
  EXPECT_EQ(message("range(1, 2, 0)"), "range: step argument must not be zero");
  EXPECT_EQ(message("range()"), "range: got 0 arguments, want at least 1");
  EXPECT_EQ(message("range(1, 2, 3, 4)"), "range: got 4 arguments, want at most 3");
}

TEST_F(LibraryTest, MinMax) {
  EXPECT_EQ(eval("min(5, -2, 1)"), "-2");
  EXPECT_EQ(eval("max([5, -2, 1])"), "5");
  EXPECT_EQ(eval("max('one', 'two', 'three')"), "\"two\"");
  EXPECT_EQ(eval("min(5, -2, 1, key=lambda x: x * x)"), "1");
  EXPECT_EQ(eval("max([(1, 'a'), (1, 'b')], key=lambda p: p[0])"), "(1, \"a\")");  // first wins
  EXPECT_EQ(message("min()"), "min requires at least one positional argument");
  EXPECT_EQ(message("min(1)"), "min: int value is not iterable");
  EXPECT_EQ(message("max([])"), "max: argument is an empty sequence");
  EXPECT_EQ(message("min([1, 'a'])"), "min: string < int not implemented");
  EXPECT_EQ(message("min([1], key=None)"), "min: for parameter key: got NoneType, want callable");
  EXPECT_EQ(message("max([1], foo=1)"), "max: unexpected keyword argument foo");
}

TEST_F(LibraryTest, SortedIsStableAndReportsComparisons) {
  EXPECT_EQ(eval("sorted([42, 123, 3])"), "[3, 42, 123]");
  EXPECT_EQ(eval("sorted(['wiz', 'foo', 'bar'], reverse=True)"), "[\"wiz\", \"foo\", \"bar\"]");
  EXPECT_EQ(eval("sorted(['two', 'three', 'four'], key=len)"), "[\"two\", \"four\", \"three\"]");
  EXPECT_EQ(eval("sorted(['two', 'three', 'four'], key=len, reverse=True)"), "[\"three\", \"four\", \"two\"]");
  EXPECT_EQ(eval("sorted([(4, 0), (3, 1), (4, 2), (2, 3), (3, 4), (1, 5), (2, 6), (3, 7)], key=lambda x: x[0])"),
            "[(1, 5), (2, 3), (2, 6), (3, 1), (3, 4), (3, 7), (4, 0), (4, 2)]");
  // Stable in reverse too: equal keys keep their order.
  EXPECT_EQ(eval("sorted([(1, 'a'), (2, 'b'), (1, 'c')], key=lambda x: x[0], reverse=True)"),
            "[(2, \"b\"), (1, \"a\"), (1, \"c\")]");
  // The last failed comparison is the one reported, as in starlark-go.
  EXPECT_EQ(message("sorted([1, 2, None, 3])"), "int < NoneType not implemented");
  EXPECT_EQ(message("sorted([1, 'one'])"), "string < int not implemented");
  EXPECT_EQ(message("sorted(1)"), "sorted: for parameter iterable: got int, want iterable");
  EXPECT_EQ(message("sorted([1, 2, 3], key=None)"), "sorted: for parameter key: got NoneType, want callable");
  EXPECT_EQ(message("sorted([1], reverse=1)"), "sorted: for parameter reverse: got int, want bool");
  // Long inputs go through the merge phase.
  EXPECT_EQ(eval("sorted([(i * 7919) % 101 for i in range(101)]) == list(range(101))"), "True");
}

TEST_F(LibraryTest, StableSortMatchesStdStableSortOrder) {
  // Sort pairs by key only; compare with std::stable_sort for several sizes.
  for (size_t n : {0u, 1u, 2u, 19u, 20u, 21u, 45u, 100u, 333u}) {
    std::vector<std::pair<int, int>> v;
    for (size_t i = 0; i < n; ++i) v.emplace_back(static_cast<int>((i * 37) % 11), static_cast<int>(i));
    auto want = v;
    std::stable_sort(want.begin(), want.end(), [](auto& a, auto& b) { return a.first < b.first; });
    stable_sort_indices(
        v.size(), [&](size_t i, size_t j) { return v[i].first < v[j].first; },
        [&](size_t i, size_t j) { std::swap(v[i], v[j]); });
    EXPECT_EQ(v, want) << "n=" << n;
  }
}

TEST_F(LibraryTest, StepBudgetBoundsBuiltinIteration) {
  for (const char* src : {"list(range(1 << 40))", "sorted(range(1 << 40))", "enumerate(range(1 << 40))",
                          "zip(range(1 << 40))", "max(range(1 << 40))", "all(range(1, 1 << 40))",
                          "bytes([1] * 20000)", "set(range(1 << 40))"}) {
    thread.max_steps = 10000;
    thread.steps = 0;
    EXPECT_EQ(message(src), "Starlark computation cancelled: too many steps") << src;
  }
}

// --- attributes, printing, failing -----------------------------------------------

TEST_F(LibraryTest, DirGetattrHasattr) {
  EXPECT_EQ(eval("dir(None)"), "[]");
  EXPECT_EQ(eval("dir({})[:3]"), "[\"clear\", \"get\", \"items\"]");
  EXPECT_EQ(eval("dir('') == sorted(dir(''))"), "True");
  EXPECT_EQ(eval("getattr('abc', 'upper')()"), "\"ABC\"");
  EXPECT_EQ(eval("getattr([], 'nope', 42)"), "42");
  EXPECT_EQ(eval("hasattr([], 'append')"), "True");
  EXPECT_EQ(eval("hasattr([], 'nope')"), "False");
  EXPECT_EQ(eval("hasattr(1, 'real')"), "False");
  EXPECT_EQ(message("getattr([], 'nope')"), "getattr: list has no .nope field or method");
  EXPECT_EQ(message("getattr(1, 'x')"), "getattr: int has no .x field or method");
  EXPECT_EQ(message("dir()"), "dir: got 0 arguments, want 1");
}

TEST_F(LibraryTest, PrintJoinsWithSep) {
  run("print('a', 1, [2], b'c')\nprint(1, 2, sep='/')\nprint()\n");
  EXPECT_EQ(printed, "a 1 [2] c\n1/2\n\n");
  EXPECT_EQ(message("print(end='')"), "print: unexpected keyword argument end");
}

TEST_F(LibraryTest, Fail) {
  EXPECT_EQ(message("fail()"), "fail: ");
  EXPECT_EQ(message("fail(1, 'two', [3])"), "fail: 1 two [3]");
  EXPECT_EQ(message("fail(1, 2, 3, sep='/')"), "fail: 1/2/3");
  EXPECT_EQ(message("fail(b'x')"), "fail: b\"x\"");
}

// --- struct and module ------------------------------------------------------------

TEST_F(LibraryTest, Struct) {
  EXPECT_EQ(eval("struct(port = 80, host = 'localhost')"), "struct(host = \"localhost\", port = 80)");
  EXPECT_EQ(eval("type(struct())"), "\"struct\"");
  EXPECT_EQ(eval("str(struct)"), "\"<built-in function struct>\"");
  EXPECT_EQ(eval("struct(a = 1).a"), "1");
  EXPECT_EQ(eval("dir(struct(b = 1, a = 2))"), "[\"a\", \"b\"]");
  EXPECT_EQ(eval("struct(a = 1) == struct(a = 1)"), "True");
  EXPECT_EQ(eval("struct(a = 1) != struct(a = 2)"), "True");
  EXPECT_EQ(eval("struct(a = 1, b = 2) + struct(b = 3, c = 4)"), "struct(a = 1, b = 3, c = 4)");
  EXPECT_EQ(eval("{struct(a = 1): 1}[struct(a = 1)]"), "1");
  EXPECT_EQ(eval("hasattr(struct(a = 1), 'b')"), "False");
  EXPECT_EQ(eval("getattr(struct(a = 1), 'b', 7)"), "7");
  EXPECT_EQ(eval("bool(struct())"), "True");
  EXPECT_EQ(message("struct(host = 1).hostt"), "struct has no .hostt attribute (did you mean .host?)");
  EXPECT_EQ(message("struct(host = 1).hots"), "struct has no .hots attribute");  // 2 edits of 4: too far
  EXPECT_EQ(message("struct(host = 1).protocol"), "struct has no .protocol attribute");
  EXPECT_EQ(message("getattr(struct(), 'x')"), "getattr: struct has no .x attribute");
  EXPECT_EQ(message("struct(1)"), "struct: unexpected positional arguments");
  EXPECT_EQ(message("struct(a = 1) + 1"), "unknown binary op: struct + int");
  EXPECT_EQ(message("{struct(a = []): 1}"), "unhashable type: list");
}

TEST_F(LibraryTest, StructConstructorsMustMatch) {
  Value a(new StructObj("point", {{"x", Value::from_int(1)}}));
  Value b(new StructObj("struct", {{"x", Value::from_int(1)}}));
  EXPECT_EQ(repr(a), "point(x = 1)");
  EXPECT_FALSE(equal(thread, a, b));
  try {
    binary_op(thread, Token::Plus, a, b);
    ADD_FAILURE() << "no error";
  } catch (const EvalError& e) {
    EXPECT_EQ(e.msg(), "cannot add structs of different constructors: point + struct");
  }
  try {
    get_attr(thread, a, "y");
    ADD_FAILURE() << "no error";
  } catch (const EvalError& e) {
    EXPECT_EQ(e.msg(), "point struct has no .y attribute");
  }
}

TEST_F(LibraryTest, StructFreezesItsFields) {
  Value l = make_list(interp.heap());
  Value s(new StructObj("struct", {{"l", l}}));
  EXPECT_FALSE(l.obj()->frozen());
  freeze(s);
  EXPECT_TRUE(l.obj()->frozen());
}

TEST_F(LibraryTest, Module) {
  EXPECT_EQ(eval("module('m', b = 2, a = 1)"), "<module \"m\">");
  EXPECT_EQ(eval("type(module('m'))"), "\"module\"");
  EXPECT_EQ(eval("module('m', a = 1).a"), "1");
  EXPECT_EQ(eval("dir(module('m', b = 2, a = 1))"), "[\"a\", \"b\"]");
  EXPECT_EQ(message("module('m', fails = 1).falls"), "module has no .falls field or method (did you mean .fails?)");
  EXPECT_EQ(message("{module('m'): 1}"), "unhashable: module");
  EXPECT_EQ(message("m = module('m')\ndef f():\n  m.x = 1\nf()"), "can't assign to .x field of module");
  EXPECT_EQ(message("module(1)"), "module: for parameter 1: got int, want string");
  EXPECT_EQ(message("module()"), "module: got 0 arguments, want 1");
}

// --- the math module ----------------------------------------------------------------

TEST_F(LibraryTest, MathModule) {
  EXPECT_EQ(eval("math"), "<module \"math\">");
  EXPECT_EQ(eval("math.ceil(0.4)"), "1");
  EXPECT_EQ(eval("math.floor(-0.5)"), "-1");
  EXPECT_EQ(eval("math.ceil(10)"), "10");
  EXPECT_EQ(eval("math.floor((1 << 63) + 0.5) == 1 << 63"), "True");
  EXPECT_EQ(eval("math.round(-0.5)"), "-1.0");
  EXPECT_EQ(eval("math.fabs(-2)"), "2.0");
  EXPECT_EQ(eval("math.mod(-5, 3)"), "-2.0");
  EXPECT_EQ(eval("math.remainder(3, 5)"), "-2.0");
  EXPECT_EQ(eval("math.pow(2, 10)"), "1024.0");
  EXPECT_EQ(eval("math.copysign(3.2, -1)"), "-3.2");
  EXPECT_EQ(eval("math.hypot(4, 3)"), "5.0");
  EXPECT_EQ(eval("math.atan2(-0.0, -10) == -math.pi"), "True");
  EXPECT_EQ(eval("math.degrees(1)"), "57.29577951308232");
  EXPECT_EQ(eval("math.radians(1)"), "0.017453292519943295");
  EXPECT_EQ(eval("math.log(math.e)"), "1.0");
  EXPECT_EQ(eval("math.log(8, 2)"), "3.0");
  EXPECT_EQ(eval("math.gamma(5)"), "24.0");
  EXPECT_EQ(eval("math.sqrt(-4)"), "nan");
  EXPECT_EQ(eval("math.exp(1) == math.e"), "True");
  EXPECT_EQ(eval("math.cosh(1.0)"), "1.5430806348152437");
  EXPECT_EQ(eval("math.sqrt(1 << 500 << 500 << 500)"), "+inf");  // ints beyond float range are infinite
  EXPECT_EQ(message("math.log(2, 1)"), "division by zero");
  EXPECT_EQ(message("math.ceil(float('inf'))"), "cannot convert float infinity to integer");
  EXPECT_EQ(message("math.floor(float('nan'))"), "cannot convert float NaN to integer");
  EXPECT_EQ(message("math.ceil('0')"), "got string, want float or int");
  EXPECT_EQ(message("math.sqrt('0')"), "sqrt: for parameter 1: got string, want float or int");
  EXPECT_EQ(message("math.pow(1.0, '0')"), "pow: for parameter 2: got string, want float or int");
  EXPECT_EQ(message("math.pow(1.0)"), "pow: got 1 arguments, want 2");
  EXPECT_EQ(message("math.log()"), "log: got 0 arguments, want at least 1");
  EXPECT_EQ(message("math.sin(x=1)"), "sin: unexpected keyword arguments");
}

}  // namespace
}  // namespace faultbox::star
