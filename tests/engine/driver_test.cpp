// Driver: the test body and its branches as fibers on a real EventLoop, with
// the loop's timers as the events that unblock them — wait_until, the step
// gate, branches in flight together with their outcomes in argument order,
// exceptions, abandoning a run — and EngineHost::parallel() running real
// Starlark branches on their own fibers.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/Driver.h"
#include "engine/EngineHost.h"
#include "engine/EventLoop.h"
#include "spec/eval/Error.h"
#include "spec/eval/Thread.h"
#include "spec/vocabulary/Spec.h"
#include "spec/vocabulary/Vocabulary.h"

using namespace faultbox::engine;
using namespace std::chrono_literals;

namespace {

struct Tracked {
  int& live;
  explicit Tracked(int& l) : live(l) { ++live; }
  ~Tracked() { --live; }
};

// What a SIGINT turns into in `faultbox test` (engine::Interrupted); a type
// of the test's own, so nothing else can be mistaken for it.
struct StopRequested : std::runtime_error {
  StopRequested() : std::runtime_error("stop requested") {}
};

std::string what_of(const std::exception_ptr& e) {
  if (!e) return "";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  }
  return "?";
}

// Suspends the calling fiber for about `d` (a loop timer is the event).
void sleep_on_fiber(Driver& driver, EventLoop& loop, EventLoop::Clock::duration d) {
  bool fired = false;
  EventLoop::TimerId id = loop.after(d, [&fired] { fired = true; });
  try {
    driver.wait_until([&] { return fired; });
  } catch (...) {
    loop.cancel(id);
    throw;
  }
}

Driver::FiberState state_of(const Driver& d, const std::string& name) {
  for (const auto& f : d.fibers())
    if (f.name == name) return f.state;
  ADD_FAILURE() << "no fiber " << name;
  return Driver::FiberState::Done;
}

TEST(FiberNameOrder, OrdersTheTreeWithNumbersNumerically) {
  std::vector<std::string> names = {"test/10", "test/2", "test/1/1", "test", "test/1", "test/9", "test/1/10",
                                    "test/1/2"};
  std::sort(names.begin(), names.end(), FiberNameOrder{});
  EXPECT_EQ(names, (std::vector<std::string>{"test", "test/1", "test/1/1", "test/1/2", "test/1/10", "test/2",
                                             "test/9", "test/10"}));
  FiberNameOrder less;
  EXPECT_FALSE(less("test", "test"));
  EXPECT_FALSE(less("test/1", "test"));
}

TEST(StepIntent, TextNamesMethodTargetAndPath) {
  EXPECT_EQ((StepIntent{"POST", "api.http", "/cart", ""}.text()), "POST api.http /cart");
  EXPECT_EQ((StepIntent{"SEND", "echo.main", "", ""}.text()), "SEND echo.main");
}

TEST(Driver, RunsTheBodyOnTheFiberNamedTest) {
  EventLoop loop;
  Driver d(loop);
  EXPECT_FALSE(d.in_fiber());
  std::string name;
  bool inside = false;
  const char* local = nullptr;
  Driver::StackBounds bounds;
  d.run_test([&] {
    inside = d.in_fiber();
    name = d.current_name();
    bounds = d.current_stack();
    char here = 0;
    local = &here;
  });
  EXPECT_TRUE(inside);
  EXPECT_EQ(name, "test");
  EXPECT_TRUE(local >= bounds.lo && local < bounds.hi) << "the body runs on the fiber's own stack";
  EXPECT_FALSE(d.in_fiber());
  EXPECT_TRUE(d.finished());
  EXPECT_TRUE(d.fibers().empty()) << "run_test removes its fibers when it returns";
}

TEST(Driver, TheBodysExceptionComesOutOfRunTestWithItsType) {
  EventLoop loop;
  Driver d(loop);
  int live = 0;
  EXPECT_THROW(d.run_test([&] {
    Tracked t(live);
    sleep_on_fiber(d, loop, 1ms);
    throw std::out_of_range("from the body");
  }),
               std::out_of_range);
  EXPECT_EQ(live, 0);
}

