// The Recorder facade: identities (preview vs identify), record(), and a
// three-host exchange test → api → redis → api → test built the way the
// scheduler will build it, checked clock by clock and against ShiViz's rules.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "recorder/Recorder.h"
#include "traces/ShivizWriter.h"
#include "traces/TraceValidator.h"
#include "tests/recorder/shiviz_rules.h"

using faultbox::recorder::Recorder;
using faultbox::recorder::ResourceNormalizer;
using faultbox::recorder::testing::shiviz_violations;
using faultbox::traces::EventIdentity;
using faultbox::traces::TraceEvent;
using faultbox::traces::VectorClock;

TEST(Recorder, PreviewShowsTheNextOccurrenceWithoutTakingIt) {
  Recorder r{ResourceNormalizer()};
  EventIdentity p = r.preview("api", "connect", "redis.main", "1");
  EXPECT_EQ(p.occurrence, 1u);
  EXPECT_EQ(r.preview("api", "connect", "redis.main", "1").occurrence, 1u);
  EventIdentity a = r.identify("api", "connect", "redis.main", "1");
  EXPECT_EQ(a, p);
  EXPECT_EQ(a.text(), "api connect redis.main #1 @t1");
  // Another thread doing the same thing is the next occurrence: the thread
  // is a tie-breaker, not part of the key.
  EXPECT_EQ(r.preview("api", "connect", "redis.main", "2").occurrence, 2u);
  EXPECT_EQ(r.identify("api", "connect", "redis.main", "2").occurrence, 2u);
  EXPECT_EQ(r.preview("api", "connect", "redis.main").occurrence, 3u);
  EXPECT_EQ(r.identify("test", "POST", "api.http").text(), "test POST api.http #1");
}

TEST(Recorder, FieldsBecomeSingleTokens) {
  Recorder r{ResourceNormalizer()};
  EventIdentity id = r.identify("api", "openat", "/data/my file", "");
  EXPECT_EQ(id.resource, "/data/my_file");
  EventIdentity none = r.identify("api", "fsync", "");
  EXPECT_EQ(none.resource, "-");
  // The counter keys on the printed form: "" and "-" are one resource.
  EXPECT_EQ(r.identify("api", "fsync", "-").occurrence, 2u);
  EXPECT_THROW(r.identify("", "connect", "x"), std::logic_error);
  EXPECT_THROW(r.preview("api", "", "x"), std::logic_error);
}

TEST(Recorder, RecordsTheEventWithItsClock) {
  Recorder r{ResourceNormalizer()};
  const TraceEvent& e = r.record(r.identify("api", "connect", "redis.main", "1"), 1, "deny ECONNREFUSED",
                                 "Redis down", "");
  EXPECT_EQ(e.host, "api");
  EXPECT_EQ(e.clock, (VectorClock{{"api", 1}}));
  EXPECT_EQ(e.step, 1u);
  EXPECT_EQ(e.text(), "step=1 api connect redis.main #1 @t1 -> deny ECONNREFUSED [Redis down]");
  ASSERT_EQ(r.events().size(), 1u);
  EXPECT_EQ(r.clock_of("api"), (VectorClock{{"api", 1}}));
  EXPECT_TRUE(r.clock_of("redis").empty());
}

TEST(Recorder, RefusesAnIdentityThatWasNotTaken) {
  Recorder r{ResourceNormalizer()};
  EventIdentity previewed = r.preview("api", "connect", "redis.main");
  EXPECT_THROW(r.record(previewed, 1, "allow", "", ""), std::logic_error);
  EventIdentity made_up{"api", "connect", "redis.main", 0, ""};
  EXPECT_THROW(r.record(made_up, 1, "allow", "", ""), std::logic_error);
  EXPECT_TRUE(r.events().empty());
  EXPECT_TRUE(r.clock_of("api").empty());
}

TEST(Recorder, RefusesAMergeOfEventsNotRecorded) {
  Recorder r{ResourceNormalizer()};
  r.record(r.identify("test", "POST", "api.http"), 1, "status 200", "", "");
  EventIdentity id = r.identify("api", "read", "test");
  EXPECT_THROW(r.record(id, 2, "allow", "", "", {VectorClock{{"test", 2}}}), std::logic_error);
  EXPECT_EQ(r.events().size(), 1u);
  EXPECT_TRUE(r.clock_of("api").empty());
}

