// What a run's trace and enabled sets say about cause and effect: a receive
// merged its sender's clock; an accept became enabled right after the
// connect that filled its backlog; a thread's first syscall right after its
// clone. Such pairs must never be offered to DPOR as races.
#include <gtest/gtest.h>

#include "explorer/CausalPairs.h"
#include "explorer/HappensBefore.h"

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
  t.events.push_back(event("api", 1, {{"api.http", 1}}));                  // decision 1: api sends
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

// A run for pair_accepts_with_connections(): each decision's event, its
// outcome as the trace writes it, and what else was enabled with it.
struct Step {
  Step(traces::EventIdentity e, std::string o = "allow", std::vector<traces::EventIdentity> also = {})
      : event(std::move(e)), outcome(std::move(o)), also_enabled(std::move(also)) {}
  traces::EventIdentity event;
  std::string outcome;
  std::vector<traces::EventIdentity> also_enabled;
};

struct PairingRun {
  scheduler::RunRecord record;
  traces::TraceFile trace;
};

PairingRun pairing_run(const std::vector<Step>& steps,
                       std::optional<std::vector<std::pair<std::string, uint64_t>>> waiting) {
  PairingRun r;
  r.trace.header.waiting_accepts = std::move(waiting);
  for (size_t i = 0; i < steps.size(); ++i) {
    r.record.decisions.push_back({scheduler::event_ref(steps[i].event), false});
    std::vector<scheduler::EventRef> set{scheduler::event_ref(steps[i].event)};
    for (const auto& e : steps[i].also_enabled) set.push_back(scheduler::event_ref(e));
    r.record.enabled.push_back(std::move(set));
    traces::TraceEvent e;
    e.host = steps[i].event.host;
    e.step = i + 1;
    e.identity = steps[i].event;
    e.outcome = steps[i].outcome;
    r.trace.events.push_back(std::move(e));
  }
  r.record.caused_by.resize(steps.size());
  return r;
}

// bench/explore/shared.star: the store's first accept began before the body
// and takes client2's connection; the accept event, made once the store is
// back from serving it, takes client1's. Without the pair dpor asked for
// that accept before client1's connect: infeasible, a divergence.
TEST(PairAcceptsWithConnections, TheKthAcceptEventTakesTheConnectionAfterTheWaitingAccepts) {
  auto c2 = id("client2", "connect", "store.main");
  auto c1 = id("client1", "connect", "store.main");
  auto serve = id("store", "read", "client2");
  auto accept = id("store", "accept", "store.main");
  auto r = pairing_run({{c2}, {c1}, {serve}, {accept}}, std::vector<std::pair<std::string, uint64_t>>{{"store.main", 1}});
  pair_accepts_with_connections(r.record, r.trace);
  ASSERT_TRUE(r.record.caused_by[3]);
  EXPECT_EQ(*r.record.caused_by[3], 1u);
  // Now happens-before orders client1's connect before the accept: no race
  // between them is offered.
  const HappensBefore hb(r.record.decisions, r.record.caused_by);
  EXPECT_TRUE(hb.before(1, 3));
  for (const auto& [i, j] : hb.races()) EXPECT_FALSE(i == 1 && j == 3);
}

TEST(PairAcceptsWithConnections, WithoutAWaitingAcceptTheFirstEventTakesTheFirstConnection) {
  auto c1 = id("client1", "connect", "store.main");
  auto c2 = id("client2", "connect", "store.main");
  auto accept = id("store", "accept", "store.main");
  auto r = pairing_run({{c1}, {c2, "allow", {accept}}, {accept}, {accept}},
                       std::vector<std::pair<std::string, uint64_t>>{});
  pair_accepts_with_connections(r.record, r.trace);
  ASSERT_TRUE(r.record.caused_by[2]);
  EXPECT_EQ(*r.record.caused_by[2], 0u);
  ASSERT_TRUE(r.record.caused_by[3]);
  EXPECT_EQ(*r.record.caused_by[3], 1u);
}

