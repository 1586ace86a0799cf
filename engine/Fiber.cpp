#include "engine/Fiber.h"

#include <boost/context/fiber.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <boost/context/stack_traits.hpp>

#include <stdexcept>
#include <utility>

namespace faultbox::engine {

namespace ctx = boost::context;

struct Fiber::Contexts {
  ctx::fiber self;    // the fiber, while it is not running
  ctx::fiber caller;  // whoever resumed it, while it runs
};

namespace {

// protected_fixedsize_stack that reports where it put the stack, so the
// evaluator's depth check can measure it. Boost keeps a copy in the fiber's
// control record for deallocate(); `out` is only written by allocate().
class RecordingStack {
 public:
  RecordingStack(size_t size, ctx::stack_context* out) : inner_(size), out_(out) {}
  ctx::stack_context allocate() {
    ctx::stack_context s = inner_.allocate();
    *out_ = s;
    return s;
  }
  void deallocate(ctx::stack_context& s) noexcept { inner_.deallocate(s); }

 private:
  ctx::protected_fixedsize_stack inner_;
  ctx::stack_context* out_;
};

}  // namespace

Fiber::Fiber(std::function<void()> body, size_t stack_size)
    : body_(std::move(body)), contexts_(std::make_unique<Contexts>()) {
  ctx::stack_context stack;
  contexts_->self = ctx::fiber(std::allocator_arg, RecordingStack(stack_size, &stack), [this](ctx::fiber&& caller) {
    contexts_->caller = std::move(caller);
    if (!abandoned_) {
      try {
        body_();
      } catch (const ctx::detail::forced_unwind&) {
        // The fiber is being destroyed while suspended: Boost's handler at
        // the fiber's base must see this to switch back cleanly.
        throw;
      } catch (...) {
        error_ = std::current_exception();
      }
    }
    finished_ = true;
    return std::move(contexts_->caller);
  });
  // Stacks grow down from sp; the lowest page of the mapping is the guard.
  stack_hi_ = static_cast<const char*>(stack.sp);
  stack_lo_ = stack_hi_ - stack.size + ctx::stack_traits::page_size();
}

Fiber::~Fiber() {
  if (!contexts_->self) return;  // finished
  if (!started_) {
    // Entering a fresh fiber is the only way to release it on every Boost
    // backend (ucontext would otherwise run the body during destruction);
    // with abandoned_ set the body is skipped.
    abandoned_ = true;
    contexts_->self = std::move(contexts_->self).resume();
    return;
  }
  // Suspended mid-body: Boost resumes it with forced_unwind, which unwinds
  // its stack (destructors run) before the stack is unmapped.
  contexts_->self = ctx::fiber();
}

void Fiber::resume() {
  if (running_) throw std::logic_error("Fiber::resume: the fiber is already running");
  if (finished_) throw std::logic_error("Fiber::resume: the fiber has finished");
  started_ = true;
  running_ = true;
  contexts_->self = std::move(contexts_->self).resume();
  running_ = false;
  if (finished_ && error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void Fiber::suspend() {
  if (!running_) throw std::logic_error("Fiber::suspend: called from outside the fiber");
  contexts_->caller = std::move(contexts_->caller).resume();
}

}  // namespace faultbox::engine
