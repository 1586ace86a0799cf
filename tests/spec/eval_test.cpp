// The evaluator through Interpreter::exec_file: scopes and closures,
// argument binding and its errors, assignment and unpacking,
// comprehensions, control flow, load, the recursion option, frozen module
// globals, stack-overflow detection, the step budget, and backtraces.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

#include "spec/eval/Builtin.h"
#include "spec/eval/Function.h"
#include "spec/eval/Interpreter.h"
#include "spec/eval/Ops.h"
#include "spec/eval/Render.h"
#include "spec/eval/String.h"

namespace faultbox::star {
namespace {

class EvalTest : public ::testing::Test {
 protected:
  EvalTest() {
    thread.print = [this](Thread&, std::string_view msg) {
      printed.append(msg);
      printed += "\n";
    };
  }

  // Runs `src` as a file; returns its module.
  Value run(const std::string& src, Dialect dialect = Dialect::spec(), const std::string& path = "test.star") {
    return interp.exec_file(thread, path, src, dialect, predeclared);
  }

  // repr() of global `name` after running `src`.
  std::string global(const std::string& src, const std::string& name, Dialect dialect = Dialect::spec()) {
    Value m = run(src, dialect);
    Value v = m.as<ModuleObj>()->global(name);
    if (v.is_absent()) return "<absent>";
    return repr(v);
  }

  // The EvalError of running `src` (the test fails if it succeeds).
  EvalError error(const std::string& src, Dialect dialect = Dialect::spec()) {
    try {
      run(src, dialect);
    } catch (const EvalError& e) {
      return e;
    } catch (const SourceErrors& e) {
      ADD_FAILURE() << "source error: " << render_source_errors(e);
      return EvalError("<source error>");
    }
    ADD_FAILURE() << "no error from:\n" << src;
    return EvalError("<no error>");
  }
  std::string message(const std::string& src, Dialect dialect = Dialect::spec()) {
    return error(src, dialect).msg();
  }