TEST(PairAcceptsWithConnections, DriverStepsMakeConnectionsAndDeniedConnectsDoNot) {
  auto step1 = id("test/1", "GET", "api.http", "");
  auto denied = id("worker", "connect", "api.http");
  auto step2 = id("test/2", "GET", "api.http", "");
  auto serve = id("api", "read", "test");
  auto accept = id("api", "accept", "api.http");
  auto r = pairing_run({{step1, "start"}, {denied, "deny ECONNREFUSED"}, {step2, "start"}, {serve}, {accept}},
                       std::vector<std::pair<std::string, uint64_t>>{{"api.http", 1}});
  pair_accepts_with_connections(r.record, r.trace);
  ASSERT_TRUE(r.record.caused_by[4]);
  EXPECT_EQ(*r.record.caused_by[4], 2u);
}

TEST(PairAcceptsWithConnections, PairsNothingWhereTheCountIsUncertain) {
  auto c1 = id("client1", "connect", "store.main");
  auto c2 = id("client2", "connect", "store.main");
  auto accept = id("store", "accept", "store.main");
  const std::vector<std::pair<std::string, uint64_t>> none;
  auto paired = [](PairingRun& r) {
    pair_accepts_with_connections(r.record, r.trace);
    for (const auto& c : r.record.caused_by)
      if (c) return true;
    return false;
  };
  {  // the control: the same run with a known count pairs
    auto r = pairing_run({{c1}, {c2}, {accept}}, none);
    EXPECT_TRUE(paired(r));
  }
  {  // no `# waiting accepts:` line (a free run, an older trace)
    auto r = pairing_run({{c1}, {c2}, {accept}}, std::nullopt);
    EXPECT_FALSE(paired(r));
  }
  {  // enabled before any connection was made: a non-blocking accept
    auto r = pairing_run({{c1, "allow", {accept}}, {c2}, {accept}}, none);
    EXPECT_FALSE(paired(r));
  }
  {  // a delayed connect lands later than its decision
    auto r = pairing_run({{c1, "delay 100ms"}, {c2}, {accept}}, none);
    EXPECT_FALSE(paired(r));
  }
}

// Each listening socket has its own backlog: a connection to the store's
// admin interface is not one the accept on main can take.
TEST(PairAcceptsWithConnections, EachInterfaceHasItsOwnBacklog) {
  auto admin = id("client2", "connect", "store.admin");
  auto c1 = id("client1", "connect", "store.main");
  auto accept = id("store", "accept", "store.main");
  auto r = pairing_run({{admin}, {c1}, {accept}}, std::vector<std::pair<std::string, uint64_t>>{});
  pair_accepts_with_connections(r.record, r.trace);
  ASSERT_TRUE(r.record.caused_by[2]);
  EXPECT_EQ(*r.record.caused_by[2], 1u) << "main's first connection, not admin's";
  // A thread waiting on admin takes admin's connection, not main's.
  auto w = pairing_run({{admin}, {c1}, {accept}}, std::vector<std::pair<std::string, uint64_t>>{{"store.admin", 1}});
  pair_accepts_with_connections(w.record, w.trace);
  ASSERT_TRUE(w.record.caused_by[2]);
  EXPECT_EQ(*w.record.caused_by[2], 1u);
}

// A driver step whose SYN is held makes its connection at the SYN's
// release, not when it starts: counted once, there.
TEST(PairAcceptsWithConnections, ADriverStepsHeldSynMakesItsConnectionOnce) {
  auto step1 = id("test/1", "SEND", "echo.main", "");
  auto step2 = id("test/2", "SEND", "echo.main", "");
  auto syn1 = id("test/1", "syn", "echo.main", "syn");
  auto accept = id("echo", "accept", "echo.main");
  // step1's SYN is held; step2's is not (it went through first): echo's
  // accept event (its waiting accept took step2's) takes step1's, made at the release.
  auto r = pairing_run({{step1, "start"}, {step2, "start"}, {syn1}, {accept}},
                       std::vector<std::pair<std::string, uint64_t>>{{"echo.main", 1}});
  pair_accepts_with_connections(r.record, r.trace);
  ASSERT_TRUE(r.record.caused_by[3]);
  EXPECT_EQ(*r.record.caused_by[3], 2u);
}