TEST(Driver, WaitUntilSuspendsTheFiberUntilATimerMakesItTrue) {
  EventLoop loop;
  Driver d(loop);
  std::vector<std::string> log;
  bool flag = false;
  d.run_test([&] {
    loop.after(5ms, [&] {
      // On the main context, while the body is suspended.
      log.push_back(std::string("timer: body ") +
                    (state_of(d, "test") == Driver::FiberState::Waiting ? "waiting" : "not waiting") +
                    (d.all_blocked() ? ", all blocked" : ""));
      flag = true;
      log.push_back(std::string("timer: body ") +
                    (state_of(d, "test") == Driver::FiberState::Runnable ? "runnable" : "not runnable"));
    });
    log.push_back("body: waits");
    EXPECT_TRUE(d.wait_until([&] { return flag; }));
    log.push_back("body: woke");
  });
  EXPECT_EQ(log, (std::vector<std::string>{"body: waits", "timer: body waiting, all blocked", "timer: body runnable",
                                           "body: woke"}));
}

TEST(Driver, WaitUntilReturnsFalseAtTheDeadline) {
  EventLoop loop;
  Driver d(loop);
  bool result = true;
  size_t timers_during_wait = 0;
  d.run_test([&] {
    loop.after(1ms, [&] { timers_during_wait = loop.pending_timers(); });
    result = d.wait_until([] { return false; }, EventLoop::Clock::now() + 20ms);
  });
  EXPECT_FALSE(result);
  EXPECT_EQ(timers_during_wait, 1u) << "the deadline is a loop timer while the fiber waits";
  EXPECT_EQ(loop.pending_timers(), 0u) << "and gone once the wait ended";
}

TEST(Driver, WaitUntilThatAlreadyHoldsDoesNotSuspend) {
  EventLoop loop;
  Driver d(loop);
  bool deferred_ran = false;
  bool ran_before_return = true;
  size_t timers = 99;
  d.run_test([&] {
    loop.defer([&] { deferred_ran = true; });
    EXPECT_TRUE(d.wait_until([] { return true; }, EventLoop::Clock::now() + 1s));
    ran_before_return = deferred_ran;  // a suspension would have let the loop run it
    timers = loop.pending_timers();
  });
  EXPECT_FALSE(ran_before_return);
  EXPECT_EQ(timers, 0u) << "no deadline timer left behind";
}

TEST(Driver, BranchesAreInFlightTogetherAndComeBackInArgumentOrder) {
  EventLoop loop;
  Driver d(loop);
  std::vector<std::string> log;
  std::vector<std::string> results(3);
  std::vector<std::exception_ptr> errors;
  d.run_test([&] {
    std::vector<Driver::Branch> branches;
    for (int i = 0; i < 3; ++i) {
      // Branch 1 waits longest: it ends last but is still result 0.
      branches.push_back({"test/" + std::to_string(i + 1), [&, i] {
                            log.push_back(d.current_name() + " starts");
                            sleep_on_fiber(d, loop, std::chrono::milliseconds(10 * (3 - i)));
                            log.push_back(d.current_name() + " ends");
                            results[i] = "result of branch " + std::to_string(i + 1);
                          }});
    }
    errors = d.run_branches(std::move(branches));
    log.push_back("test: branches done");
  });
  EXPECT_EQ(log, (std::vector<std::string>{"test/1 starts", "test/2 starts", "test/3 starts", "test/3 ends",
                                           "test/2 ends", "test/1 ends", "test: branches done"}));
  EXPECT_EQ(results,
            (std::vector<std::string>{"result of branch 1", "result of branch 2", "result of branch 3"}));
  ASSERT_EQ(errors.size(), 3u);
  for (const auto& e : errors) EXPECT_FALSE(e);
}

TEST(Driver, NestedBranchesAreNamedAfterTheirParentAndRunInNameOrder) {
  EventLoop loop;
  Driver d(loop);
  std::vector<std::string> first_runs;
  std::vector<std::string> seen_while_nested;
  d.run_test([&] {
    std::vector<Driver::Branch> outer;
    outer.push_back({"test/1", [&] {
                       first_runs.push_back(d.current_name());
                       std::vector<Driver::Branch> inner;
                       for (int k = 1; k <= 2; ++k)
                         inner.push_back({"test/1/" + std::to_string(k), [&] {
                                            first_runs.push_back(d.current_name());
                                            sleep_on_fiber(d, loop, 1ms);
                                          }});
                       d.run_branches(std::move(inner));
                     }});
    outer.push_back({"test/2", [&] {
                       first_runs.push_back(d.current_name());
                       sleep_on_fiber(d, loop, 3ms);
                       for (const auto& f : d.fibers()) seen_while_nested.push_back(f.name);
                     }});
    d.run_branches(std::move(outer));
  });
  // test/1 spawns its branches and waits; test/2 runs in the same pass; the
  // grandchildren start in the next pass.
  EXPECT_EQ(first_runs, (std::vector<std::string>{"test/1", "test/2", "test/1/1", "test/1/2"}));
  // By the time test/2 wakes, test/1's branches are gone (test/1 collected them).
  EXPECT_EQ(seen_while_nested, (std::vector<std::string>{"test", "test/1", "test/2"}));
}

