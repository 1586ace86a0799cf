// The driver of one test run (issue 4, item 2): the test body and its
// parallel() branches, each on its own Fiber, all on the thread that owns
// the run's EventLoop (DESIGN.md §1). A fiber runs until it blocks — on a
// step's response (wait_until), on the step gate (before_step), on its
// branches (run_branches) — and then the main context goes on: it pumps the
// loop and resumes whichever fiber can proceed. Nothing runs concurrently,
// so "every fiber is blocked" is a fact the scheduler can read (all_blocked).
//
// Fiber names are the actors of the trace: the body is "test"; the branches
// of a parallel() called on fiber F are "F/1", "F/2", … in argument order
// (the names come from the vocabulary: star::ParallelBranch::actor). So a
// parallel() nested in branch "test/1" has branches "test/1/1", "test/1/2".
// Names are unique among live fibers only: the branches of a parallel() end
// before it returns, and a later parallel() on the same fiber reuses the
// names. Whenever several fibers can run, they run in name order ("test" <
// "test/1" < "test/1/1" < "test/2" < "test/10"), so a free run is as
// deterministic as the services let it be.
//
// Two modes:
//   - free (no gate): before_step returns at once; run_test pumps the loop
//     and resumes ready fibers itself;
//   - serialized (set_gate(true)): a fiber about to start a step suspends in
//     before_step with its StepIntent; it is an event of the scheduler's
//     enabled set until release_step lets it go. run_test then hands every
//     loop step to the scheduler's pump.
//
// Abandoning a run (SIGINT, a pump that throws): every fiber is resumed with
// the reason thrown out of its wait, so each unwinds through its own code
// (steps cancel their requests, fault() removes its rules) before run_test
// rethrows — no fiber is left suspended with live objects on its stack.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/EventLoop.h"
#include "engine/Fiber.h"

namespace faultbox::star {
class Thread;
}

namespace faultbox::engine {

// A step a fiber is about to start, as the scheduler and the trace name it.
struct StepIntent {
  std::string method;  // "GET", "POST", …; "SEND" for a tcp interface's send()
  std::string target;  // "api.http": service.interface
  std::string path;    // "/cart"; "" for tcp
  std::string at;      // the spec's call site, "faultbox.star:12:9"
  // "POST api.http /cart", "SEND echo.main"
  std::string text() const;
};

// Orders fiber names as the tree they form, numbers numerically:
// "test" < "test/1" < "test/1/1" < "test/2" < "test/10".
struct FiberNameOrder {
  bool operator()(const std::string& a, const std::string& b) const;
};

class Driver {
 public:
  enum class FiberState {
    Runnable,   // not started yet, or its wait is satisfied: resume_ready() runs it
    Waiting,    // waits for an event (a response, a timer, its branches)
    WantsStep,  // suspended in before_step until release_step (serialized mode)
    Done,       // its body ended (its branches' records stay until the parallel() returns)
  };
  struct FiberInfo {
    std::string name;
    FiberState state = FiberState::Runnable;
    std::optional<StepIntent> step;  // the pending step of a WantsStep fiber
  };
  struct Branch {
    std::string name;            // "test/1"
    std::function<void()> body;  // runs on the branch's fiber
  };
  struct StackBounds {
    const char* lo = nullptr;
    const char* hi = nullptr;
  };
  // One step of the main loop in serialized mode (see run_test).
  using Pump = std::function<void()>;

  static constexpr const char* kTestFiber = "test";

  // `check_interrupt` runs on the main context before every loop step and
  // throws to abandon the test (faultbox test passes one that throws
  // engine::Interrupted once SIGINT/SIGTERM arrived). `loop` must outlive
  // the driver; destroy the driver before the Run whose loop it is.
  explicit Driver(EventLoop& loop, std::function<void()> check_interrupt = {},
                  size_t stack_size = Fiber::kDefaultStackSize);
  // Abandons fibers still alive (only after a misuse: run_test ends them).
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // --- the main context ------------------------------------------------------
  // Runs `body` on the fiber "test" until it and its branches end, then
  // rethrows whatever the body threw. Without `pump` (free mode) each loop
  // step is: resume_ready(), then one EventLoop iteration (at most 100 ms).
  // With `pump` (serialized mode) each step is check_interrupt then pump();
  // the pump owns resuming fibers (resume_ready, release_step) — even the
  // first start of "test". If check_interrupt or the pump throws, every
  // fiber is abandoned with that exception and run_test rethrows it.
  void run_test(const std::function<void()>& body, const Pump& pump = {});

