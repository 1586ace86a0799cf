// Transient-fault triggers nth= and after= (issue 3, item 4) in FaultRules
// matching: counted per rule over the calls that matched its conditions, so
// calls the rule does not cover (a socket write under a disk errno, another
// service's write) never move the count. Synthetic events on a fake target,
// as in fault_rules_test.cpp.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>

#include <cerrno>
#include <map>
#include <random>
#include <string>

#include "engine/FaultRules.h"
#include "engine/ServiceMap.h"
#include "engine/SocketAddress.h"
#include "engine/TargetQuery.h"

using namespace faultbox::engine;
using faultbox::star::FaultRule;
using faultbox::star::FaultSpec;
using Kind = FaultOutcome::Kind;

namespace {

constexpr pid_t kApi = 100, kSearch = 300;

// fd 3 is a regular file, fd 5 a connected TCP socket; nothing else exists.
class FilesAndASocket : public TargetQuery {
 public:
  FilesAndASocket() {
    file_.kind = FdKind::RegularFile;
    file_.path = "/data/orders.db";
    file_.ino = 1;
    socket_.kind = FdKind::Socket;
    socket_.socket.domain = AF_INET;
    socket_.socket.type = SOCK_STREAM;
    socket_.socket.local = SocketAddress::from_numeric("127.0.0.1", 40000);
    socket_.socket.peer = SocketAddress::from_numeric("127.0.0.1", 9200);
  }
  const FdFacts* fd(pid_t, int fd) override { return fd == 3 ? &file_ : fd == 5 ? &socket_ : nullptr; }
  std::optional<std::string> string_at(pid_t, uint64_t) override { return std::nullopt; }
  std::optional<SocketAddress> sockaddr_at(pid_t, uint64_t a, uint64_t) override {
    if (a == 0x2000) return SocketAddress::from_numeric("127.0.0.1", 9200);
    return std::nullopt;
  }
  std::optional<std::string> absolute(pid_t, pid_t, int, const std::string& path) override { return path; }

 private:
  FdFacts file_, socket_;
};

FaultRule enospc() {
  FaultRule r;
  r.kind = FaultRule::Kind::Deny;
  r.errno_name = "ENOSPC";
  r.errno_value = ENOSPC;
  return r;
}

FaultSpec fault(std::string target, std::string key, FaultRule rule) {
  FaultSpec s;
  s.target = std::move(target);
  s.rules.emplace_back(std::move(key), std::move(rule));
  return s;
}

class FaultTriggersTest : public ::testing::Test {
 protected:
  FaultTriggersTest() : rules_(services_, rng_) {
    services_.add_service({"api", {8080}, {}});
    services_.add_service({"search", {9200}, {}});
    services_.add_process("api", kApi);
    services_.add_process("search", kSearch);
  }

  FaultOutcome call(pid_t pid, std::string_view name, uint64_t fd, uint64_t arg1 = 0) {
    SyscallEvent ev;
    ev.id = 1;
    ev.tid = ev.tgid = pid;
    ev.name = name;
    ev.args[0] = fd;
    ev.args[1] = arg1;
    ev.args[2] = 16;
    return rules_.decide(ev, target_, [] { return true; });
  }
  Kind file_write() { return call(kApi, "write", 3).kind; }
  FaultRules::RuleReport report(FaultRules::AppId app) { return rules_.report(app).rules.at(0); }

