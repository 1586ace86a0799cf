// ScheduleStrategy follows an explorer's prefix by process and label (never
// by occurrence), places the prefix's faults, diverges loudly, and after the
// prefix continues by its fixed policy around the sleep set; RecordingStrategy
// writes down what happened.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "scheduler/Schedule.h"

namespace faultbox::scheduler {
namespace {

traces::EventIdentity id(const std::string& host, const std::string& action, const std::string& resource,
                         uint64_t occurrence = 1, const std::string& thread = "") {
  traces::EventIdentity e;
  e.host = host;
  e.action = action;
  e.resource = resource;
  e.occurrence = occurrence;
  e.thread = thread;
  return e;
}

Decision decision(const traces::EventIdentity& e, bool faulted = false) { return {event_ref(e), faulted}; }

// api's thread 1 writes a log, db reads its file, the driver posts to api.
std::vector<traces::EventIdentity> enabled() {
  return {id("api", "write", "$RUN/orders.log", 3, "1"), id("db", "read", "/var/db"),
          id("test", "POST", "api.main")};
}

TEST(EventRef, LabelIsTheIdentityWithoutItsOccurrence) {
  const EventRef e = event_ref(id("api", "write", "$RUN/orders.log", 3, "1"), true);
  EXPECT_EQ(e.process, "api@t1");
  EXPECT_EQ(e.label, "api write $RUN/orders.log @t1");
  EXPECT_EQ(e.footprint, footprint_of(id("api", "write", "$RUN/orders.log", 3, "1")));
  EXPECT_TRUE(e.faultable);
  EXPECT_EQ(event_ref(id("test", "POST", "api.main", 7)).label, "test POST api.main");
  // Another occurrence of the same event is the same label.
  EXPECT_EQ(event_ref(id("api", "write", "$RUN/orders.log", 9, "1")).label, e.label);
}

TEST(EventRef, AHeldSynsReleaseIsItsOwnProcessAndLandsInThePeersBacklog) {
  const EventRef syn = event_ref(id("api", "syn", "redis.main", 1, "1~syn"));
  EXPECT_EQ(syn.process, "api@t1~syn");  // not the connecting thread api@t1, which may go on
  EXPECT_EQ(syn.footprint.resources, (std::vector<std::string>{"link:api~redis", "listen:redis"}));
  // Dependent with the peer's accept (the backlog's order) and with another
  // client's connect to it; not with that client's file write.
  EXPECT_TRUE(dependent(syn.footprint, footprint_of(id("redis", "accept", "redis.main"))));
  EXPECT_TRUE(dependent(syn.footprint, footprint_of(id("worker", "connect", "redis.main"))));
  EXPECT_FALSE(dependent(syn.footprint, footprint_of(id("worker", "write", "/tmp/w"))));
}

TEST(ScheduleStrategy, FollowsThePrefixByProcessAndLabelWhateverTheOccurrence) {
  Schedule s;
  s.prefix = {decision(id("test", "POST", "api.main", 1)), decision(id("api", "write", "$RUN/orders.log", 1, "1"))};
  ScheduleStrategy strategy(s, "dpor");
  EXPECT_EQ(strategy.name(), "dpor");
  EXPECT_EQ(strategy.choose(enabled(), 1), 2u);
  // The enabled set in another order and the write at another occurrence.
  std::vector<traces::EventIdentity> later = {id("api", "write", "$RUN/orders.log", 5, "1"), id("db", "read", "/var/db")};
  EXPECT_EQ(strategy.choose(later, 2), 0u);
  EXPECT_NO_THROW(strategy.finished(2));
}

TEST(ScheduleStrategy, APooledWorkerStandsInForAnotherThreadWhenItIsTheOnlyOne) {
  Schedule s;
  s.prefix = {decision(id("api", "accept", "api.main", 1, "2"))};
  ScheduleStrategy one(s, "dpor");
  EXPECT_EQ(one.choose({id("api", "accept", "api.main", 1, "3"), id("db", "read", "/var/db")}, 1), 0u);

  // Two other workers could stand in: which one is a guess, so a divergence.
  ScheduleStrategy two(s, "dpor");
  EXPECT_THROW(two.choose({id("api", "accept", "api.main", 1, "3"), id("api", "accept", "api.main", 1, "4")}, 1),
               Divergence);
}

TEST(ScheduleStrategy, AnExpectedEventThatIsNotEnabledIsADivergenceNamingBoth) {
  Schedule s;
  s.prefix = {decision(id("api", "read", "$RUN/orders.log", 1, "1"))};
  ScheduleStrategy strategy(s, "dpor");
  try {
    strategy.choose(enabled(), 1);
    FAIL() << "no divergence";
  } catch (const Divergence& d) {
    EXPECT_EQ(d.step, 1u);
    EXPECT_EQ(d.expected, "api read $RUN/orders.log @t1");
    ASSERT_EQ(d.enabled.size(), 3u);
    EXPECT_EQ(d.enabled[0], "api write $RUN/orders.log #3 @t1");
  }
}

TEST(ScheduleStrategy, PlacesThePrefixsFaultsOnlyWhereOffered) {
  Schedule s;
  s.prefix = {decision(id("db", "read", "/var/db"), true), decision(id("test", "POST", "api.main"))};
  ScheduleStrategy strategy(s, "dpor");
  strategy.offer_placements({false, true, false});
  EXPECT_EQ(strategy.choose(enabled(), 1), 1u);
  EXPECT_TRUE(strategy.fault_chosen());
  strategy.offer_placements({false, true, true});
  EXPECT_EQ(strategy.choose(enabled(), 2), 2u);
  EXPECT_FALSE(strategy.fault_chosen());
  // After the prefix: allowed, even where a placement is offered.
  strategy.offer_placements({true, true, true});
  strategy.choose(enabled(), 3);
  EXPECT_FALSE(strategy.fault_chosen());

  ScheduleStrategy not_offered(s, "dpor");
  not_offered.offer_placements({true, false, true});
  EXPECT_THROW(not_offered.choose(enabled(), 1), Divergence);
  // Placements are offered for one choose() only.
  ScheduleStrategy stale(s, "dpor");
  stale.offer_placements({false, true, false});
  Schedule first_allowed;
  first_allowed.prefix = {decision(id("test", "POST", "api.main")), decision(id("db", "read", "/var/db"), true)};
  ScheduleStrategy once(first_allowed, "dpor");
  once.offer_placements({false, true, false});
  EXPECT_EQ(once.choose(enabled(), 1), 2u);
  EXPECT_THROW(once.choose(enabled(), 2), Divergence);
}

TEST(ScheduleStrategy, EndingBeforeThePrefixIsADivergence) {
  Schedule s;
  s.prefix = {decision(id("db", "read", "/var/db")), decision(id("test", "POST", "api.main"))};
  ScheduleStrategy strategy(s, "dpor");
  strategy.choose(enabled(), 1);
  try {
    strategy.finished(1);
    FAIL() << "no divergence";
  } catch (const Divergence& d) {
    EXPECT_EQ(d.step, 2u);
    EXPECT_EQ(d.expected, "test POST api.main");
  }
}

TEST(ScheduleStrategy, AfterThePrefixTheLastProcessGoesOnElseTheSmallestName) {
  Schedule s;
  s.prefix = {decision(id("db", "read", "/var/db"))};
  ScheduleStrategy strategy(s, "dpor");
  EXPECT_EQ(strategy.choose(enabled(), 1), 1u);
  // db still enabled: it goes on (no preemption).
  EXPECT_EQ(strategy.choose(enabled(), 2), 1u);
  // db is gone: the smallest process name, "api@t1".
  std::vector<traces::EventIdentity> rest = {id("test", "POST", "api.main"), id("api", "write", "/x", 1, "1")};
  EXPECT_EQ(strategy.choose(rest, 3), 1u);

  ScheduleStrategy fresh(Schedule{}, "dpor");
  EXPECT_EQ(fresh.choose(enabled(), 1), 0u);
}

TEST(ScheduleStrategy, SleepingEventsWaitUntilADependentEventWakesThem) {
  Schedule s;
  s.sleep = {decision(id("api", "write", "$RUN/orders.log", 1, "1"))};
  ScheduleStrategy strategy(s, "dpor");
  std::vector<traces::EventIdentity> two = {id("api", "write", "$RUN/orders.log", 3, "1"), id("db", "read", "/var/db")};
  EXPECT_EQ(strategy.choose(two, 1), 1u);  // api@t1 asleep, though its name is smaller
  // The cache's write commutes with api's (another file): api sleeps on.
  std::vector<traces::EventIdentity> other = {id("api", "write", "$RUN/orders.log", 3, "1"),
                                              id("cache", "write", "/var/cache")};
  EXPECT_EQ(strategy.choose(other, 2), 1u);
  // The cache writes api's file: that wakes api's write, which now goes
  // before db (the cache, which went last, is no longer enabled).
  std::vector<traces::EventIdentity> waker = {id("api", "write", "$RUN/orders.log", 3, "1"),
                                              id("cache", "write", "$RUN/orders.log")};
  EXPECT_EQ(strategy.choose(waker, 3), 1u);
  EXPECT_EQ(strategy.choose(two, 4), 0u);
}

TEST(ScheduleStrategy, WhenEverythingSleepsTheSamePolicyPicksAnyway) {
  Schedule s;
  s.sleep = {decision(id("db", "read", "/var/db")), decision(id("test", "POST", "api.main"))};
  ScheduleStrategy strategy(s, "dpor");
  std::vector<traces::EventIdentity> both = {id("db", "read", "/var/db"), id("test", "POST", "api.main")};
  EXPECT_EQ(strategy.choose(both, 1), 0u);
}

TEST(ScheduleStrategy, WhenEveryAllowedEventSleepsAnAwakePlacementIsFaulted) {
  Schedule s;
  s.max_faults = 1;
  // db's read sleeps allowed and faulted, the POST only allowed.
  s.sleep = {decision(id("db", "read", "/var/db")), decision(id("db", "read", "/var/db"), true),
             decision(id("test", "POST", "api.main"))};
  ScheduleStrategy strategy(s, "dpor");
  std::vector<traces::EventIdentity> both = {id("db", "read", "/var/db"), id("test", "POST", "api.main")};
  strategy.offer_placements({true, true});
  EXPECT_EQ(strategy.choose(both, 1), 1u);  // the POST, faulted
  EXPECT_TRUE(strategy.fault_chosen());
  // The budget is spent: the next all-asleep decision allows.
  strategy.offer_placements({true});
  EXPECT_EQ(strategy.choose({id("db", "read", "/var/db")}, 2), 0u);
  EXPECT_FALSE(strategy.fault_chosen());

  // Not offered as faultable, or no budget: nothing is faulted.
  ScheduleStrategy not_offered(s, "dpor");
  not_offered.offer_placements({true, false});
  EXPECT_EQ(not_offered.choose(both, 1), 0u);
  EXPECT_FALSE(not_offered.fault_chosen());
  Schedule no_budget = s;
  no_budget.max_faults = 0;
  ScheduleStrategy none(no_budget, "dpor");
  none.offer_placements({true, true});
  none.choose(both, 1);
  EXPECT_FALSE(none.fault_chosen());
}

TEST(ScheduleStrategy, APrefixFaultCountsAgainstTheBudget) {
  Schedule s;
  s.max_faults = 1;
  s.prefix = {decision(id("cache", "write", "/var/cache"), true)};
  s.sleep = {decision(id("db", "read", "/var/db"))};
  ScheduleStrategy strategy(s, "dpor");
  strategy.offer_placements({true});
  strategy.choose({id("cache", "write", "/var/cache")}, 1);
  EXPECT_TRUE(strategy.fault_chosen());
  strategy.offer_placements({true});
  strategy.choose({id("db", "read", "/var/db")}, 2);
  EXPECT_FALSE(strategy.fault_chosen());
}

TEST(ScheduleStrategy, TheSleepSetStartsAfterThePrefix) {
  Schedule s;
  s.prefix = {decision(id("db", "read", "/var/db"))};
  s.sleep = {decision(id("db", "read", "/var/db"))};
  ScheduleStrategy strategy(s, "dpor");
  std::vector<traces::EventIdentity> both = {id("db", "read", "/var/db"), id("test", "POST", "api.main")};
  EXPECT_EQ(strategy.choose(both, 1), 0u);  // forced, asleep or not
  EXPECT_EQ(strategy.choose(both, 2), 1u);  // db sleeps now, though it went last
}

TEST(RecordingStrategy, RecordsEnabledSetsPlacementsAndDecisions) {
  Schedule s;
  s.prefix = {decision(id("db", "read", "/var/db"), true)};
  RecordingStrategy rec(std::make_unique<ScheduleStrategy>(s, "dpor"));
  EXPECT_EQ(rec.name(), "dpor");
  rec.offer_placements({false, true, false});
  EXPECT_EQ(rec.choose(enabled(), 1), 1u);
  EXPECT_TRUE(rec.fault_chosen());
  rec.choose(enabled(), 2);
  const RunRecord& r = rec.record();
  ASSERT_EQ(r.decisions.size(), 2u);
  ASSERT_EQ(r.enabled.size(), 2u);
  EXPECT_EQ(r.decisions[0].event.label, "db read /var/db");
  EXPECT_TRUE(r.decisions[0].faulted);
  EXPECT_TRUE(r.decisions[0].event.faultable);
  EXPECT_FALSE(r.enabled[0][0].faultable);
  EXPECT_TRUE(r.enabled[0][1].faultable);
  // No placements offered at decision 2.
  EXPECT_FALSE(r.enabled[1][1].faultable);
  EXPECT_FALSE(r.decisions[1].faulted);
  EXPECT_EQ(r.enabled[1].size(), 3u);
}

TEST(RecordingStrategy, ADivergencePassesThroughAndTheRecordKeepsWhatWasFollowed) {
  Schedule s;
  s.prefix = {decision(id("db", "read", "/var/db")), decision(id("api", "read", "/nope", 1, "1"))};
  RecordingStrategy rec(std::make_unique<ScheduleStrategy>(s, "dpor"));
  rec.choose(enabled(), 1);
  EXPECT_THROW(rec.choose(enabled(), 2), Divergence);
  EXPECT_EQ(rec.take_record().decisions.size(), 1u);
}

}  // namespace
}  // namespace faultbox::scheduler
