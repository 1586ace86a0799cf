// Happens-before over one run and its races: dependent decisions of
// different processes with nothing ordered between them, never a message
// and its receipt.
#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <vector>

#include "explorer/HappensBefore.h"

namespace faultbox::explorer {
namespace {

using scheduler::Decision;

Decision ev(const std::string& host, const std::string& action, const std::string& resource,
            const std::string& thread = "1") {
  traces::EventIdentity id;
  id.host = host;
  id.action = action;
  id.resource = resource;
  id.occurrence = 1;
  id.thread = thread;
  return Decision{scheduler::event_ref(id), false};
}

using Races = std::vector<std::pair<size_t, size_t>>;

TEST(HappensBefore, ChainsThroughDependentDecisions) {
  // a writes x, b writes x then y, c writes y: a → b → c, though a and c
  // touch nothing in common.
  const std::vector<Decision> run = {ev("a", "write", "/x"), ev("b", "write", "/x"), ev("b", "write", "/y"),
                                     ev("c", "write", "/y")};
  const HappensBefore hb(run, {});
  EXPECT_TRUE(hb.before(0, 1));
  EXPECT_TRUE(hb.before(0, 3));
  EXPECT_FALSE(hb.before(3, 0));
  EXPECT_FALSE(hb.before(1, 1));
  EXPECT_EQ(hb.races(), (Races{{0, 1}, {2, 3}}));
}

TEST(HappensBefore, IndependentDecisionsAreUnordered) {
  const std::vector<Decision> run = {ev("a", "write", "/x"), ev("b", "write", "/y")};
  const HappensBefore hb(run, {});
  EXPECT_FALSE(hb.before(0, 1));
  EXPECT_TRUE(hb.races().empty());
}

TEST(HappensBefore, OnlyImmediateRacesCount) {
  // Three writers of x: 0–1 and 1–2 race; 0–2 is ordered through 1.
  const std::vector<Decision> run = {ev("a", "write", "/x"), ev("b", "write", "/x"), ev("c", "write", "/x")};
  EXPECT_EQ(HappensBefore(run, {}).races(), (Races{{0, 1}, {1, 2}}));
}

TEST(HappensBefore, AMessageAndItsReceiptAreCauseAndEffectNotARace) {
  const std::vector<Decision> run = {ev("a", "sendto", "b.main"), ev("c", "sendto", "b.main"),
                                     ev("b", "recvfrom", "a")};
  // The receive consumed a's message: a → recv is no race; c's send is on
  // another link (c~b), independent of both.
  const HappensBefore hb(run, {std::nullopt, std::nullopt, 0});
  EXPECT_TRUE(hb.before(0, 2));
  EXPECT_FALSE(hb.before(1, 2));
  EXPECT_TRUE(hb.races().empty());
  // Without the pairing the same pair is a race.
  EXPECT_EQ(HappensBefore(run, {}).races(), (Races{{0, 2}}));
}

TEST(HappensBefore, ACauseOrdersEvenWithoutDependence) {
  // caused_by is an edge of its own (a connect the footprints missed).
  const std::vector<Decision> run = {ev("a", "write", "/x"), ev("b", "write", "/y")};
  const HappensBefore hb(run, {std::nullopt, 0});
  EXPECT_TRUE(hb.before(0, 1));
  EXPECT_TRUE(hb.races().empty());
}

TEST(HappensBefore, ThreadsOfOneProcessNeverRaceWithThemselves) {
  const std::vector<Decision> run = {ev("a", "write", "/x"), ev("a", "write", "/x")};
  EXPECT_TRUE(HappensBefore(run, {}).races().empty());
  // Two threads of one service do.
  const std::vector<Decision> threads = {ev("a", "write", "/x", "1"), ev("a", "write", "/y", "2")};
  EXPECT_EQ(HappensBefore(threads, {}).races(), (Races{{0, 1}}));
}

}  // namespace
}  // namespace faultbox::explorer
