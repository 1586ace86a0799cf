// MessageLedger: a receive merges exactly the sends whose bytes it read.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "recorder/MessageLedger.h"

using faultbox::recorder::MessageLedger;
using faultbox::traces::VectorClock;
using Clocks = std::vector<VectorClock>;

namespace {

const std::string kApi = "127.0.0.1:50001";    // api's outbound socket
const std::string kRedis = "127.0.0.1:6379";   // redis's accepted socket
const std::string kDriver = "127.0.0.1:41234";
const std::string kApiHttp = "127.0.0.1:8080";

VectorClock api(uint64_t n) { return {{"api", n}}; }

}  // namespace

TEST(MessageLedger, OneSendOneReceive) {
  MessageLedger m;
  m.sent(kApi, kRedis, 0, 10, api(1));
  EXPECT_EQ(m.pending(kApi, kRedis), 1u);
  // The receiver's view: its local is the sender's peer.
  EXPECT_EQ(m.received(kRedis, kApi, 0, 10), (Clocks{api(1)}));
  EXPECT_EQ(m.pending(kApi, kRedis), 0u);
  EXPECT_TRUE(m.received(kRedis, kApi, 0, 10).empty());
}

TEST(MessageLedger, DirectionsAndConnectionsAreSeparate) {
  MessageLedger m;
  m.sent(kApi, kRedis, 0, 10, api(1));
  // api reading from redis is the other direction: nothing was sent that way.
  EXPECT_TRUE(m.received(kApi, kRedis, 0, 10).empty());
  // Another connection to redis does not see api's bytes.
  EXPECT_TRUE(m.received(kRedis, "127.0.0.1:50002", 0, 10).empty());
  EXPECT_EQ(m.pending(kApi, kRedis), 1u);
}

TEST(MessageLedger, TwoSendsConsumedByOneReceive) {
  MessageLedger m;
  m.sent(kApi, kRedis, 0, 10, api(1));
  m.sent(kApi, kRedis, 10, 25, api(2));
  EXPECT_EQ(m.received(kRedis, kApi, 0, 25), (Clocks{api(1), api(2)}));
  EXPECT_EQ(m.pending(kApi, kRedis), 0u);
}

TEST(MessageLedger, OneSendConsumedByTwoReceivesMergesIntoBoth) {
  MessageLedger m;
  m.sent(kApi, kRedis, 0, 100, api(1));
  EXPECT_EQ(m.received(kRedis, kApi, 0, 60), (Clocks{api(1)}));
  EXPECT_EQ(m.pending(kApi, kRedis), 1u);  // 40 bytes still unread
  EXPECT_EQ(m.received(kRedis, kApi, 60, 100), (Clocks{api(1)}));
  EXPECT_EQ(m.pending(kApi, kRedis), 0u);
}

TEST(MessageLedger, AReceiveMergesOnlyTheSendsItReaches) {
  MessageLedger m;
  m.sent(kApi, kRedis, 0, 10, api(1));
  m.sent(kApi, kRedis, 10, 20, api(2));
  EXPECT_EQ(m.received(kRedis, kApi, 0, 5), (Clocks{api(1)}));
  EXPECT_EQ(m.received(kRedis, kApi, 5, 10), (Clocks{api(1)}));
  EXPECT_EQ(m.pending(kApi, kRedis), 1u);
  EXPECT_EQ(m.received(kRedis, kApi, 10, 20), (Clocks{api(2)}));
}

TEST(MessageLedger, PartialConsumptionAcrossASendBoundary) {
  MessageLedger m;
  m.sent(kApi, kRedis, 0, 10, api(1));
  m.sent(kApi, kRedis, 10, 20, api(2));
  EXPECT_EQ(m.received(kRedis, kApi, 0, 15), (Clocks{api(1), api(2)}));
  EXPECT_EQ(m.pending(kApi, kRedis), 1u);
  EXPECT_EQ(m.received(kRedis, kApi, 15, 20), (Clocks{api(2)}));
  EXPECT_EQ(m.pending(kApi, kRedis), 0u);
}

TEST(MessageLedger, UnreadBytesStayPendingWhileMoreArrive) {
  MessageLedger m;
  m.sent(kApi, kRedis, 0, 10, api(1));
  EXPECT_EQ(m.received(kRedis, kApi, 0, 4), (Clocks{api(1)}));
  m.sent(kApi, kRedis, 10, 20, api(2));  // sent while 6 bytes of the first are unread
  EXPECT_EQ(m.received(kRedis, kApi, 4, 20), (Clocks{api(1), api(2)}));
  EXPECT_EQ(m.pending(kApi, kRedis), 0u);
}

