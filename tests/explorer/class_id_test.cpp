// class_id: one id per Mazurkiewicz class — invariant under swapping
// adjacent independent decisions, changed by reordering dependent ones or by
// a fault placed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "explorer/ClassId.h"
#include "scheduler/Schedule.h"

namespace faultbox::explorer {
namespace {

scheduler::Decision at(const std::string& host, const std::string& action, const std::string& resource,
                       bool faulted = false, const std::string& thread = "") {
  traces::EventIdentity id;
  id.host = host;
  id.action = action;
  id.resource = resource;
  id.occurrence = 1;
  id.thread = thread;
  return scheduler::Decision{scheduler::event_ref(id, true), faulted};
}

TEST(ClassId, SixteenLowercaseHexDigits) {
  const std::string id = class_id({at("api", "write", "/data/a")});
  ASSERT_EQ(id.size(), 16u);
  for (char c : id) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << id;
}

TEST(ClassId, SwappingAdjacentIndependentDecisionsKeepsTheId) {
  const auto a = at("api", "write", "/data/a");
  const auto b = at("db", "write", "/data/b");
  const auto c = at("api", "read", "/data/a");
  EXPECT_EQ(class_id({a, b, c}), class_id({b, a, c}));
  EXPECT_EQ(class_id({a, b, c}), class_id({a, c, b}));
}

TEST(ClassId, SwappingDependentDecisionsChangesTheId) {
  // Two services writing one file: the file orders them.
  const auto a = at("api", "write", "$RUN/orders.log");
  const auto b = at("db", "write", "$RUN/orders.log");
  EXPECT_NE(class_id({a, b}), class_id({b, a}));
  // Two threads of one service: the service orders them.
  const auto t1 = at("api", "write", "/x", false, "1");
  const auto t2 = at("api", "write", "/y", false, "2");
  EXPECT_NE(class_id({t1, t2}), class_id({t2, t1}));
}

TEST(ClassId, AFaultPlacedChangesTheId) {
  const auto a = at("api", "write", "/data/a");
  const auto b = at("db", "write", "/data/b");
  EXPECT_NE(class_id({a, b}), class_id({at("api", "write", "/data/a", true), b}));
}

TEST(ClassId, IndependentOfHowFarApartIndependentEventsWere) {
  // x on its own, y1→y2 chained through one link; every linearization of
  // the partial order gets one id.
  const auto x = at("cache", "write", "/tmp/c");
  const auto y1 = at("api", "sendto", "db.main");
  const auto y2 = at("db", "recvfrom", "api");
  const std::string id = class_id({x, y1, y2});
  EXPECT_EQ(id, class_id({y1, x, y2}));
  EXPECT_EQ(id, class_id({y1, y2, x}));
  EXPECT_NE(id, class_id({y2, y1, x}));
}

TEST(ClassId, DifferentEventsDifferentIds) {
  EXPECT_NE(class_id({at("api", "write", "/a")}), class_id({at("api", "write", "/b")}));
  EXPECT_NE(class_id({}), class_id({at("api", "write", "/a")}));
}

}  // namespace
}  // namespace faultbox::explorer