TEST(Driver, ManyBranchesStartInNumericOrder) {
  EventLoop loop;
  Driver d(loop);
  std::vector<std::string> order;
  d.run_test([&] {
    std::vector<Driver::Branch> branches;
    for (int i = 1; i <= 12; ++i)
      branches.push_back({"test/" + std::to_string(i), [&] { order.push_back(d.current_name()); }});
    d.run_branches(std::move(branches));
  });
  std::vector<std::string> want;
  for (int i = 1; i <= 12; ++i) want.push_back("test/" + std::to_string(i));
  EXPECT_EQ(order, want);
}

TEST(Driver, AFailingBranchDoesNotStopTheOthersAndErrorsComeInArgumentOrder) {
  EventLoop loop;
  Driver d(loop);
  std::vector<std::exception_ptr> errors;
  std::vector<std::string> log;
  d.run_test([&] {
    std::vector<Driver::Branch> branches;
    branches.push_back({"test/1", [&] {
                          sleep_on_fiber(d, loop, 20ms);
                          log.push_back("test/1 fails");
                          throw std::runtime_error("branch one failed");
                        }});
    branches.push_back({"test/2", [&] {
                          log.push_back("test/2 fails");
                          throw std::runtime_error("branch two failed");
                        }});
    branches.push_back({"test/3", [&] {
                          sleep_on_fiber(d, loop, 10ms);
                          log.push_back("test/3 finishes");
                        }});
    errors = d.run_branches(std::move(branches));
  });
  EXPECT_EQ(log, (std::vector<std::string>{"test/2 fails", "test/3 finishes", "test/1 fails"}));
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(what_of(errors[0]), "branch one failed");
  EXPECT_EQ(what_of(errors[1]), "branch two failed");
  EXPECT_FALSE(errors[2]);
}

TEST(Driver, BeforeStepWithoutAGateReturnsAtOnce) {
  EventLoop loop;
  Driver d(loop);
  bool deferred_ran = false;
  bool ran_before_return = true;
  d.run_test([&] {
    loop.defer([&] { deferred_ran = true; });
    d.before_step({"GET", "api.http", "/", "spec.star:3:5"});
    ran_before_return = deferred_ran;
  });
  EXPECT_FALSE(d.gated());
  EXPECT_FALSE(ran_before_return) << "without a gate the fiber does not suspend";
}

TEST(Driver, GatedStepsStartInTheOrderTheSchedulerReleasesThem) {
  EventLoop loop;
  Driver d(loop);
  d.set_gate(true);
  std::vector<std::string> started;
  std::vector<std::string> first_pending;  // the intents of the first decision
  std::vector<std::string> releases;
  bool blocked_with_pending = false;
  // A scheduler that always picks the pending step with the highest name.
  auto pump = [&] {
    d.resume_ready();
    std::vector<Driver::FiberInfo> pending;
    for (const auto& f : d.fibers())
      if (f.state == Driver::FiberState::WantsStep) pending.push_back(f);
    if (pending.empty()) {
      loop.run_once(10ms);
      return;
    }
    if (first_pending.empty()) {
      for (const auto& p : pending) first_pending.push_back(p.name + ": " + p.step->text() + " at " + p.step->at);
      blocked_with_pending = d.all_blocked();
    }
    releases.push_back(pending.back().name);
    d.release_step(pending.back().name);
  };
  d.run_test(
      [&] {
        std::vector<Driver::Branch> branches;
        for (int i = 1; i <= 3; ++i)
          branches.push_back({"test/" + std::to_string(i), [&, i] {
                                d.before_step({"GET", "api.http", "/item/" + std::to_string(i),
                                               "spec.star:" + std::to_string(10 + i) + ":9"});
                                started.push_back(d.current_name());
                                sleep_on_fiber(d, loop, 1ms);  // the "response"
                              }});
        d.run_branches(std::move(branches));
      },
      pump);
  EXPECT_EQ(first_pending, (std::vector<std::string>{"test/1: GET api.http /item/1 at spec.star:11:9",
                                                     "test/2: GET api.http /item/2 at spec.star:12:9",
                                                     "test/3: GET api.http /item/3 at spec.star:13:9"}));
  EXPECT_TRUE(blocked_with_pending) << "fibers waiting for a release are blocked (the release is an event)";
  EXPECT_EQ(releases, (std::vector<std::string>{"test/3", "test/2", "test/1"}));
  EXPECT_EQ(started, releases) << "each step starts exactly when released";
}

