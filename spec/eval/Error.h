// Runtime errors. Everything that fails during evaluation throws EvalError
// with the bare message in starlark-go's wording; the evaluator records the
// Starlark call stack at the innermost frame the error passes through, so
// the message can be rendered as file:line:col, the source line, a caret
// and a backtrace (Render.h).
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "spec/syntax/Ast.h"

namespace faultbox::star {

// One frame of a backtrace: the function and the position of the call or
// operation in progress inside it.
struct CallFrame {
  std::string name;                   // "<toplevel>", function name, or builtin name
  std::shared_ptr<const File> file;   // null for builtins
  Pos pos;
  std::string path() const { return file ? file->path : std::string(); }
};

class EvalError : public std::exception {
 public:
  explicit EvalError(std::string msg) : msg_(std::move(msg)) {}
  const char* what() const noexcept override { return msg_.c_str(); }
  const std::string& msg() const { return msg_; }
  void set_msg(std::string m) { msg_ = std::move(m); }

  // Outermost frame first; the last frame is where the error happened.
  const std::vector<CallFrame>& backtrace() const { return backtrace_; }
  bool has_backtrace() const { return captured_; }
  void set_backtrace(std::vector<CallFrame> frames) {
    backtrace_ = std::move(frames);
    captured_ = true;
  }

 private:
  std::string msg_;
  std::vector<CallFrame> backtrace_;
  bool captured_ = false;
};

// Thrown by Object::attr / Object::set_attr overrides for a missing field when
// they want their own wording ("no .x field"); get_attr/set_attr (Ops.h) then
// append the spelling hint " (did you mean .y?)" as starlark-go does.
class NoSuchAttrError : public EvalError {
 public:
  using EvalError::EvalError;
};

// Thrown (as EvalError) when a thread is cancelled or exceeds its step budget;
// catch EvalError to handle both.
class CancelledError : public EvalError {
 public:
  using EvalError::EvalError;
};

}  // namespace faultbox::star
