// What a run's trace and enabled sets say about cause and effect: a receive
// merged its sender's clock; an accept became enabled right after the
// connect that filled its backlog; a thread's first syscall right after its
// clone. Such pairs must never be offered to DPOR as races.
#include <gtest/gtest.h>

#include "explorer/CausalPairs.h"

namespace faultbox::explorer {
namespace {

traces::EventIdentity id(const std::string& host, const std::string& action, const std::string& resource,
                         const std::string& thread = "1") {
  traces::EventIdentity e;
  e.host = host;
  e.action = action;
  e.resource = resource;
  e.occurrence = 1;
  e.thread = thread;
  return e;
}

traces::TraceEvent event(const std::string& host, uint64_t step, traces::VectorClock clock) {
  traces::TraceEvent e;
  e.host = host;
  e.step = step;
  e.clock = std::move(clock);
  e.identity = id(host, "x", "-");
  return e;
}

TEST(CausedByFromTrace, AReceiveNamesTheDecisionWhoseClockItMerged) {
  traces::TraceFile t;
  t.events.push_back(event("api", 1, {{"api", 1}}));                  // decision 1: api sends
  t.events.push_back(event("redis", 2, {{"redis", 1}}));              // decision 2: unrelated
  t.events.push_back(event("redis", 3, {{"api", 1}, {"redis", 2}}));  // decision 3: receives api's send
  t.events.push_back(event("api", 0, {{"api", 2}, {"redis", 2}}));    // not a decision
  t.events.push_back(event("api", 4, {{"api", 3}, {"redis", 2}}));    // nothing new beyond what it had
  auto c = caused_by_from_trace(t, 4);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_FALSE(c[0]);
  EXPECT_FALSE(c[1]);
  ASSERT_TRUE(c[2]);
  EXPECT_EQ(*c[2], 0u);
  EXPECT_FALSE(c[3]);
}

scheduler::RunRecord record_of(const std::vector<std::vector<traces::EventIdentity>>& enabled,
                               const std::vector<traces::EventIdentity>& chosen) {
  scheduler::RunRecord r;
  for (size_t i = 0; i < chosen.size(); ++i) {
    r.decisions.push_back({scheduler::event_ref(chosen[i]), false});
    std::vector<scheduler::EventRef> set;
    for (const auto& e : enabled[i]) set.push_back(scheduler::event_ref(e));
    r.enabled.push_back(std::move(set));
  }
  return r;
}

TEST(AddEnablers, AnAcceptIsCausedByTheConnectBeforeWhichItWasNotEnabled) {
  auto connect = id("api", "connect", "redis.main");
  auto other = id("worker", "write", "/tmp/w");
  auto accept = id("redis", "accept", "redis.main");
  // decision 1: connect (accept not enabled); 2: other (accept enabled); 3: accept
  auto r = record_of({{connect, other}, {other, accept}, {accept}}, {connect, other, accept});
  add_enablers(r);
  ASSERT_EQ(r.caused_by.size(), 3u);
  ASSERT_TRUE(r.caused_by[2]);
  EXPECT_EQ(*r.caused_by[2], 0u);
  EXPECT_FALSE(r.caused_by[1]);  // enabled from the start
}

TEST(AddEnablers, AnEventEnabledFromTheStartHasNoEnabler) {
  auto a = id("a", "write", "/x");
  auto b = id("b", "write", "/x");
  auto r = record_of({{a, b}, {b}}, {a, b});
  add_enablers(r);
  EXPECT_FALSE(r.caused_by[1]);
}

TEST(AddEnablers, KeepsALaterCauseFromTheTrace) {
  auto a = id("a", "write", "/x");
  auto b = id("b", "write", "/y");
  auto c = id("c", "read", "a");
  auto r = record_of({{a}, {b, c}, {c}}, {a, b, c});
  r.caused_by = {std::nullopt, std::nullopt, size_t{1}};
  add_enablers(r);  // enabler is decision 0, the trace's cause 1 is later
  ASSERT_TRUE(r.caused_by[2]);
  EXPECT_EQ(*r.caused_by[2], 1u);
}

}  // namespace
}  // namespace faultbox::explorer