TEST(Driver, ReleasingAFiberWithoutAPendingStepIsAnError) {
  EventLoop loop;
  Driver d(loop);
  EXPECT_THROW(d.release_step("test"), std::logic_error);
  d.set_gate(true);
  bool checked = false;
  d.run_test(
      [&] {
        sleep_on_fiber(d, loop, 1ms);
        d.before_step({"GET", "api.http", "/", ""});
      },
      [&] {
        d.resume_ready();
        auto fs = d.fibers();
        if (fs.size() == 1 && fs[0].state == Driver::FiberState::Waiting && !checked) {
          EXPECT_THROW(d.release_step("test"), std::logic_error) << "waiting, not at a step";
          checked = true;
        }
        if (fs.size() == 1 && fs[0].state == Driver::FiberState::WantsStep) d.release_step("test");
        else loop.run_once(5ms);
      });
  EXPECT_TRUE(checked);
}

TEST(Driver, TurningTheGateOffLetsPendingStepsGo) {
  EventLoop loop;
  Driver d(loop);
  d.set_gate(true);
  bool stepped = false;
  int pumps = 0;
  d.run_test(
      [&] {
        d.before_step({"GET", "api.http", "/", ""});
        stepped = true;
      },
             [&] {
               ++pumps;
               d.resume_ready();
               if (!d.finished()) {
                 ASSERT_EQ(d.fibers()[0].state, Driver::FiberState::WantsStep);
                 d.set_gate(false);
                 EXPECT_EQ(d.fibers()[0].state, Driver::FiberState::Runnable);
               }
             });
  EXPECT_TRUE(stepped);
  EXPECT_EQ(pumps, 2);
}

TEST(Driver, MainContextAndFiberOnlyCallsAreCheckedWhereTheyAreMade) {
  EventLoop loop;
  Driver d(loop);
  EXPECT_THROW(d.wait_until([] { return true; }), std::logic_error);
  EXPECT_THROW(d.before_step({}), std::logic_error);
  EXPECT_THROW(d.run_branches({}), std::logic_error);
  EXPECT_THROW(d.current_name(), std::logic_error);
  d.run_test([&] {
    EXPECT_THROW(d.resume_ready(), std::logic_error);
    EXPECT_THROW(d.run_test([] {}), std::logic_error);
    EXPECT_TRUE(d.run_branches({}).empty()) << "parallel() of nothing returns at once";
  });
}

// SIGINT while branches wait: check_interrupt throws on the main context;
// every fiber is resumed with that exception out of its wait, unwinds its
// own stack, and the parent rethrows the reason — not a branch's error.
TEST(Driver, AnInterruptUnwindsEveryFiberBeforeRunTestRethrowsIt) {
  EventLoop loop;
  bool stop = false;
  Driver d(loop, [&stop] {
    if (stop) throw StopRequested();
  });
  d.set_gate(true);
  int live = 0;
  std::set<std::string> saw_stop;
  std::string parent_saw;
  bool parent_went_on = false;
  loop.after(10ms, [&] { stop = true; });
  auto note = [&](const std::string& name, auto&& fn) {
    try {
      fn();
    } catch (const StopRequested&) {
      saw_stop.insert(name);
      throw;
    }
  };
  try {
    d.run_test(
        [&] {
          Tracked t(live);
          std::vector<Driver::Branch> branches;
          branches.push_back({"test/1", [&] {
                                Tracked t1(live);
                                note("test/1", [&] { d.wait_until([] { return false; }); });
                              }});
          branches.push_back({"test/2", [&] {
                                Tracked t2(live);
                                note("test/2", [&] { d.before_step({"POST", "api.http", "/cart", ""}); });
                              }});
          branches.push_back({"test/3", [&] { throw std::runtime_error("test/3 failed before the interrupt"); }});
          try {
            d.run_branches(std::move(branches));
          } catch (const std::exception& e) {
            parent_saw = e.what();
            throw;
          }
          parent_went_on = true;
        },
        [&] {
          d.resume_ready();
          loop.run_once(5ms);  // never releases the step: only the interrupt ends this
        });
    FAIL() << "run_test must rethrow the interrupt";
  } catch (const StopRequested&) {
  }
  EXPECT_EQ(live, 0) << "every fiber's stack objects are destroyed";
  EXPECT_EQ(saw_stop, (std::set<std::string>{"test/1", "test/2"}));
  EXPECT_EQ(parent_saw, "stop requested") << "the abandoned run's reason wins over test/3's failure";
  EXPECT_FALSE(parent_went_on);
  EXPECT_TRUE(d.fibers().empty());
}

