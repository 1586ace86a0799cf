// Fiber: switching in and out, exceptions carried out to the resumer, the
// guarded stack's bounds, unwinding a suspended fiber, and the Starlark
// evaluator's stack check measuring the fiber's own stack. These run in the
// ASan build too (BOOST_USE_UCONTEXT + BOOST_USE_ASAN), where a switch that
// ASan was not told about shows up as an error.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/Fiber.h"
#include "spec/eval/Error.h"
#include "spec/eval/Interpreter.h"
#include "spec/eval/Thread.h"

using faultbox::engine::Fiber;

namespace {

struct Tracked {
  int& live;
  explicit Tracked(int& l) : live(l) { ++live; }
  ~Tracked() { --live; }
};

class FiberFailure : public std::runtime_error {
 public:
  FiberFailure(std::string what, int code) : std::runtime_error(std::move(what)), code(code) {}
  int code;
};

TEST(Fiber, BodyRunsAtFirstResumeAndInterleavesWithTheResumer) {
  std::vector<std::string> log;
  Fiber* self = nullptr;
  Fiber f([&] {
    log.push_back("fiber 1");
    self->suspend();
    log.push_back("fiber 2");
    self->suspend();
    log.push_back("fiber 3");
  });
  self = &f;
  EXPECT_FALSE(f.started());
  log.push_back("main 1");
  f.resume();
  EXPECT_TRUE(f.started());
  EXPECT_FALSE(f.finished());
  EXPECT_FALSE(f.running());
  log.push_back("main 2");
  f.resume();
  log.push_back("main 3");
  f.resume();
  EXPECT_TRUE(f.finished());
  EXPECT_EQ(log, (std::vector<std::string>{"main 1", "fiber 1", "main 2", "fiber 2", "main 3", "fiber 3"}));
}

TEST(Fiber, ExceptionThrownOnTheFiberComesOutOfResumeWithItsType) {
  Fiber* self = nullptr;
  int live = 0;
  Fiber f([&] {
    Tracked t(live);
    self->suspend();
    throw FiberFailure("boom on the fiber", 42);
  });
  self = &f;
  f.resume();
  EXPECT_EQ(live, 1);
  try {
    f.resume();
    FAIL() << "resume() must rethrow the body's exception";
  } catch (const FiberFailure& e) {
    EXPECT_STREQ(e.what(), "boom on the fiber");
    EXPECT_EQ(e.code, 42);
  }
  EXPECT_TRUE(f.finished());
  EXPECT_EQ(live, 0) << "the fiber's stack objects are destroyed as the exception leaves the body";
  EXPECT_THROW(f.resume(), std::logic_error) << "a finished fiber cannot be resumed";
}

TEST(Fiber, ExceptionCaughtOnTheFiberAcrossASuspendStaysThere) {
  Fiber* self = nullptr;
  std::string caught;
  Fiber f([&] {
    try {
      self->suspend();
      throw std::runtime_error("inside");
    } catch (const std::runtime_error& e) {
      caught = e.what();
    }
    self->suspend();
  });
  self = &f;
  f.resume();
  // The main context throws and catches one of its own meanwhile.
  try {
    throw std::runtime_error("outside");
  } catch (const std::runtime_error&) {
  }
  EXPECT_NO_THROW(f.resume());
  EXPECT_EQ(caught, "inside");
  EXPECT_NO_THROW(f.resume());
  EXPECT_TRUE(f.finished());
}

TEST(Fiber, ANeverStartedFiberIsDroppedWithoutRunningItsBody) {
  bool ran = false;
  { Fiber f([&] { ran = true; }); }
  EXPECT_FALSE(ran);
}

TEST(Fiber, DestroyingASuspendedFiberUnwindsItsStack) {
  int live = 0;
  bool after_suspend = false;
  {
    Fiber* self = nullptr;
    auto f = std::make_unique<Fiber>([&] {
      Tracked a(live);
      {
        Tracked b(live);
        self->suspend();
        after_suspend = true;
      }
    });
    self = f.get();
    f->resume();
    EXPECT_EQ(live, 2);
  }
  EXPECT_EQ(live, 0) << "forced unwinding destroys what the suspended fiber had on its stack";
  EXPECT_FALSE(after_suspend) << "the body does not go on past its suspension point";
}

TEST(Fiber, SuspendFromOutsideIsAnError) {
  Fiber f([] {});
  EXPECT_THROW(f.suspend(), std::logic_error);
  f.resume();
}

TEST(Fiber, StackBoundsContainTheBodysFrames) {
  const char* local_address = nullptr;
  Fiber f([&] {
    char here = 0;
    local_address = &here;
  });
  f.resume();
  ASSERT_NE(local_address, nullptr);
  EXPECT_GE(local_address, f.stack_lo());
  EXPECT_LT(local_address, f.stack_hi());
  EXPECT_GE(static_cast<size_t>(f.stack_hi() - f.stack_lo()), Fiber::kDefaultStackSize)
      << "the usable stack is the requested size (the guard page comes on top)";
}

TEST(Fiber, DeepRecursionOnTheFiberUsesItsLargeStack) {
  // ~4 MiB of frames: more than a default 2 MiB thread stack would hold
  // without a guard, well within the fiber's 8 MiB.
  std::function<int(int)> dive = [&](int n) -> int {
    volatile char pad[4096];
    pad[0] = static_cast<char>(n);
    return n == 0 ? pad[0] : dive(n - 1) + (pad[0] & 0);
  };
  int result = -1;
  Fiber f([&] { result = dive(1000); });
  f.resume();
  EXPECT_TRUE(f.finished());
  EXPECT_EQ(result, 0);
}

// The evaluator's stack check must measure the fiber's stack: with the
// Thread bound to it, runaway recursion on the fiber ends in the Starlark
// error, not a crash on the guard page.
TEST(Fiber, StarlarkRecursionHitsTheStackCheckOnTheFiber) {
  faultbox::star::Interpreter interp;
  faultbox::star::Dialect dialect;
  dialect.recursion = true;
  std::string message;
  Fiber* self = nullptr;
  Fiber f([&] {
    faultbox::star::Thread t(interp.heap(), "test");
    t.set_stack_bounds(self->stack_lo(), self->stack_hi());
    try {
      interp.exec_file(t, "deep.star", "def f(n):\n    return f(n + 1)\n\nf(0)\n", dialect, {});
    } catch (const faultbox::star::EvalError& e) {
      message = e.msg();
    }
  });
  self = &f;
  f.resume();
  EXPECT_TRUE(f.finished());
  EXPECT_EQ(message, "Starlark stack overflow");
}

TEST(Fiber, StarlarkErrorThrownOnTheFiberReachesTheResumer) {
  faultbox::star::Interpreter interp;
  Fiber* self = nullptr;
  Fiber f([&] {
    faultbox::star::Thread t(interp.heap(), "test");
    t.set_stack_bounds(self->stack_lo(), self->stack_hi());
    interp.exec_file(t, "fail.star", "x = 1\ny = x + \"a\"\n", faultbox::star::Dialect{}, {});
  });
  self = &f;
  try {
    f.resume();
    FAIL() << "the evaluation error must come out of resume()";
  } catch (const faultbox::star::EvalError& e) {
    EXPECT_NE(e.msg().find("unknown binary op"), std::string::npos) << e.msg();
  }
}

}  // namespace