// A connect delayed on the wire: its connection is made by the release of
// its SYN (a "syn" event), which the accept then takes; and the release is
// caused by the connect that sent it.
TEST(PairAcceptsWithConnections, AHeldSynsReleaseMakesTheConnection) {
  auto c1 = id("client1", "connect", "store.main");
  auto c2 = id("client2", "connect", "store.main");
  auto syn1 = id("client1", "syn", "store.main", "1~syn");
  auto syn2 = id("client2", "syn", "store.main", "1~syn");
  auto accept = id("store", "accept", "store.main");
  auto r = pairing_run({{c1, "hold-syn 200ms"}, {c2, "hold-syn 200ms"}, {syn2}, {syn1}, {accept}},
                       std::vector<std::pair<std::string, uint64_t>>{{"store.main", 1}});
  pair_accepts_with_connections(r.record, r.trace);
  ASSERT_TRUE(r.record.caused_by[4]);
  EXPECT_EQ(*r.record.caused_by[4], 3u) << "the second connection to arrive is client1's, released at decision 4";
  pair_syns_with_connects(r.record, r.trace);
  ASSERT_TRUE(r.record.caused_by[2]);
  EXPECT_EQ(*r.record.caused_by[2], 1u) << "client2's SYN was sent by client2's connect";
  ASSERT_TRUE(r.record.caused_by[3]);
  EXPECT_EQ(*r.record.caused_by[3], 0u);
  // A held SYN let go without an event (its fault ended): when it arrived is unknown.
  auto lost = pairing_run({{c1, "hold-syn 200ms"}, {c2}, {accept}}, std::vector<std::pair<std::string, uint64_t>>{});
  pair_accepts_with_connections(lost.record, lost.trace);
  EXPECT_FALSE(lost.record.caused_by[2]);
}

// The enabler add_enablers() guesses for a release is whatever ran just
// before the delay ran out — here a driver step to the same store, which the
// release could also have preceded. The connect replaces it.
TEST(PairSynsWithConnects, TheConnectReplacesTheGuessedEnabler) {
  auto c1 = id("client1", "connect", "store.main");
  auto c1b = id("client1", "connect", "store.main");
  auto step = id("test/1", "SEND", "store.main", "");
  auto syn = id("client1", "syn", "store.main", "1~syn");
  auto r = pairing_run({{c1, "hold-syn 200ms"}, {c1b, "hold-syn 200ms"}, {step, "start"}, {syn}, {syn}},
                       std::nullopt);
  r.record.caused_by[3] = 2;  // add_enablers' guess
  pair_syns_with_connects(r.record, r.trace);
  ASSERT_TRUE(r.record.caused_by[3]);
  EXPECT_EQ(*r.record.caused_by[3], 0u) << "the first held connect's SYN goes first";
  ASSERT_TRUE(r.record.caused_by[4]);
  EXPECT_EQ(*r.record.caused_by[4], 1u);
}

TEST(PairSynsWithConnects, ADriverStepsSynIsCausedByTheStep) {
  auto step = id("test/1", "SEND", "echo.main", "");
  auto other = id("test/2", "SEND", "echo.main", "");
  auto syn = id("test/1", "syn", "echo.main", "syn");
  auto r = pairing_run({{step, "start"}, {other, "start"}, {syn}}, std::nullopt);
  pair_syns_with_connects(r.record, r.trace);
  ASSERT_TRUE(r.record.caused_by[2]);
  EXPECT_EQ(*r.record.caused_by[2], 0u);
  EXPECT_FALSE(r.record.caused_by[1]);
}

}  // namespace
}  // namespace faultbox::explorer