// test → api → redis → api → test, with the endpoints and byte positions the
// scheduler would see, through the normalizer, the ledger and record().
TEST(Recorder, ThreeHostExchangeHasTheRightClocksEventByEvent) {
  const std::string driver = "127.0.0.1:41234", api_http = "127.0.0.1:8080";
  const std::string api_out = "127.0.0.1:50001", redis_main = "127.0.0.1:6379";

  ResourceNormalizer n("/tmp/faultbox-run-Q3x9Lm");
  n.add_interface(8080, "api.http");
  n.add_interface(6379, "redis.main");
  n.add_client(driver, api_http, "test");
  n.add_client(api_out, redis_main, "api");
  Recorder r{std::move(n)};
  const ResourceNormalizer& names = r.normalizer();
  uint64_t step = 0;

  // 1. The driver's POST: one whole message (libcurl's bytes are not seen).
  const TraceEvent& post = r.record(r.identify("test", "POST", names.peer(api_http)), ++step, "status 200", "", "");
  r.messages().sent_message(driver, api_http, post.clock);
  // 2. api reads the request.
  {
    auto merges = r.messages().received(api_http, driver, 0, 120);
    ASSERT_EQ(merges.size(), 1u);
    r.record(r.identify("api", "read", names.peer(driver, api_http), "1"), ++step, "allow", "", "", merges);
  }
  // 3. api connects to redis (the SYN as a whole message), 4. redis accepts it.
  const TraceEvent& connect = r.record(r.identify("api", "connect", names.peer(redis_main), "1"), ++step, "allow", "", "");
  r.messages().sent_message(api_out, redis_main, connect.clock);
  r.record(r.identify("redis", "accept4", names.peer(api_out, redis_main), "1"), ++step, "allow", "", "",
           r.messages().received_any(redis_main, api_out));
  // 5. api sends the command, 6. redis reads it.
  const TraceEvent& cmd = r.record(r.identify("api", "sendto", names.peer(redis_main), "1"), ++step, "allow", "", "");
  r.messages().sent(api_out, redis_main, 0, 30, cmd.clock);
  r.record(r.identify("redis", "read", names.peer(api_out, redis_main), "1"), ++step, "allow", "", "",
           r.messages().received(redis_main, api_out, 0, 30));
  // 7. redis replies, 8. api reads the reply.
  const TraceEvent& reply = r.record(r.identify("redis", "write", names.peer(api_out, redis_main), "1"), ++step, "allow", "", "");
  r.messages().sent(redis_main, api_out, 0, 5, reply.clock);
  r.record(r.identify("api", "recvfrom", names.peer(redis_main), "1"), ++step, "allow", "", "",
           r.messages().received(api_out, redis_main, 0, 5));
  // 9. api writes the response, 10. the driver reads it (not a decision).
  const TraceEvent& response = r.record(r.identify("api", "write", names.peer(driver, api_http), "1"), ++step, "allow", "", "");
  r.messages().sent(api_http, driver, 0, 200, response.clock);
  r.record(r.identify("test", "response", names.peer(api_http)), 0, "status 200", "", "",
           r.messages().received_any(driver, api_http));

  const std::vector<VectorClock> expected = {
      {{"test", 1}},                                   // test POST api.http #1
      {{"api", 1}, {"test", 1}},                       // api read test #1
      {{"api", 2}, {"test", 1}},                       // api connect redis.main #1
      {{"api", 2}, {"redis", 1}, {"test", 1}},         // redis accept4 api #1
      {{"api", 3}, {"test", 1}},                       // api sendto redis.main #1
      {{"api", 3}, {"redis", 2}, {"test", 1}},         // redis read api #1
      {{"api", 3}, {"redis", 3}, {"test", 1}},         // redis write api #1
      {{"api", 4}, {"redis", 3}, {"test", 1}},         // api recvfrom redis.main #1
      {{"api", 5}, {"redis", 3}, {"test", 1}},         // api write test #1
      {{"api", 5}, {"redis", 3}, {"test", 2}},         // test response api.http #1
  };
  const std::vector<std::string> texts = {
      "step=1 test POST api.http #1 -> status 200",
      "step=2 api read test #1 @t1 -> allow",
      "step=3 api connect redis.main #1 @t1 -> allow",
      "step=4 redis accept4 api #1 @t1 -> allow",
      "step=5 api sendto redis.main #1 @t1 -> allow",
      "step=6 redis read api #1 @t1 -> allow",
      "step=7 redis write api #1 @t1 -> allow",
      "step=8 api recvfrom redis.main #1 @t1 -> allow",
      "step=9 api write test #1 @t1 -> allow",
      "step=- test response api.http #1 -> status 200",
  };
  const std::vector<TraceEvent>& events = r.events();
  ASSERT_EQ(events.size(), expected.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].clock, expected[i]) << "event " << i + 1 << ": " << events[i].text();
    EXPECT_EQ(events[i].text(), texts[i]) << "event " << i + 1;
  }
  // Nothing was left unpaired, and redis appears in no clock before its first event.
  EXPECT_EQ(r.messages().pending(driver, api_http), 0u);
  EXPECT_EQ(r.messages().pending(api_out, redis_main), 0u);
  EXPECT_EQ(r.messages().pending(redis_main, api_out), 0u);
  EXPECT_EQ(r.messages().pending(api_http, driver), 0u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(events[i].clock.count("redis"), 0u) << "event " << i + 1;
  EXPECT_EQ(r.clock_of("test"), expected.back());

  EXPECT_EQ(shiviz_violations(events), std::vector<std::string>{});

  // And traces/' own validator, on the data and on the written file.
  faultbox::traces::TraceFile trace;
  trace.header.spec_path = "examples/shop/faultbox.star";
  trace.header.spec_sha256 = std::string(64, 'a');
  trace.header.binaries = {{"api", "sha256:" + std::string(64, 'b')}, {"redis", "sha256:" + std::string(64, 'c')}};
  trace.header.test = "test_checkout";
  trace.header.strategy = "random";
  trace.header.seed = 4711;
  trace.header.verdict = "PASS";
  trace.events = events;
  std::vector<std::string> problems;
  for (const auto& p : faultbox::traces::validate_trace(trace)) problems.push_back(p.text());
  for (const auto& p : faultbox::traces::validate_trace_text(faultbox::traces::write_shiviz(trace)))
    problems.push_back(p.text());
  EXPECT_EQ(problems, std::vector<std::string>{});
  // The same trace with one skipped tick is refused (the check is live).
  trace.events[4].clock["api"] = 4;
  EXPECT_FALSE(faultbox::traces::validate_trace(trace).empty());
}