  // Every fiber in name order with its state.
  std::vector<FiberInfo> fibers() const;
  // Resumes every Runnable fiber in name order, each until it blocks again,
  // and repeats until none is Runnable (a branch's end can make its parent
  // runnable). Returns how many resumptions there were.
  int resume_ready();
  // Lets `name`'s pending step start; the fiber runs until it blocks again
  // (typically on the step's response). std::logic_error if `name` has no
  // pending step.
  void release_step(const std::string& name);
  // No fiber can run without an event (a response, a timer, a release).
  bool all_blocked() const;
  // The test body's fiber has ended (true before run_test, too).
  bool finished() const;
  // Serialized mode: steps wait in before_step for release_step. Turning
  // the gate off lets pending steps go at the next resume_ready().
  void set_gate(bool serialized) { gated_ = serialized; }
  bool gated() const { return gated_; }
  // Ends every fiber: each is resumed and `why` is thrown out of its wait
  // (a fiber that never started ends without running its body). A fiber
  // waiting for its branches waits until they ended, because they use its
  // stack. Returns when all are Done. run_test calls it; a scheduler may too.
  void cancel_all(std::exception_ptr why);

  // --- inside a fiber (std::logic_error from the main context) ---------------
  // Suspends until `ready()` is true or `deadline` passed; false on the
  // deadline. Returns at once when ready() already holds. `ready` is
  // evaluated from the main context after loop iterations: it must be cheap
  // and must not change anything. Throws the cancel reason when the run is
  // abandoned.
  bool wait_until(const std::function<bool()>& ready,
                  std::optional<EventLoop::Clock::time_point> deadline = std::nullopt);
  // Before a step starts. Without the gate, returns at once; with it, the
  // fiber waits (WantsStep, `what` pending) until release_step. Throws the
  // cancel reason when the run is abandoned.
  void before_step(const StepIntent& what);
  // Runs each branch on its own new fiber, a child of the calling one, and
  // waits until every branch ended — a failing branch does not stop the
  // others. Returns each branch's exception (null when its body returned),
  // in argument order. When the run is abandoned meanwhile, throws the
  // cancel reason instead, once every branch ended.
  std::vector<std::exception_ptr> run_branches(std::vector<Branch> branches);

  bool in_fiber() const { return current_ != nullptr; }
  // The running fiber's name ("test/2").
  const std::string& current_name() const;
  // The running fiber's usable stack.
  StackBounds current_stack() const;
  // Points `t`'s stack-depth check at the running fiber's stack: a Thread
  // evaluating on a fiber must measure that stack, not the OS thread's.
  void bind_stack(star::Thread& t) const;

 private:
  enum class Block { Fresh, Running, Wait, Step, Join, Done };
  struct Record {
    std::string name;
    std::unique_ptr<Fiber> fiber;
    Block block = Block::Fresh;
    std::function<bool()> ready;     // Wait, Join
    std::optional<StepIntent> step;  // Step
    bool released = false;           // Step: release_step let it go
    bool cancelled = false;
    std::exception_ptr error;  // what the body threw, once Done
  };

  Record& spawn(const std::string& name, std::function<void()> body);
  Record& running(const char* what) const;
  void main_context(const char* what) const;
  bool can_run(const Record& r) const;
  void resume(Record& r);
  void throw_if_cancelled(const Record& r) const;
  // Suspends the running fiber in `block` until resumed; restores Running
  // (also when unwinding).
  void block_on(Record& me, Block block);

  EventLoop& loop_;
  std::function<void()> check_interrupt_;
  size_t stack_size_;
  std::map<std::string, std::unique_ptr<Record>, FiberNameOrder> fibers_;
  Record* current_ = nullptr;  // the running fiber; null on the main context
  Record* root_ = nullptr;     // "test", while run_test runs
  bool gated_ = false;
  std::exception_ptr cancel_;  // set by cancel_all
};

}  // namespace faultbox::engine