  ServiceMap services_;
  std::mt19937_64 rng_{4711};
  FaultRules rules_;
  FilesAndASocket target_;
};

TEST_F(FaultTriggersTest, NthFaultsOnlyTheNthMatchingCall) {
  FaultRule third = enospc();
  third.nth = 3;
  auto app = rules_.apply(fault("api", "write", third));
  EXPECT_EQ(file_write(), Kind::Allow);
  EXPECT_EQ(file_write(), Kind::Allow);
  EXPECT_EQ(file_write(), Kind::Fail);
  EXPECT_EQ(file_write(), Kind::Allow);
  EXPECT_EQ(file_write(), Kind::Allow);
  EXPECT_EQ(report(app).hits, 1u);
  EXPECT_EQ(report(app).matched, 5u);
}

TEST_F(FaultTriggersTest, AfterLetsTheFirstCallsThroughAndFaultsTheRest) {
  FaultRule later = enospc();
  later.after = 2;
  auto app = rules_.apply(fault("api", "write", later));
  EXPECT_EQ(file_write(), Kind::Allow);
  EXPECT_EQ(file_write(), Kind::Allow);
  EXPECT_EQ(file_write(), Kind::Fail);
  EXPECT_EQ(file_write(), Kind::Fail);
  EXPECT_EQ(report(app).hits, 2u);
}

TEST_F(FaultTriggersTest, AfterWithTimesFaultsAWindow) {
  FaultRule window = enospc();
  window.after = 1;
  window.times = 2;
  auto app = rules_.apply(fault("api", "write", window));
  EXPECT_EQ(file_write(), Kind::Allow);
  EXPECT_EQ(file_write(), Kind::Fail);
  EXPECT_EQ(file_write(), Kind::Fail);
  EXPECT_EQ(file_write(), Kind::Allow) << "times=2 used up";
  EXPECT_EQ(report(app).hits, 2u);
}

TEST_F(FaultTriggersTest, CallsOutsideTheRuleDoNotCount) {
  FaultRule second = enospc();
  second.nth = 2;
  auto app = rules_.apply(fault("api", "write", second));
  // A disk errno hits files only: socket writes and other services' writes
  // are not matching calls, so they never advance the count.
  EXPECT_EQ(call(kApi, "write", 5).kind, Kind::Allow);
  EXPECT_EQ(call(kSearch, "write", 3).kind, Kind::Allow);
  EXPECT_EQ(file_write(), Kind::Allow);
  EXPECT_EQ(call(kApi, "write", 5).kind, Kind::Allow);
  EXPECT_EQ(file_write(), Kind::Fail);
  EXPECT_EQ(report(app).matched, 2u);
  EXPECT_EQ(report(app).hits, 1u);
}

TEST_F(FaultTriggersTest, EachRuleCountsItsOwnCalls) {
  FaultRule first = enospc();
  first.nth = 1;
  auto a = rules_.apply(fault("api", "write", first));
  auto b = rules_.apply(fault("search", "write", first));
  EXPECT_EQ(file_write(), Kind::Fail);
  EXPECT_EQ(call(kSearch, "write", 3).kind, Kind::Fail) << "search's rule has its own first call";
  EXPECT_EQ(file_write(), Kind::Allow);
  EXPECT_EQ(report(a).hits, 1u);
  EXPECT_EQ(report(b).hits, 1u);
}

TEST_F(FaultTriggersTest, TransientConnectDenyIsDecidedPerCallAndCutsNothing) {
  FaultRule second;
  second.kind = FaultRule::Kind::Deny;
  second.errno_name = "ECONNREFUSED";
  second.errno_value = ECONNREFUSED;
  second.nth = 2;
  EXPECT_TRUE(second.is_placement());
  auto app = rules_.apply(fault("search", "connect", second));
  EXPECT_FALSE(rules_.active_for("write")) << "a transient refusal leaves open connections alone";
  EXPECT_EQ(call(kApi, "connect", 5, 0x2000).kind, Kind::Allow);
  EXPECT_EQ(call(kApi, "connect", 5, 0x2000).err, ECONNREFUSED);
  EXPECT_EQ(call(kApi, "connect", 5, 0x2000).kind, Kind::Allow);
  EXPECT_EQ(report(app).hits, 1u);
}

TEST_F(FaultTriggersTest, ConnectDelayWithATriggerIsNoWireRule) {
  FaultRule slow;
  slow.kind = FaultRule::Kind::Delay;
  slow.delay_ns = 100'000'000;
  slow.after = 1;
  auto app = rules_.apply(fault("search", "connect", slow));
  EXPECT_TRUE(rules_.wire_delays(app).empty()) << "a SYN rule cannot let the first connection through";
  EXPECT_EQ(call(kApi, "connect", 5, 0x2000).kind, Kind::Allow);
  EXPECT_EQ(call(kApi, "connect", 5, 0x2000).kind, Kind::ContinueAfter);
}

TEST_F(FaultTriggersTest, FaultboxsOwnConnectsCountToo) {
  FaultRule first;
  first.kind = FaultRule::Kind::Deny;
  first.errno_name = "ECONNREFUSED";
  first.errno_value = ECONNREFUSED;
  first.nth = 1;
  rules_.apply(fault("search", "connect", first));
  auto dst = *SocketAddress::from_numeric("127.0.0.1", 9200);
  EXPECT_EQ(rules_.decide_unintercepted_connect(dst).err, ECONNREFUSED);
  EXPECT_EQ(rules_.decide_unintercepted_connect(dst).kind, Kind::Allow);
}

}  // namespace