// The checker above must be able to fail: the three crafted bad traces of
// the acceptance criteria.
TEST(ShivizRules, CatchSkippedTicksMissingHostsAndReferencesPastACount) {
  auto event = [](std::string host, VectorClock clock) {
    TraceEvent e;
    e.host = std::move(host);
    e.clock = std::move(clock);
    return e;
  };
  auto says = [](const std::vector<std::string>& violations, const std::string& what) {
    for (const std::string& v : violations)
      if (v.find(what) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(shiviz_violations({event("a", {{"a", 1}}), event("b", {{"a", 1}, {"b", 1}})}).empty());
  EXPECT_TRUE(says(shiviz_violations({event("a", {{"a", 1}}), event("a", {{"a", 3}})}),  // skipped tick
                   "own entry 3, expected 2"));
  EXPECT_TRUE(says(shiviz_violations({event("a", {{"a", 2}})}), "own entry 2, expected 1"));  // not from 1
  EXPECT_TRUE(says(shiviz_violations({event("a", {{"a", 1}, {"ghost", 1}})}),  // missing host
                   "references ghost, which has no events"));
  EXPECT_TRUE(says(shiviz_violations({event("a", {{"a", 1}}), event("b", {{"a", 2}, {"b", 1}})}),  // past count
                   "references a:2 but a has 1 events"));
  EXPECT_TRUE(says(shiviz_violations({event("a", {{"b", 1}}), event("b", {{"b", 1}})}),  // own host absent
                   "own host missing"));
  EXPECT_TRUE(says(shiviz_violations({event("a", {{"a", 1}, {"b", 0}}), event("b", {{"b", 1}})}), "references b:0"));
}