TEST(MessageLedger, BytesTheStreamIsPastAreDroppedWithoutAnArrow) {
  MessageLedger m;
  m.sent(kApi, kRedis, 0, 10, api(1));
  m.sent(kApi, kRedis, 10, 20, api(2));
  // A read at byte 10 means bytes 0..10 were read by something not recorded.
  EXPECT_EQ(m.received(kRedis, kApi, 10, 20), (Clocks{api(2)}));
  EXPECT_EQ(m.pending(kApi, kRedis), 0u);
}

TEST(MessageLedger, AnEmptyReceiveReadsNothing) {
  MessageLedger m;
  m.sent(kApi, kRedis, 0, 10, api(1));
  m.sent_message(kDriver, kApiHttp, {{"test", 1}});
  EXPECT_TRUE(m.received(kRedis, kApi, 0, 0).empty());
  EXPECT_TRUE(m.received(kApiHttp, kDriver, 0, 0).empty());
  EXPECT_EQ(m.pending(kApi, kRedis), 1u);
  EXPECT_EQ(m.pending(kDriver, kApiHttp), 1u);
  m.sent(kApi, kRedis, 10, 10, api(2));  // an empty send records nothing
  EXPECT_EQ(m.pending(kApi, kRedis), 1u);
}

TEST(MessageLedger, AWholeMessageGoesToTheFirstReceiveThatReadsAnything) {
  MessageLedger m;
  VectorClock post{{"test", 1}};
  m.sent_message(kDriver, kApiHttp, post);  // the driver's HTTP request
  EXPECT_EQ(m.received(kApiHttp, kDriver, 0, 300), (Clocks{post}));
  EXPECT_TRUE(m.received(kApiHttp, kDriver, 300, 420).empty());
  EXPECT_EQ(m.pending(kDriver, kApiHttp), 0u);
}

TEST(MessageLedger, ReceivedAnyTakesEveryPendingSendInOrder) {
  MessageLedger m;
  m.sent(kApiHttp, kDriver, 0, 100, api(4));
  m.sent(kApiHttp, kDriver, 100, 150, api(5));
  m.sent_message(kApiHttp, kDriver, api(6));
  EXPECT_EQ(m.received(kDriver, kApiHttp, 0, 50), (Clocks{api(4), api(6)}));
  m.sent_message(kApiHttp, kDriver, api(7));
  // The driver reads the response whole.
  EXPECT_EQ(m.received_any(kDriver, kApiHttp), (Clocks{api(4), api(5), api(7)}));
  EXPECT_EQ(m.pending(kApiHttp, kDriver), 0u);
  EXPECT_TRUE(m.received_any(kDriver, kApiHttp).empty());
}

TEST(MessageLedger, ClosedForgetsBothDirections) {
  MessageLedger m;
  m.sent(kApi, kRedis, 0, 10, api(1));
  m.sent(kRedis, kApi, 0, 5, {{"redis", 1}});
  m.closed(kApi, kRedis);
  EXPECT_EQ(m.pending(kApi, kRedis), 0u);
  EXPECT_EQ(m.pending(kRedis, kApi), 0u);
  EXPECT_TRUE(m.received(kRedis, kApi, 0, 10).empty());
  // A new connection on the same endpoints starts again at byte 0.
  m.sent(kApi, kRedis, 0, 3, api(2));
  EXPECT_EQ(m.received(kRedis, kApi, 0, 3), (Clocks{api(2)}));
}

TEST(MessageLedger, MisuseThrows) {
  MessageLedger m;
  EXPECT_THROW(m.sent(kApi, kRedis, 10, 5, api(1)), std::invalid_argument);
  EXPECT_THROW(m.received(kRedis, kApi, 10, 5), std::invalid_argument);
  m.sent(kApi, kRedis, 0, 10, api(1));
  // Bytes 0..3 again without a close: another connection on the same endpoints.
  try {
    m.sent(kApi, kRedis, 0, 3, api(2));
    FAIL() << "accepted a send that goes back in the stream";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find(kApi + " -> " + kRedis), std::string::npos) << e.what();
  }
  EXPECT_EQ(m.pending(kApi, kRedis), 1u);
}