  Interpreter interp;
  Thread thread{interp.heap(), "test"};
  StringDict predeclared;
  std::string printed;
};

// --- expressions --------------------------------------------------------------

TEST_F(EvalTest, ArithmeticAndGlobals) {
  EXPECT_EQ(global("x = 1 + 2 * 3 - 4 // 3\n", "x"), "6");
  EXPECT_EQ(global("x = 7 % 3\n", "x"), "1");
  EXPECT_EQ(global("x = -7 % 3\n", "x"), "2");
  EXPECT_EQ(global("x = -7 // 2\n", "x"), "-4");
  EXPECT_EQ(global("x = 9223372036854775807 + 1\n", "x"), "9223372036854775808");
  EXPECT_EQ(global("x = -(-9223372036854775807 - 1)\n", "x"), "9223372036854775808");
  EXPECT_EQ(global("x = 3 * 4 < 13\n", "x"), "True");
  EXPECT_EQ(global("x = 6 & 3 | 8 ^ 1\n", "x"), "11");
}

TEST_F(EvalTest, AndOrReturnOperands) {
  EXPECT_EQ(global("x = 0 or 'a'\n", "x"), "\"a\"");
  EXPECT_EQ(global("x = 1 and 2\n", "x"), "2");
  EXPECT_EQ(global("x = [] and 1//0\n", "x"), "[]");  // short-circuit: no division
  EXPECT_EQ(global("x = 1 or 1//0\n", "x"), "1");
  EXPECT_EQ(global("x = not None\n", "x"), "True");
}

TEST_F(EvalTest, ConditionalExpression) {
  EXPECT_EQ(global("x = 'yes' if 2 > 1 else 1//0\n", "x"), "\"yes\"");
  EXPECT_EQ(global("x = 1//0 if 2 < 1 else 'no'\n", "x"), "\"no\"");
}

TEST_F(EvalTest, Displays) {
  EXPECT_EQ(global("x = [1, (2, 3), {'a': [4]}]\n", "x"), "[1, (2, 3), {\"a\": [4]}]");
  EXPECT_EQ(global("x = ()\n", "x"), "()");
  EXPECT_EQ(global("x = (1,)\n", "x"), "(1,)");
}

TEST_F(EvalTest, DictDisplayDuplicateKey) {
  EXPECT_EQ(message("x = {1: 2, 1: 3}\n"), "duplicate key: 1");
  EXPECT_EQ(message("x = {'a': 2, 'a': 3}\n"), "duplicate key: \"a\"");
}

TEST_F(EvalTest, IndexAndSlice) {
  EXPECT_EQ(global("x = [1, 2, 3][-1]\n", "x"), "3");
  EXPECT_EQ(global("x = [1, 2, 3, 4][1:3]\n", "x"), "[2, 3]");
  EXPECT_EQ(global("x = [1, 2, 3][::-1]\n", "x"), "[3, 2, 1]");
  EXPECT_EQ(global("x = {'k': 1}['k']\n", "x"), "1");
}

TEST_F(EvalTest, InAndNotIn) {
  EXPECT_EQ(global("x = (2 in [1, 2], 3 not in [1, 2])\n", "x"), "(True, True)");
  // `not in` reports like `in` (starlark-go compiles it as `in` then `not`).
  EXPECT_EQ(message("x = 1 not in 2\n"), "unknown binary op: int in int");
}

TEST_F(EvalTest, Predeclared) {
  predeclared.emplace_back("k", Value::from_int(41));
  EXPECT_EQ(global("x = k + 1\n", "x"), "42");
}

// --- functions and closures ----------------------------------------------------------

TEST_F(EvalTest, DefAndReturn) {
  EXPECT_EQ(global("def f(a, b):\n  return a * b\nx = f(6, 7)\n", "x"), "42");
  EXPECT_EQ(global("def f():\n  pass\nx = f()\n", "x"), "None");
  EXPECT_EQ(global("def f():\n  return\nx = f()\n", "x"), "None");
  EXPECT_EQ(global("def f(): pass\nx = f\n", "x"), "<function f>");
  EXPECT_EQ(global("x = lambda: 1\n", "x"), "<function lambda>");
}

TEST_F(EvalTest, Lambda) {
  EXPECT_EQ(global("f = lambda x, y=2: x * y\nx = (f(3), f(3, 3))\n", "x"), "(6, 9)");
}

TEST_F(EvalTest, ClosureSharesCellWithItsFunction) {
  const char* src =
      "def make():\n"
      "    n = [0]\n"
      "    def inc():\n"
      "        n[0] += 1\n"
      "        return n[0]\n"
      "    return inc\n"
      "f = make()\n"
      "x = (f(), f(), make()())\n";
  EXPECT_EQ(global(src, "x"), "(1, 2, 1)");
}

TEST_F(EvalTest, ClosureThroughTwoLevels) {
  const char* src =
      "def outer():\n"
      "    x = 10\n"
      "    def middle():\n"
      "        def inner():\n"
      "            return x + 1\n"
      "        return inner()\n"
      "    return middle()\n"
      "r = outer()\n";
  EXPECT_EQ(global(src, "r"), "11");
}

TEST_F(EvalTest, ClosureObservesLaterAssignments) {
  const char* src =
      "def c():\n"
      "    out = []\n"
      "    x = 1\n"
      "    def d():\n"
      "        out.append(x)\n"
      "    d()\n"
      "    x = 2\n"
      "    d()\n"
      "    return out\n"
      "r = c()\n";
  EXPECT_EQ(global(src, "r"), "[1, 2]");
}

TEST_F(EvalTest, ParameterCapturedByClosure) {
  EXPECT_EQ(global("def f(x):\n  return lambda: x\nr = f(7)()\n", "r"), "7");
}

TEST_F(EvalTest, ForwardReferenceToCell) {
  const char* src =
      "def e():\n"
      "    def f():\n"
      "        return x\n"
      "    x = 1\n"
      "    return f()\n"
      "r = e()\n";
  EXPECT_EQ(global(src, "r"), "1");
}

TEST_F(EvalTest, UnassignedCellAndLocal) {
  const char* cell =
      "def g():\n"
      "    def inner():\n"
      "        return x\n"
      "    if False:\n"
      "        x = 0\n"
      "    return inner()\n"
      "g()\n";
  EXPECT_EQ(message(cell), "local variable x referenced before assignment");
  const char* local =
      "def f():\n"
      "    if False:\n"
      "        x = 1\n"
      "    return x\n"
      "f()\n";
  EvalError e = error(local);
  EXPECT_EQ(e.msg(), "local variable x referenced before assignment");
  ASSERT_FALSE(e.backtrace().empty());
  EXPECT_EQ(e.backtrace().back().pos, (Pos{4, 12}));
}

TEST_F(EvalTest, GlobalReferencedBeforeAssignment) {
  EvalError e = error("def f():\n    return y\nz = f()\ny = 1\n");
  EXPECT_EQ(e.msg(), "global variable y referenced before assignment");
  EXPECT_EQ(e.backtrace().back().pos, (Pos{2, 12}));
}

TEST_F(EvalTest, DefaultsAreEvaluatedAtDefTime) {
  const char* src =
      "l = [1]\n"
      "def f(x = l[0]):\n"
      "    return x\n"
      "l[0] = 2\n"
      "r = (f(), l[0])\n";
  EXPECT_EQ(global(src, "r"), "(1, 2)");
}

TEST_F(EvalTest, MutableDefaultIsShared) {
  const char* src =
      "def g(x = []):\n"
      "    x += [1]\n"
      "    return x\n"
      "a = g()\n"
      "b = g()\n"
      "r = (a, b, g([0]))\n";
  EXPECT_EQ(global(src, "r"), "([1, 1], [1, 1], [0, 1])");
}

TEST_F(EvalTest, ComprehensionLambdasShareOneCell) {
  EXPECT_EQ(global("fs = [lambda: x for x in [1, 2, 3]]\nr = [f() for f in fs]\n", "r"), "[3, 3, 3]");
}

// --- argument binding ------------------------------------------------------------------

TEST_F(EvalTest, BindingAllParameterKinds) {
  const char* def = "def f(a, b = 2, *args, c, d = 4, **kw):\n    return (a, b, args, c, d, kw)\n";
  EXPECT_EQ(global(std::string(def) + "r = f(1, c = 3)\n", "r"), "(1, 2, (), 3, 4, {})");
  EXPECT_EQ(global(std::string(def) + "r = f(1, 5, 6, 7, c = 3, e = 8)\n", "r"),
            "(1, 5, (6, 7), 3, 4, {\"e\": 8})");
  EXPECT_EQ(global(std::string(def) + "r = f(*[1, 2, 9], **{'c': 3, 'z': 0})\n", "r"),
            "(1, 2, (9,), 3, 4, {\"z\": 0})");
  EXPECT_EQ(global(std::string(def) + "r = f(b = 1, a = 0, c = 5, d = 6)\n", "r"), "(0, 1, (), 5, 6, {})");
}

TEST_F(EvalTest, KeywordOnlyAfterBareStar) {
  EXPECT_EQ(global("def f(a, *, b):\n    return (a, b)\nr = f(1, b = 2)\n", "r"), "(1, 2)");
}

TEST_F(EvalTest, KwargsKeepOrder) {
  EXPECT_EQ(global("def f(**kw):\n    return kw\nr = f(b = 2, **{'a': 1})\n", "r"), "{\"b\": 2, \"a\": 1}");
}

TEST_F(EvalTest, ArgumentEvaluationOrder) {
  const char* src =
      "r = []\n"
      "def id(x):\n"
      "    r.append(x)\n"
      "    return x\n"
      "def f(*args, **kwargs):\n"
      "    return (args, kwargs)\n"
      "y = f(id(1), id(2), x = id(3), *[id(4)], **dict(z = id(5)))\n";
  Value m = run(src);
  EXPECT_EQ(repr(m.as<ModuleObj>()->global("r")), "[1, 2, 3, 4, 5]");
  EXPECT_EQ(repr(m.as<ModuleObj>()->global("y")), "((1, 2, 4), {\"x\": 3, \"z\": 5})");
}

TEST_F(EvalTest, BindingErrors) {
  EXPECT_EQ(message("def f():\n    pass\nf(1, x = 2)\n"), "function f accepts no arguments (2 given)");
  EXPECT_EQ(message("def f(a):\n    pass\nf(1, 2)\n"), "function f accepts 1 positional argument (2 given)");
  EXPECT_EQ(message("def f(a, b):\n    pass\nf(1, 2, 3)\n"),
            "function f accepts 2 positional arguments (3 given)");
  EXPECT_EQ(message("def f(a, b = 1):\n    pass\nf(1, 2, 3)\n"),
            "function f accepts at most 2 positional arguments (3 given)");
  EXPECT_EQ(message("def f(a, *, b = 1):\n    pass\nf(1, 2)\n"),
            "function f accepts 1 positional argument (2 given)");
  EXPECT_EQ(message("def f(a):\n    pass\nf(1, a = 2)\n"), "function f got multiple values for parameter \"a\"");
  EXPECT_EQ(message("def f(a):\n    pass\nf(b = 1)\n"), "function f got an unexpected keyword argument \"b\"");
  EXPECT_EQ(message("def f(a, b, c = 1):\n    pass\nf()\n"), "function f missing 2 arguments (a, b)");
  EXPECT_EQ(message("def f(a, *, b, c = 1, d):\n    pass\nf(1)\n"), "function f missing 2 arguments (b, d)");
  EXPECT_EQ(message("def f(a, b = 2):\n    pass\nf(b = 1)\n"), "function f missing 1 argument (a)");
  EXPECT_EQ(message("def f(**kw):\n    pass\nf(x = 1, **{'x': 2})\n"),
            "function f got multiple values for parameter \"x\"");
  EXPECT_EQ(message("def g(x, y):\n    pass\ng(1, y = 2, **{'y': 3})\n"),
            "function g got multiple values for parameter \"y\"");
  EXPECT_EQ(message("(lambda: 1)(2)\n"), "function lambda accepts no arguments (1 given)");
}

TEST_F(EvalTest, BindingErrorIsReportedAtTheCallee) {
  // As in starlark-go, the callee's frame (at its def) is the innermost.
  EvalError e = error("\ndef f(a):\n    pass\nf()\n");
  ASSERT_EQ(e.backtrace().size(), 2u);
  EXPECT_EQ(e.backtrace()[0].name, "<toplevel>");
  EXPECT_EQ(e.backtrace()[0].pos, (Pos{4, 2}));
  EXPECT_EQ(e.backtrace()[1].name, "f");
  EXPECT_EQ(e.backtrace()[1].pos, (Pos{2, 1}));
}

TEST_F(EvalTest, StarArgumentErrors) {
  EXPECT_EQ(message("def f(*a, **k):\n    pass\nf(*1)\n"), "argument after * must be iterable, not int");
  EXPECT_EQ(message("def f(*a, **k):\n    pass\nf(**1)\n"), "argument after ** must be a mapping, not int");
  EXPECT_EQ(message("def f(*a, **k):\n    pass\nf(**{1: 2})\n"), "keywords must be strings, not int");
}

TEST_F(EvalTest, CallOfNonFunction) {
  EvalError e = error("x = 1\ny = x()\n");
  EXPECT_EQ(e.msg(), "invalid call of non-function (int)");
  EXPECT_EQ(e.backtrace().back().pos, (Pos{2, 6}));
}

// --- assignment ---------------------------------------------------------------------------

TEST_F(EvalTest, Unpacking) {
  EXPECT_EQ(global("a, (b, c) = 1, [2, 3]\nr = (a, b, c)\n", "r"), "(1, 2, 3)");
  EXPECT_EQ(global("[a, b] = (1, 2)\nr = [b, a]\n", "r"), "[2, 1]");
  EXPECT_EQ(global("a, b = {'x': 1, 'y': 2}\nr = a + b\n", "r"), "\"xy\"");
  EXPECT_EQ(global("(a) = 5\n", "a"), "5");
}

TEST_F(EvalTest, UnpackingErrors) {
  EvalError many = error("\na, b = 1, 2, 3\n");
  EXPECT_EQ(many.msg(), "too many values to unpack (got 3, want 2)");
  EXPECT_EQ(many.backtrace().back().pos, (Pos{2, 6}));
  EXPECT_EQ(message("a, b, c = [1, 2]\n"), "too few values to unpack (got 2, want 3)");
  EXPECT_EQ(message("a, b = 1\n"), "got int in sequence assignment");
  EXPECT_EQ(message("a, b = {'x': 1}\n"), "too few values to unpack (got 1, want 2)");
  EXPECT_EQ(message("a, b = {'x': 1, 'y': 2, 'z': 3}\n"), "too many values to unpack (got 3, want 2)");
  EXPECT_EQ(message("def f():\n  for a, b in [(1, 2), (3,)]:\n    pass\nf()\n"),
            "too few values to unpack (got 1, want 2)");
}

TEST_F(EvalTest, AssignmentEvaluatesRightHandSideFirst) {
  const char* src =
      "order = []\n"
      "def note(x):\n"
      "    order.append(x)\n"
      "    return x\n"
      "d = {}\n"
      "d[note('k')] = note('v')\n";
  Value m = run(src);
  EXPECT_EQ(repr(m.as<ModuleObj>()->global("order")), "[\"v\", \"k\"]");
}

TEST_F(EvalTest, AugmentedAssignment) {
  EXPECT_EQ(global("x = 5\nx += 2\nx -= 1\nx *= 3\nx //= 4\nx %= 3\n", "x", Dialect::all()), "1");
  EXPECT_EQ(global("x = 1\nx <<= 4\nx |= 1\nx ^= 3\nx &= 30\nx >>= 1\n", "x", Dialect::all()), "9");
  EXPECT_EQ(global("x = 'a'\nx += 'b'\n", "x", Dialect::all()), "\"ab\"");
}

TEST_F(EvalTest, ListPlusEqualsExtendsInPlace) {
  const char* src =
      "x = [1]\n"
      "y = x\n"
      "x += [2]\n"
      "x += (3,)\n"
      "x += {4: 0}\n"
      "x += x\n"
      "t = (1,)\n"
      "u = t\n"
      "t += (2,)\n"
      "r = (y, u, t)\n";
  EXPECT_EQ(global(src, "r", Dialect::all()), "([1, 2, 3, 4, 1, 2, 3, 4], (1,), (1, 2))");
  EXPECT_EQ(message("x = [1]\nx += 'abc'\n", Dialect::all()), "unknown binary op: list + string");
}

TEST_F(EvalTest, AugmentedIndexEvaluatesOperandsOnce) {
  const char* src =
      "counter = [0]\n"
      "def k():\n"
      "    counter[0] += 1\n"
      "    return 'a'\n"
      "d = {'a': 5}\n"
      "d[k()] += 1\n"
      "r = (counter[0], d['a'])\n";
  EXPECT_EQ(global(src, "r"), "(1, 6)");
}

TEST_F(EvalTest, AugmentedAssignmentOfUnassignedLocal) {
  EXPECT_EQ(message("def f():\n    x += 1\n    return x\nf()\n"),
            "local variable x referenced before assignment");
}

// --- control flow ------------------------------------------------------------------------

TEST_F(EvalTest, IfElifElse) {
  const char* src =
      "def f(n):\n"
      "    if n < 0:\n"
      "        return 'neg'\n"
      "    elif n == 0:\n"
      "        return 'zero'\n"
      "    else:\n"
      "        return 'pos'\n"
      "r = (f(-1), f(0), f(1))\n";
  EXPECT_EQ(global(src, "r"), "(\"neg\", \"zero\", \"pos\")");
}

TEST_F(EvalTest, ForBreakContinue) {
  const char* src =
      "def f():\n"
      "    out = []\n"
      "    for i in [1, 2, 3, 4, 5, 6]:\n"
      "        if i == 2:\n"
      "            continue\n"
      "        if i == 5:\n"
      "            break\n"
      "        for j in [10, 20]:\n"
      "            if j == 20:\n"
      "                break\n"
      "            out.append(i * j)\n"
      "    return out\n"
      "r = f()\n";
  EXPECT_EQ(global(src, "r"), "[10, 30, 40]");
}

TEST_F(EvalTest, ReturnFromInsideLoops) {
  const char* src =
      "def find(xs, want):\n"
      "    for x in xs:\n"
      "        for y in x:\n"
      "            if y == want:\n"
      "                return y\n"
      "    return None\n"
      "r = (find([[1], [2, 3]], 3), find([[1]], 9))\n";
  EXPECT_EQ(global(src, "r"), "(3, None)");
}

TEST_F(EvalTest, WhileLoop) {
  const char* src =
      "def f(n):\n"
      "    r = 0\n"
      "    while n > 0:\n"
      "        if n == 5:\n"
      "            n -= 1\n"
      "            continue\n"
      "        r += n\n"
      "        n -= 1\n"
      "        if r > 100:\n"
      "            break\n"
      "    return r\n"
      "x = f(10)\n";
  EXPECT_EQ(global(src, "x"), "50");
}

TEST_F(EvalTest, ToplevelLoops) {
  EXPECT_EQ(global("t = 0\nfor i in [1, 2, 3]:\n  t += i\n", "t", Dialect::all()), "6");
  // Without globalreassign, a toplevel loop may still mutate.
  EXPECT_EQ(global("t = []\nfor i in [1, 2, 3]:\n  t.append(i)\n", "t"), "[1, 2, 3]");
}

TEST_F(EvalTest, ForOverNonIterable) {
  EvalError e = error("def f():\n    for x in 1:\n        pass\nf()\n");
  EXPECT_EQ(e.msg(), "int value is not iterable");
  EXPECT_EQ(e.backtrace().back().pos, (Pos{2, 5}));
  EXPECT_EQ(message("x = [y for y in None]\n"), "NoneType value is not iterable");
}

TEST_F(EvalTest, MutationDuringIteration) {
  std::string msg = message("def f():\n    l = [1, 2]\n    for x in l:\n        l.append(3)\nf()\n");
  EXPECT_NE(msg.find("during iteration"), std::string::npos) << msg;
  msg = message("def f():\n    l = [1, 2]\n    for x in l:\n        l += [3]\nf()\n");
  EXPECT_NE(msg.find("during iteration"), std::string::npos) << msg;
  // The loop's end releases the list.
  EXPECT_EQ(global("def f():\n    l = [1]\n    for x in l:\n        pass\n    l.append(2)\n    return l\nr = f()\n",
                   "r"),
            "[1, 2]");
}

// --- comprehensions ---------------------------------------------------------------------------

TEST_F(EvalTest, Comprehensions) {
  EXPECT_EQ(global("r = [x * y for x in [1, 2] for y in [10, 20] if x * y != 20]\n", "r"), "[10, 40]");
  EXPECT_EQ(global("r = {k: v for k, v in [('a', 1), ('b', 2), ('a', 3)]}\n", "r"), "{\"a\": 3, \"b\": 2}");
  EXPECT_EQ(global("r = [[y for y in x] for x in [[1], [2, 3]]]\n", "r"), "[[1], [2, 3]]");
  EXPECT_EQ(global("r = [x for x in [1, 2, 3] if x > 1 if x < 3]\n", "r"), "[2]");
}

TEST_F(EvalTest, ComprehensionVariablesAreTheirOwn) {
  const char* src =
      "def f():\n"
      "    x = 5\n"
      "    l = [x for x in [1, 2]]\n"
      "    return (x, l)\n"
      "r = f()\n";
  EXPECT_EQ(global(src, "r"), "(5, [1, 2])");
}

TEST_F(EvalTest, ComprehensionFirstIterableUsesEnclosingScope) {
  EXPECT_EQ(global("x = [1, 2]\nr = [x for x in x]\n", "r"), "[1, 2]");
}

// --- recursion, stack, steps -----------------------------------------------------------------

TEST_F(EvalTest, RecursionAllowed) {
  const char* src =
      "def fib(n):\n"
      "    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
      "r = fib(15)\n";
  EXPECT_EQ(global(src, "r"), "610");
}

TEST_F(EvalTest, RecursionForbiddenByDialect) {
  Dialect d = Dialect::spec();
  d.recursion = false;
  const char* src =
      "def f(n):\n"
      "    return f(n - 1) if n > 0 else 0\n"
      "f(3)\n";
  EXPECT_EQ(message(src, d), "function f called recursively");
  // A non-recursive chain is fine.
  EXPECT_EQ(global("def g():\n    return 1\ndef h():\n    return g() + g()\nr = h()\n", "r", d), "2");
  // Through a lambda too.
  EXPECT_EQ(message("def f(n):\n    return (lambda: f(n - 1))() if n > 0 else 0\nf(2)\n", d),
            "function f called recursively");
}

TEST_F(EvalTest, InfiniteRecursionIsAStackOverflowError) {
  EvalError e = error("def f(n):\n    return f(n + 1)\nf(0)\n");
  EXPECT_EQ(e.msg(), "Starlark stack overflow");
  ASSERT_GT(e.backtrace().size(), 10u);
  EXPECT_EQ(e.backtrace().back().name, "f");
  EXPECT_TRUE(thread.frames().empty());
}

TEST_F(EvalTest, StackBoundsOfTheHost) {
  // A host (a fiber) gives its own bounds: here a narrow window below the
  // current position, so the overflow comes after a few dozen calls.
  const char* here = static_cast<const char*>(__builtin_frame_address(0));
  thread.stack_reserve = 64 * 1024;
  thread.set_stack_bounds(here - 64 * 1024 - 128 * 1024, here + 4096);
  EvalError e = error("def f(n):\n    return f(n + 1)\nf(0)\n");
  EXPECT_EQ(e.msg(), "Starlark stack overflow");
  EXPECT_LT(e.backtrace().size(), 2000u);
}

TEST_F(EvalTest, StepBudget) {
  thread.max_steps = 1000;
  try {
    run("def f():\n    while True:\n        pass\nf()\n");
    FAIL() << "no error";
  } catch (const CancelledError& e) {
    EXPECT_EQ(std::string(e.msg()), "Starlark computation cancelled: too many steps");
  }
  EXPECT_LE(thread.steps, 1001u);
}

TEST_F(EvalTest, StepBudgetCountsCallsAndIterations) {
  thread.max_steps = 0;
  run("def f():\n    pass\nfor i in [1, 2, 3]:\n    f()\n");
  // toplevel + 3 iterations + 3 calls
  EXPECT_EQ(thread.steps, 7u);
}

TEST_F(EvalTest, Cancel) {
  thread.cancel("interrupted");
  EXPECT_EQ(message("def f():\n    pass\nf()\n"), "Starlark computation cancelled: interrupted");
}

// --- modules and freezing ------------------------------------------------------------------------

TEST_F(EvalTest, ModuleIsFrozenAfterExec) {
  Value m = run("l = [1]\ndef set0(v):\n    l[0] = v\nset0(2)\n");
  auto* module = m.as<ModuleObj>();
  EXPECT_TRUE(module->frozen());
  EXPECT_EQ(repr(module->global("l")), "[2]");  // mutable while the file runs
  EXPECT_TRUE(module->global("l").obj()->frozen());
  Value set0 = module->global("set0");
  Value arg = Value::from_int(3);
  try {
    call_value(thread, set0, Args{std::span<const Value>(&arg, 1), {}});
    FAIL() << "no error";
  } catch (const EvalError& e) {
    EXPECT_NE(std::string(e.msg()).find("frozen"), std::string::npos) << e.msg();
    ASSERT_EQ(e.backtrace().size(), 1u);
    EXPECT_EQ(e.backtrace()[0].name, "set0");
    EXPECT_EQ(e.backtrace()[0].pos, (Pos{3, 6}));
  }
  EXPECT_EQ(repr(m), "<module \"test.star\">");
}

TEST_F(EvalTest, ModuleAttributes) {
  Value m = run("a = 1\n_b = 2\ndef f():\n    pass\n");
  auto* module = m.as<ModuleObj>();
  EXPECT_EQ(repr(module->attr(thread, "a")), "1");
  EXPECT_TRUE(module->attr(thread, "_b").is_absent());
  EXPECT_EQ(repr(module->global("_b")), "2");
  EXPECT_EQ(module->attr_names(), (std::vector<std::string>{"a", "f"}));
  EXPECT_THROW(module->set_attr(thread, "a", Value::none()), EvalError);
}

TEST_F(EvalTest, Load) {
  std::map<std::string, std::string> files = {
      {"lib.star", "a = 1\nc = 3\n_private = 4\ndef twice(x):\n    return 2 * x\n"},
      {"bad.star", "x = 1 // 0\n"},
      {"syntax.star", "x = (\n"},
  };
  std::map<std::string, Value> cache;
  std::vector<std::string> froms;
  thread.load = [&](Thread& t, std::string_view module, const std::string& from) -> Value {
    froms.push_back(from);
    std::string name(module);
    auto it = cache.find(name);
    if (it != cache.end()) return it->second;
    auto f = files.find(name);
    if (f == files.end()) throw EvalError("no such file");
    Value m = interp.exec_file(t, name, f->second, Dialect::spec(), {});
    cache[name] = m;
    return m;
  };
  EXPECT_EQ(global("load('lib.star', 'a', 'twice', b = 'c')\nr = (a, b, twice(5))\n", "r"), "(1, 3, 10)");
  EXPECT_EQ(froms.back(), "test.star");
  EvalError missing = error("\nload('lib.star', 'zz')\n");
  EXPECT_EQ(missing.msg(), "load: name zz not found in module lib.star");
  EXPECT_EQ(missing.backtrace().back().pos, (Pos{2, 1}));
  EXPECT_EQ(message("load('lib.star', 'twic')\n"),
            "load: name twic not found in module lib.star (did you mean twice?)");
  EXPECT_EQ(message("load('bad.star', 'x')\n"), "cannot load bad.star: floored division by zero");
  EXPECT_EQ(message("load('nope.star', 'x')\n"), "cannot load nope.star: no such file");
  std::string syntax = message("load('syntax.star', 'x')\n");
  EXPECT_EQ(syntax.rfind("cannot load syntax.star: syntax.star:", 0), 0u) << syntax;
  EXPECT_TRUE(thread.frames().empty());
}

TEST_F(EvalTest, LoadWithoutHook) {
  EXPECT_EQ(message("load('lib.star', 'a')\n"), "load not implemented by this application");
}

// --- builtins, backtraces ----------------------------------------------------------------------

Value boom_fn(Thread&, const BuiltinObj&, const Args&) { throw EvalError("boom: bad"); }

Value apply_fn(Thread& t, const BuiltinObj&, const Args& args) {
  return call_value(t, args.positional[0], Args{args.positional.subspan(1), {}});
}

TEST_F(EvalTest, BacktraceThroughStarlarkFrames) {
  EvalError e = error("\ndef f(x): return 1//x\ndef g(x): return f(x)\ng(0)\n");
  EXPECT_EQ(e.msg(), "floored division by zero");
  EXPECT_EQ(backtrace_text(e),
            "Traceback (most recent call last):\n"
            "  test.star:4:2: in <toplevel>\n"
            "  test.star:3:19: in g\n"
            "  test.star:2:19: in f\n"
            "Error: floored division by zero");
  EXPECT_EQ(render_eval_error(e),
            "test.star:2:19: floored division by zero\n"
            "  def f(x): return 1//x\n"
            "                    ^\n" +
                backtrace_text(e));
}

TEST_F(EvalTest, BacktraceNamesTheFailingBuiltin) {
  predeclared.emplace_back("boom", make_builtin("boom", boom_fn));
  EvalError e = error("def f():\n    boom()\nf()\n");
  ASSERT_EQ(e.backtrace().size(), 3u);
  EXPECT_EQ(e.backtrace()[2].name, "boom");
  EXPECT_FALSE(e.backtrace()[2].file);
  EXPECT_EQ(backtrace_text(e),
            "Traceback (most recent call last):\n"
            "  test.star:3:2: in <toplevel>\n"
            "  test.star:2:9: in f\n"
            "Error in boom: boom: bad");
}

TEST_F(EvalTest, BacktraceThroughABuiltinCallingBack) {
  predeclared.emplace_back("apply", make_builtin("apply", apply_fn));
  EvalError e = error("def g(x):\n    return 1 // x\napply(g, 0)\n");
  EXPECT_EQ(backtrace_text(e),
            "Traceback (most recent call last):\n"
            "  test.star:3:6: in <toplevel>\n"
            "  <builtin>: in apply\n"
            "  test.star:2:14: in g\n"
            "Error: floored division by zero");
  EXPECT_EQ(repr(run("def g(x):\n    return x + 1\nr = apply(g, 1)\n").as<ModuleObj>()->global("r")), "2");
}

TEST_F(EvalTest, BacktraceOfAMethodCall) {
  EvalError e = error("x = [1]\nx.index(5)\n");
  ASSERT_EQ(e.backtrace().size(), 2u);
  EXPECT_EQ(e.backtrace()[0].pos, (Pos{2, 8}));
  EXPECT_EQ(e.backtrace()[1].name, "index");
}

TEST_F(EvalTest, ErrorPositions) {
  EXPECT_EQ(error("x = 1\ny = x + 'a'\n").backtrace().back().pos, (Pos{2, 7}));
  EXPECT_EQ(error("x = [1]\ny = x[5]\n").backtrace().back().pos, (Pos{2, 6}));
  EXPECT_EQ(error("x = 1\ny = x.nope\n").backtrace().back().pos, (Pos{2, 6}));
  EXPECT_EQ(error("x = 1\ny = -'a'\n").backtrace().back().pos, (Pos{2, 5}));
  EXPECT_EQ(error("x = {}\ny = {[]: 1}\n").backtrace().back().pos, (Pos{2, 8}));
}

TEST_F(EvalTest, PrintGoesToTheThreadHook) {
  run("print('hello', 1)\n");
  EXPECT_EQ(printed, "hello 1\n");
}

TEST_F(EvalTest, NoLeakOfFramesAfterErrors) {
  error("def f():\n    return 1 // 0\nf()\n");
  EXPECT_TRUE(thread.frames().empty());
}

// --- programs --------------------------------------------------------------------------------------

TEST_F(EvalTest, ProgramCanBeExecutedTwiceWithDifferentPredeclared) {
  StringDict pre1 = {{"x", Value::from_int(2)}};
  auto program = interp.compile("repeat.star", "y = 2 * x\n", Dialect::spec(), pre1);
  Value m1 = interp.exec(thread, program, pre1, "repeat.star");
  StringDict pre2 = {{"x", Value::from_int(21)}};
  Value m2 = interp.exec(thread, program, pre2, "repeat.star");
  EXPECT_EQ(repr(m1.as<ModuleObj>()->global("y")), "4");
  EXPECT_EQ(repr(m2.as<ModuleObj>()->global("y")), "42");
}

TEST_F(EvalTest, SourceErrorsComeFromCompile) {
  EXPECT_THROW(run("x = servce\n"), SourceErrors);
  EXPECT_THROW(run("x = (\n"), SourceErrors);
}

TEST_F(EvalTest, UniversalNamesResolve) {
  EXPECT_EQ(global("r = (len([1, 2]), type(None), str(1))\n", "r"), "(2, \"NoneType\", \"1\")");
  EXPECT_EQ(repr(interp.universal("len")), "<built-in function len>");
  EXPECT_TRUE(interp.universal("nope").is_absent());
}

}  // namespace
}  // namespace faultbox::star
