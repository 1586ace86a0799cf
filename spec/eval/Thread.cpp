// The thread's call stack snapshot, its stack-depth guard and its step budget.
#include "spec/eval/Thread.h"

#include <pthread.h>

#include <cstddef>
#include <string>

#include "spec/eval/Function.h"

namespace faultbox::star {

std::vector<CallFrame> Thread::call_stack() const {
  std::vector<CallFrame> out;
  out.reserve(frames_.size());
  for (const Frame& f : frames_) {
    CallFrame cf;
    cf.pos = f.pos;
    cf.file = f.file;
    if (f.callable) {
      cf.name = f.callable->name();
      // A Starlark frame's file does not own the File (see FunctionObj);
      // the snapshot, which may outlive the program, takes a real reference.
      if (f.callable->kind() == ObjKind::Function)
        cf.file = static_cast<const FunctionObj*>(f.callable)->program().file;
    }
    out.push_back(std::move(cf));
  }
  return out;
}

void Thread::check_stack() const {
  if (!stack_lo_) {
    // The calling OS thread's stack. (A fiber sets its own bounds.)
    pthread_attr_t attr;
    void* addr = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &addr, &size);
      pthread_attr_destroy(&attr);
    }
    if (!addr || size == 0) {
      // Unknown: an empty range no address falls in, so checks pass (and
      // the lookup is not repeated on every call).
      stack_lo_ = reinterpret_cast<const char*>(1);
      stack_hi_ = nullptr;
      return;
    }
    const char* hi = static_cast<const char*>(addr) + size;
    // An unlimited main-thread stack reports a huge size; be conservative.
    constexpr size_t kMaxAssumed = size_t{64} << 20;
    if (size > kMaxAssumed) size = kMaxAssumed;
    stack_hi_ = hi;
    stack_lo_ = hi - size;
  }
  // Stacks grow down: what is left is the distance to the low end.
  const char* sp = static_cast<const char*>(__builtin_frame_address(0));
  if (sp < stack_lo_ || sp > stack_hi_) return;  // not the stack we know (a fiber without bounds)
  if (sp < stack_lo_ + stack_reserve) throw EvalError("Starlark stack overflow");
}

void Thread::too_many_steps() const {
  std::string reason = cancel_reason_.empty() ? std::string("too many steps") : cancel_reason_;
  throw CancelledError("Starlark computation cancelled: " + reason);
}

}  // namespace faultbox::star