TEST(Driver, AnInterruptBeforeTheBodyStartsEndsItWithoutRunningIt) {
  EventLoop loop;
  Driver d(loop, [] { throw StopRequested(); });
  bool ran = false;
  EXPECT_THROW(d.run_test([&] { ran = true; }), StopRequested);
  EXPECT_FALSE(ran);
}

TEST(Driver, APumpThatThrowsAbandonsTheRun) {
  EventLoop loop;
  Driver d(loop);
  int live = 0;
  int pumps = 0;
  EXPECT_THROW(d.run_test(
                   [&] {
                     Tracked t(live);
                     d.wait_until([] { return false; });
                   },
                   [&] {
                     d.resume_ready();
                     if (++pumps == 2) throw std::domain_error("divergence");
                   }),
               std::domain_error);
  EXPECT_EQ(live, 0);
  EXPECT_EQ(pumps, 2);
}

TEST(Driver, CancelAllFromTheSchedulerEndsEveryFiber) {
  EventLoop loop;
  Driver d(loop);
  int live = 0;
  EXPECT_THROW(d.run_test(
                   [&] {
                     Tracked t(live);
                     std::vector<Driver::Branch> b;
                     b.push_back({"test/1", [&] {
                                    Tracked t1(live);
                                    d.wait_until([] { return false; });
                                  }});
                     d.run_branches(std::move(b));
                   },
                   [&] {
                     d.resume_ready();
                     EXPECT_EQ(live, 2);
                     d.cancel_all(std::make_exception_ptr(std::length_error("cancelled by the scheduler")));
                     EXPECT_EQ(live, 0);
                     EXPECT_TRUE(d.finished());
                   }),
               std::length_error);
}

// --- EngineHost::parallel with real Starlark -----------------------------------------

struct SpecOnDriver {
  EventLoop loop;
  Driver driver{loop};
  EngineHost host{"/tmp"};
  std::unique_ptr<faultbox::star::Spec> spec;

  explicit SpecOnDriver(const std::string& source) {
    spec = faultbox::star::Spec::load_source("/tmp/driver_test.star", source, host);
    host.set_driver(&driver);
  }
  ~SpecOnDriver() { host.set_driver(nullptr); }

  // As `faultbox test` runs a test body.
  void run(const std::string& test) {
    driver.run_test([&] {
      auto thread = spec->new_thread(Driver::kTestFiber);
      driver.bind_stack(*thread);
      spec->run_test(*thread, test);
    });
  }
};

TEST(EngineHostParallel, ReturnsResultsInArgumentOrderNestedToo) {
  SpecOnDriver s(R"(
def one():
    return 1

def two():
    return "two"

def inner():
    return parallel(one, two)

def test_order():
    assert_eq(parallel(one, two, one), [1, "two", 1])
    assert_eq(parallel(inner, two), [[1, "two"], "two"])
    assert_eq(parallel(), [])
)");
  EXPECT_NO_THROW(s.run("test_order"));
}

TEST(EngineHostParallel, TheFirstFailingBranchInArgumentOrderIsReported) {
  SpecOnDriver s(R"(
def fine():
    return "fine"

def fails_one():
    assert_eq(1, 2, "branch one")

def fails_two():
    assert_eq(3, 4, "branch two")

def test_failures():
    parallel(fine, fails_one, fails_two)
)");
  try {
    s.run("test_failures");
    FAIL() << "the test must fail";
  } catch (const faultbox::star::AssertionFailure& e) {
    EXPECT_EQ(e.msg(), "branch one: 1 != 2");
  }
}

TEST(EngineHostParallel, StarlarkRecursionOnABranchHitsTheStackCheck) {
  SpecOnDriver s(R"(
def deep(n):
    return deep(n + 1)

def runaway():
    return deep(0)

def fine():
    return 1

def test_deep():
    parallel(fine, runaway)
)");
  try {
    s.run("test_deep");
    FAIL() << "the recursion must end in an error";
  } catch (const faultbox::star::EvalError& e) {
    EXPECT_EQ(e.msg(), "Starlark stack overflow");
  }
}

TEST(EngineHostParallel, StepsOutsideADriverFiberAreAWiringError) {
  EngineHost host("/tmp");
  auto spec = faultbox::star::Spec::load_source("/tmp/driver_test.star", "def test_x():\n    pass\n", host);
  auto thread = spec->new_thread("test");
  EXPECT_THROW(host.parallel(*thread, {}, {}, {}), std::logic_error);
}

}  // namespace
