// OccurrenceCounter: peek shows the next number without consuming it; take
// assigns 1, 2, 3… per (host, action, resource).
#include <gtest/gtest.h>

#include "recorder/OccurrenceCounter.h"

using faultbox::recorder::OccurrenceCounter;

TEST(OccurrenceCounter, PeekDoesNotConsume) {
  OccurrenceCounter c;
  EXPECT_EQ(c.peek("api", "connect", "redis.main"), 1u);
  EXPECT_EQ(c.peek("api", "connect", "redis.main"), 1u);
  EXPECT_EQ(c.taken("api", "connect", "redis.main"), 0u);
  EXPECT_EQ(c.take("api", "connect", "redis.main"), 1u);
  EXPECT_EQ(c.peek("api", "connect", "redis.main"), 2u);
  EXPECT_EQ(c.take("api", "connect", "redis.main"), 2u);
  EXPECT_EQ(c.take("api", "connect", "redis.main"), 3u);
  EXPECT_EQ(c.taken("api", "connect", "redis.main"), 3u);
  EXPECT_EQ(c.peek("api", "connect", "redis.main"), 4u);
}

TEST(OccurrenceCounter, EachFieldOfTheKeyCounts) {
  OccurrenceCounter c;
  c.take("api", "connect", "redis.main");
  c.take("api", "connect", "redis.main");
  EXPECT_EQ(c.take("worker", "connect", "redis.main"), 1u);   // other host
  EXPECT_EQ(c.take("api", "sendto", "redis.main"), 1u);       // other action
  EXPECT_EQ(c.take("api", "connect", "search.http"), 1u);     // other resource
  EXPECT_EQ(c.peek("api", "connect", "redis.main"), 3u);
  // No accidental concatenation of fields: ("ab","c") differs from ("a","bc").
  c.take("ab", "c", "x");
  EXPECT_EQ(c.peek("a", "bc", "x"), 1u);
}
