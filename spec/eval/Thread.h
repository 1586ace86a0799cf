// A Thread is the state of one flow of evaluation: its call stack, its hooks
// (print, load), its limits (stack depth measured on the current fiber's own
// stack, a step budget for bounded evaluation) and a slot for the host. Never
// thread_local: a fiber owns its Thread and passes it everywhere, so a
// builtin may suspend its fiber and another Thread runs meanwhile.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "spec/eval/Error.h"
#include "spec/eval/Heap.h"
#include "spec/eval/Value.h"

namespace faultbox::star {

// A live frame. `callable` is the Function or Builtin being run (borrowed:
// the caller keeps it alive); `pos` is updated by the evaluator to the
// operation in progress.
struct Frame {
  const Object* callable = nullptr;
  // Null for builtins. For Starlark frames it does not own the File (no
  // refcounting per call; the callable keeps it alive): use it while the
  // frame is live, or take call_stack(), whose CallFrames own theirs.
  std::shared_ptr<const File> file;
  Pos pos;
};

class Thread {
 public:
  Thread(Heap& heap, std::string name) : heap_(heap), name_(std::move(name)) {}
  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;

  Heap& heap() const { return heap_; }
  const std::string& name() const { return name_; }

  // print(): default writes msg and '\n' to stdout.
  std::function<void(Thread&, std::string_view msg)> print;
  // load(module): returns a Module value or throws EvalError. `from` is the
  // path of the loading file (loads resolve relative to it).
  std::function<Value(Thread&, std::string_view module, const std::string& from)> load;

  // --- call stack ---
  std::vector<Frame>& frames() { return frames_; }
  const std::vector<Frame>& frames() const { return frames_; }
  // Snapshot for EvalError::set_backtrace (outermost first).
  std::vector<CallFrame> call_stack() const;

  // --- limits ---
  // The evaluator calls check_stack() on every Starlark call; it throws
  // EvalError("Starlark stack overflow") when fewer than `reserve` bytes of
  // the current stack remain. Bounds default to the calling OS thread's
  // stack; a fiber sets its own.
  void set_stack_bounds(const char* lo, const char* hi) {
    stack_lo_ = lo;
    stack_hi_ = hi;
  }
  void check_stack() const;
  size_t stack_reserve = 256 * 1024;

  // Bounded evaluation: every loop iteration and call counts one step; past
  // max_steps (0 = unlimited) the thread is cancelled with
  // "Starlark computation cancelled: too many steps".
  uint64_t steps = 0;
  uint64_t max_steps = 0;
  void add_step() {
    if (++steps > max_steps && max_steps != 0) too_many_steps();
  }
  // Cancellation from the host (e.g. SIGINT): the evaluator checks it with steps.
  void cancel(std::string reason) { cancel_reason_ = std::move(reason); max_steps = 1; steps = 2; }

  // Opaque slot for the embedding host (the Faultbox SpecHost context).
  void* host_data = nullptr;

 private:
  [[noreturn]] void too_many_steps() const;

  Heap& heap_;
  std::string name_;
  std::vector<Frame> frames_;
  // Found lazily (pthread_getattr_np) by check_stack when not set.
  mutable const char* stack_lo_ = nullptr;
  mutable const char* stack_hi_ = nullptr;
  std::string cancel_reason_;
};

}  // namespace faultbox::star
