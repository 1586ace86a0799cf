// One Boost.Context fiber (DESIGN.md §1, §9): a test body or a parallel()
// branch runs on it, on the event-loop thread, and suspends while a step
// waits for its response; the loop and the other fibers go on meanwhile.
//
// The stack is large and guarded (8 MiB, a PROT_NONE page below it): the
// Starlark evaluator recurses on it and libcurl's callbacks run deep, and an
// overflow must fault at once rather than write over a neighbour. The
// evaluator's own depth check (star::Thread::check_stack) measures this
// stack through stack_lo()/stack_hi().
//
// Exceptions never cross a context switch: whatever the body throws is
// caught on the fiber, carried out, and rethrown by the resume() that saw
// the body end. Boost's forced_unwind (destroying a suspended fiber) is the
// one exception let through, to Boost's own handler at the fiber's base.
//
// Under ASan the build defines BOOST_USE_UCONTEXT and BOOST_USE_ASAN, so
// every switch tells ASan which stack is current; FiberUcontext.cpp supplies
// the piece of Boost's ucontext backend that Debian's library lacks.
//
// Single-threaded: resume() and suspend() are called on the thread that
// made the fiber.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>

namespace faultbox::engine {

class Fiber {
 public:
  static constexpr size_t kDefaultStackSize = size_t{8} << 20;

  // Allocates the stack; the body runs at the first resume(). Throws
  // std::bad_alloc when the stack cannot be mapped.
  explicit Fiber(std::function<void()> body, size_t stack_size = kDefaultStackSize);
  // A fiber that never started is dropped without running its body. A
  // suspended one is unwound (Boost's forced_unwind): every object on its
  // stack is destroyed before the stack is freed. Owners should rather end
  // their fibers themselves (Driver does), so that unwinding runs on their
  // terms; this is the safety net.
  ~Fiber();
  // The body captures `this`: neither copied nor moved.
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // From outside the fiber: runs it until it suspends or its body ends.
  // When the body ended by throwing, rethrows that exception here (once).
  // std::logic_error when the fiber is running or finished.
  void resume();
  // From inside the fiber: back to whoever resumed it; returns at the next
  // resume(). std::logic_error when called from outside.
  void suspend();

  bool started() const { return started_; }
  bool running() const { return running_; }
  bool finished() const { return finished_; }

  // The usable stack: [stack_lo, stack_hi), the guard page below lo.
  const char* stack_lo() const { return stack_lo_; }
  const char* stack_hi() const { return stack_hi_; }

 private:
  struct Contexts;  // Boost's handles, kept out of this header

  std::function<void()> body_;
  std::unique_ptr<Contexts> contexts_;
  std::exception_ptr error_;
  const char* stack_lo_ = nullptr;
  const char* stack_hi_ = nullptr;
  bool started_ = false;
  bool running_ = false;
  bool finished_ = false;
  bool abandoned_ = false;  // destroyed before it started: skip the body
};

}  // namespace faultbox::engine
