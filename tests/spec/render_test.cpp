// Rendering of syntax/resolve errors and runtime errors for users:
// file:line:col, the source line, a caret, and the starlark-go backtrace.
#include "spec/eval/Render.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace faultbox::star {
namespace {

std::shared_ptr<File> file_with(const std::string& path, const std::string& source) {
  auto f = std::make_shared<File>();
  f->path = path;
  f->source = source;
  return f;
}

TEST(SourceExcerpt, CaretUnderColumn) {
  EXPECT_EQ(source_excerpt("x = 1\ny = servce(2)\n", Pos{2, 5}), "  y = servce(2)\n      ^\n");
  EXPECT_EQ(source_excerpt("abc", Pos{1, 1}), "  abc\n  ^\n");
}

TEST(SourceExcerpt, TabsAreKeptSoTheCaretLinesUp) {
  EXPECT_EQ(source_excerpt("def f():\n\treturn 1//0\n", Pos{2, 10}), "  \treturn 1//0\n  \t        ^\n");
}

TEST(SourceExcerpt, ColumnsCountCodePoints) {
  // "é" is two bytes but one column.
  EXPECT_EQ(source_excerpt("s = \"é\" + 1\n", Pos{1, 9}), "  s = \"é\" + 1\n          ^\n");
}

TEST(SourceExcerpt, CarriageReturnIsDropped) {
  EXPECT_EQ(source_excerpt("a = 1\r\nb = 2\r\n", Pos{1, 3}), "  a = 1\n    ^\n");
}

TEST(SourceExcerpt, MissingLineOrPositionGivesNothing) {
  EXPECT_EQ(source_excerpt("x = 1\n", Pos{5, 1}), "");
  EXPECT_EQ(source_excerpt("x = 1\n", Pos{}), "");
}

TEST(SourceExcerpt, ColumnPastTheEndOfLine) {
  // An error at end of line (e.g. "got newline, want ')'") points just past the text.
  EXPECT_EQ(source_excerpt("f(1\n", Pos{1, 4}), "  f(1\n     ^\n");
}

TEST(RenderSourceErrors, EveryErrorWithLineAndCaret) {
  SourceErrors e({SourceError{"spec.star", Pos{2, 1}, "undefined: servce (did you mean service?)"},
                  SourceError{"spec.star", Pos{3, 5}, "undefined: y"}},
                 "x = 1\nservce(\"api\")\nz = y\n");
  EXPECT_EQ(render_source_errors(e),
            "spec.star:2:1: undefined: servce (did you mean service?)\n"
            "  servce(\"api\")\n"
            "  ^\n"
            "spec.star:3:5: undefined: y\n"
            "  z = y\n"
            "      ^");
}

TEST(RenderEvalError, LocationExcerptAndBacktrace) {
  auto file = file_with("crash.star", "\ndef f(x): return 1//x\ndef g(x): return f(x)\ng(0)\n");
  EvalError e("floored division by zero");
  e.set_backtrace({CallFrame{"<toplevel>", file, Pos{4, 2}}, CallFrame{"g", file, Pos{3, 19}},
                   CallFrame{"f", file, Pos{2, 19}}});
  EXPECT_EQ(backtrace_text(e),
            "Traceback (most recent call last):\n"
            "  crash.star:4:2: in <toplevel>\n"
            "  crash.star:3:19: in g\n"
            "  crash.star:2:19: in f\n"
            "Error: floored division by zero");
  EXPECT_EQ(render_eval_error(e),
            "crash.star:2:19: floored division by zero\n"
            "  def f(x): return 1//x\n"
            "                    ^\n"
            "Traceback (most recent call last):\n"
            "  crash.star:4:2: in <toplevel>\n"
            "  crash.star:3:19: in g\n"
            "  crash.star:2:19: in f\n"
            "Error: floored division by zero");
}

TEST(RenderEvalError, InnermostBuiltinNamesTheError) {
  auto file = file_with("a.star", "def f():\n    fail(\"boom\")\nf()\n");
  EvalError e("fail: boom");
  e.set_backtrace({CallFrame{"<toplevel>", file, Pos{3, 2}}, CallFrame{"f", file, Pos{2, 9}},
                   CallFrame{"fail", nullptr, Pos{}}});
  EXPECT_EQ(render_eval_error(e),
            "a.star:2:9: fail: boom\n"
            "      fail(\"boom\")\n"
            "          ^\n"
            "Traceback (most recent call last):\n"
            "  a.star:3:2: in <toplevel>\n"
            "  a.star:2:9: in f\n"
            "Error in fail: fail: boom");
}

TEST(RenderEvalError, BuiltinInTheMiddleIsListed) {
  auto file = file_with("m.star", "def g(x): return 1//x\nmin([1], key=g)\n");
  EvalError e("floored division by zero");
  e.set_backtrace({CallFrame{"<toplevel>", file, Pos{2, 4}}, CallFrame{"min", nullptr, Pos{}},
                   CallFrame{"g", file, Pos{1, 19}}});
  EXPECT_EQ(backtrace_text(e),
            "Traceback (most recent call last):\n"
            "  m.star:2:4: in <toplevel>\n"
            "  <builtin>: in min\n"
            "  m.star:1:19: in g\n"
            "Error: floored division by zero");
}

TEST(RenderEvalError, RepeatedFramesAreCollapsed) {
  auto file = file_with("r.star", "def f(n):\n    return f(n + 1)\nf(0)\n");
  EvalError e("Starlark stack overflow");
  std::vector<CallFrame> frames{CallFrame{"<toplevel>", file, Pos{3, 2}}};
  for (int i = 0; i < 10; ++i) frames.push_back(CallFrame{"f", file, Pos{2, 13}});
  frames.push_back(CallFrame{"f", file, Pos{1, 1}});
  e.set_backtrace(frames);
  EXPECT_EQ(backtrace_text(e),
            "Traceback (most recent call last):\n"
            "  r.star:3:2: in <toplevel>\n"
            "  r.star:2:13: in f\n"
            "  r.star:2:13: in f\n"
            "  r.star:2:13: in f\n"
            "  r.star:2:13: in f\n"
            "  [previous line repeated 6 more times]\n"
            "  r.star:1:1: in f\n"
            "Error: Starlark stack overflow");
}

TEST(RenderEvalError, NoBacktrace) {
  EvalError e("load not implemented by this application");
  EXPECT_EQ(render_eval_error(e), "Error: load not implemented by this application");
}

}  // namespace
}  // namespace faultbox::star
