// FaultRules matching on synthetic events: a fake target answers what an fd
// is, what a path argument says and where a connect goes, and counts how
// often it was asked (the fast path must not ask at all). The same rules on
// real processes under the real filter: fault_rules_e2e_test.cpp.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <random>
#include <string>

#include "engine/FaultRules.h"
#include "engine/PathGlob.h"
#include "engine/ServiceMap.h"
#include "engine/SocketAddress.h"
#include "engine/SyscallShape.h"
#include "engine/TargetQuery.h"

using namespace faultbox::engine;
using faultbox::star::FaultRule;
using faultbox::star::FaultSpec;
using Kind = FaultOutcome::Kind;

namespace {

constexpr pid_t kApi = 100, kApiWorker = 101, kRedis = 200, kSearch = 300, kStranger = 400;

SocketAddress addr(const char* ip, uint16_t port) { return *SocketAddress::from_numeric(ip, port); }

FdFacts file(std::string path) {
  FdFacts f;
  f.kind = FdKind::RegularFile;
  f.path = std::move(path);
  f.ino = std::hash<std::string>{}(f.path);
  return f;
}

FdFacts pipe_fd() {
  FdFacts f;
  f.kind = FdKind::Pipe;
  return f;
}

FdFacts tcp(std::optional<SocketAddress> local, std::optional<SocketAddress> peer, bool listening = false) {
  FdFacts f;
  f.kind = FdKind::Socket;
  f.socket.domain = AF_INET;
  f.socket.type = SOCK_STREAM;
  f.socket.local = std::move(local);
  f.socket.peer = std::move(peer);
  f.socket.listening = listening;
  return f;
}

FdFacts udp() {
  FdFacts f = tcp(std::nullopt, std::nullopt);
  f.socket.type = SOCK_DGRAM;
  return f;
}

FdFacts unix_stream() {
  FdFacts f = tcp(std::nullopt, std::nullopt);
  f.socket.domain = AF_UNIX;
  return f;
}

// Answers from tables; counts every question.
class FakeTarget : public TargetQuery {
 public:
  std::map<std::pair<pid_t, int>, FdFacts> fds;
  std::map<uint64_t, std::string> strings;
  std::map<uint64_t, SocketAddress> sockaddrs;
  std::string cwd = "/srv/api";
  int questions = 0;

  const FdFacts* fd(pid_t tgid, int fd) override {
    ++questions;
    auto it = fds.find({tgid, fd});
    return it == fds.end() ? nullptr : &it->second;
  }
  std::optional<std::string> string_at(pid_t, uint64_t a) override {
    ++questions;
    auto it = strings.find(a);
    if (it == strings.end()) return std::nullopt;
    return it->second;
  }
  std::optional<SocketAddress> sockaddr_at(pid_t, uint64_t a, uint64_t) override {
    ++questions;
    auto it = sockaddrs.find(a);
    if (it == sockaddrs.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> absolute(pid_t, pid_t, int dirfd, const std::string& path) override {
    ++questions;
    if (!path.empty() && path[0] == '/') return path;
    if (dirfd != AT_FDCWD) return std::nullopt;
    return cwd + "/" + path;
  }
};

FaultRule deny(const char* name, int err) {
  FaultRule r;
  r.kind = FaultRule::Kind::Deny;
  r.errno_name = name;
  r.errno_value = err;
  return r;
}

FaultRule delay_ms(int64_t ms) {
  FaultRule r;
  r.kind = FaultRule::Kind::Delay;
  r.delay_ns = ms * 1000000;
  return r;
}

FaultSpec fault(std::string target, std::string key, FaultRule rule, std::string direction = "both") {
  FaultSpec s;
  s.target = std::move(target);
  s.rules.emplace_back(std::move(key), std::move(rule));
  s.direction = std::move(direction);
  return s;
}

SyscallEvent event(pid_t pid, std::string_view name, std::initializer_list<uint64_t> args) {
  SyscallEvent ev;
  ev.id = 1;
  ev.tid = pid;
  ev.tgid = pid;
  ev.name = name;
  int i = 0;
  for (uint64_t a : args) ev.args[i++] = a;
  return ev;
}

// AT_FDCWD as the register carries it (sign-extended int).
const uint64_t kCwd = static_cast<uint64_t>(static_cast<int64_t>(AT_FDCWD));

class FaultRulesTest : public ::testing::Test {
 protected:
  FaultRulesTest() : rules_(services_, rng_) {
    services_.add_service({"api", {8080}, {}});
    services_.add_service({"redis", {6379}, {}});
    services_.add_service({"search", {9200}, {}});
    services_.add_process("api", kApi);
    services_.add_process("redis", kRedis);
    services_.add_process("search", kSearch);
    // Children are found by the run's resolver (cgroups in production).
    services_.set_resolver([](pid_t tgid) -> std::optional<std::string> {
      if (tgid == kApiWorker) return "api";
      return std::nullopt;
    });
    // api: fd 1 stdout pipe, 3 a data file, 4 a log file, 5 its redis
    // connection, 6 an accepted client, 7 its listener, 8 a socket about to
    // connect, 9 a UDP socket, 10 a unix socket.
    t_.fds[{kApi, 1}] = pipe_fd();
    t_.fds[{kApi, 3}] = file("/data/orders/2024.db");
    t_.fds[{kApi, 4}] = file("/var/log/api.log");
    t_.fds[{kApi, 5}] = tcp(addr("127.0.0.1", 40000), addr("127.0.0.1", 6379));
    t_.fds[{kApi, 6}] = tcp(addr("127.0.0.1", 8080), addr("127.0.0.1", 50000));
    t_.fds[{kApi, 7}] = tcp(addr("0.0.0.0", 8080), std::nullopt, true);
    t_.fds[{kApi, 8}] = tcp(std::nullopt, std::nullopt);
    t_.fds[{kApi, 9}] = udp();
    t_.fds[{kApi, 10}] = unix_stream();
    t_.fds[{kApiWorker, 3}] = file("/data/orders/2025.db");
    // redis: 5 its end of api's connection, 6 an outbound link to search,
    // 8 a socket about to connect.
    t_.fds[{kRedis, 5}] = tcp(addr("127.0.0.1", 6379), addr("127.0.0.1", 40000));
    t_.fds[{kRedis, 6}] = tcp(addr("127.0.0.1", 41000), addr("127.0.0.1", 9200));
    t_.fds[{kRedis, 8}] = tcp(std::nullopt, std::nullopt);
    t_.fds[{kRedis, 3}] = file("/var/lib/redis/dump.rdb");
    // search: 8 a socket about to connect, 5 its link to redis (v4-mapped).
    t_.fds[{kSearch, 8}] = tcp(std::nullopt, std::nullopt);
    t_.fds[{kSearch, 5}] = tcp(addr("::ffff:127.0.0.1", 42000), addr("::ffff:127.0.0.1", 6379));
    t_.sockaddrs[0x1000] = addr("127.0.0.1", 6379);
    t_.sockaddrs[0x2000] = addr("127.0.0.1", 9200);
    t_.sockaddrs[0x3000] = addr("::1", 6379);
    t_.sockaddrs[0x4000] = addr("10.1.2.3", 443);
    SocketAddress un;
    un.family = AF_UNIX;
    un.unix_path = "/run/redis.sock";
    t_.sockaddrs[0x5000] = un;
  }

  FaultOutcome decide(const SyscallEvent& ev) {
    return rules_.decide(ev, t_, [this] { return valid_; });
  }
  FaultOutcome write(pid_t pid, int fd) { return decide(event(pid, "write", {static_cast<uint64_t>(fd), 0, 1})); }
  FaultOutcome connect(pid_t pid, int fd, uint64_t sockaddr) {
    return decide(event(pid, "connect", {static_cast<uint64_t>(fd), sockaddr, 16}));
  }
  uint64_t hits(FaultRules::AppId app, size_t rule = 0) { return rules_.report(app).rules.at(rule).hits; }

  ServiceMap services_;
  std::mt19937_64 rng_{4711};
  FaultRules rules_;
  FakeTarget t_;
  bool valid_ = true;
};

// --- the fast path ------------------------------------------------------------

TEST_F(FaultRulesTest, NoRuleForTheSyscallAsksTheTargetNothing) {
  EXPECT_EQ(write(kApi, 3).kind, Kind::Allow);
  EXPECT_EQ(t_.questions, 0);
  rules_.apply(fault("api", "write", deny("ENOSPC", ENOSPC)));
  EXPECT_TRUE(rules_.active_for("pwritev2"));
  EXPECT_FALSE(rules_.active_for("read"));
  EXPECT_EQ(decide(event(kApi, "read", {3})).kind, Kind::Allow);
  EXPECT_EQ(decide(event(kApi, "openat", {kCwd, 0x10})).kind, Kind::Allow);
  EXPECT_EQ(t_.questions, 0);
  // Another service's write is ruled out by the process table alone.
  EXPECT_EQ(write(kRedis, 3).kind, Kind::Allow);
  EXPECT_EQ(t_.questions, 0);
}

// --- the write family and the disk ---------------------------------------------

TEST_F(FaultRulesTest, DiskFullHitsRegularFilesOnly) {
  auto app = rules_.apply(fault("api", "write", deny("ENOSPC", ENOSPC)));
  FaultOutcome o = write(kApi, 3);
  EXPECT_EQ(o.kind, Kind::Fail);
  EXPECT_EQ(o.err, ENOSPC);
  ASSERT_TRUE(o.rule.has_value());
  EXPECT_EQ(o.rule->app, app);
  EXPECT_EQ(write(kApi, 1).kind, Kind::Allow) << "stdout is a pipe";
  EXPECT_EQ(write(kApi, 5).kind, Kind::Allow) << "socket writes still work";
  EXPECT_EQ(write(kApi, 6).kind, Kind::Allow);
  EXPECT_EQ(write(kApi, 42).kind, Kind::Allow) << "a closed fd fails EBADF by itself";
  EXPECT_EQ(decide(event(kApi, "pwrite64", {4, 0, 1, 0})).kind, Kind::Fail) << "every member of the family";
  EXPECT_EQ(decide(event(kApi, "sendto", {5})).kind, Kind::Allow) << "send is not write";
  EXPECT_EQ(hits(app), 2u);
}

TEST_F(FaultRulesTest, EveryDiskErrnoMeansFilesOnly) {
  for (auto [name, err] : {std::pair{"EIO", EIO}, {"EDQUOT", EDQUOT}, {"EFBIG", EFBIG}, {"EROFS", EROFS}}) {
    auto app = rules_.apply(fault("api", "writev", deny(name, err)));
    EXPECT_EQ(decide(event(kApi, "writev", {3})).err, err) << name;
    EXPECT_EQ(decide(event(kApi, "writev", {5})).kind, Kind::Allow) << name;
    rules_.remove(app);
  }
}

TEST_F(FaultRulesTest, OtherErrnosOnWriteHitEveryFd) {
  rules_.apply(fault("api", "write", deny("EPIPE", EPIPE)));
  EXPECT_EQ(write(kApi, 3).err, EPIPE);
  EXPECT_EQ(write(kApi, 5).err, EPIPE);
  EXPECT_EQ(write(kApi, 1).err, EPIPE);
}

TEST_F(FaultRulesTest, OnSaysWhichFds) {
  FaultRule sock = deny("ENOSPC", ENOSPC);
  sock.on = "socket";
  auto a = rules_.apply(fault("api", "write", sock));
  EXPECT_EQ(write(kApi, 3).kind, Kind::Allow);
  EXPECT_EQ(write(kApi, 5).err, ENOSPC);
  EXPECT_EQ(write(kApi, 1).kind, Kind::Allow);
  rules_.remove(a);

  FaultRule any = deny("ENOSPC", ENOSPC);
  any.on = "any";
  a = rules_.apply(fault("api", "write", any));
  EXPECT_EQ(write(kApi, 3).err, ENOSPC);
  EXPECT_EQ(write(kApi, 5).err, ENOSPC);
  EXPECT_EQ(write(kApi, 1).err, ENOSPC);
  rules_.remove(a);

  FaultRule files = deny("EPIPE", EPIPE);
  files.on = "file";
  a = rules_.apply(fault("api", "write", files));
  EXPECT_EQ(write(kApi, 3).err, EPIPE);
  EXPECT_EQ(write(kApi, 5).kind, Kind::Allow);
  EXPECT_EQ(write(kApi, 1).kind, Kind::Allow);
  rules_.remove(a);

  // on= on a path syscall: a path is a file.
  t_.strings[0x10] = "/data/x";
  FaultRule open_sock = deny("EACCES", EACCES);
  open_sock.on = "socket";
  a = rules_.apply(fault("api", "open", open_sock));
  EXPECT_EQ(decide(event(kApi, "openat", {kCwd, 0x10})).kind, Kind::Allow);
}

TEST_F(FaultRulesTest, PathGlobOnTheFdsFile) {
  FaultRule r = deny("ENOSPC", ENOSPC);
  r.path = "/data/**";
  auto app = rules_.apply(fault("api", "write", r));
  EXPECT_EQ(write(kApi, 3).err, ENOSPC);
  EXPECT_EQ(write(kApi, 4).kind, Kind::Allow) << "/var/log is not /data";
  EXPECT_EQ(write(kApi, 5).kind, Kind::Allow) << "a socket has no path";
  EXPECT_EQ(write(kApiWorker, 3).err, ENOSPC) << "the service's child, found by the resolver";
  EXPECT_EQ(hits(app), 2u);
}

TEST_F(FaultRulesTest, PathGlobOnPathArguments) {
  t_.strings[0x10] = "orders/x.db";       // relative to the cwd /srv/api
  t_.strings[0x20] = "/etc/ld.so.cache";  // what the loader opens
  t_.strings[0x30] = "/tmp/a";
  t_.strings[0x40] = "/srv/api/orders/y.db";
  FaultRule r = deny("EACCES", EACCES);
  r.path = "/srv/api/orders/*.db";
  auto app = rules_.apply(fault("api", "open", r));
  EXPECT_EQ(decide(event(kApi, "openat", {kCwd, 0x10, O_RDONLY})).err, EACCES);
  EXPECT_EQ(decide(event(kApi, "openat", {kCwd, 0x20, O_RDONLY})).kind, Kind::Allow);
  EXPECT_EQ(decide(event(kApi, "open", {0x40, O_RDONLY})).err, EACCES);
  EXPECT_EQ(hits(app), 2u);
  rules_.remove(app);

  // A pattern without '/' names a file in any folder.
  FaultRule base = deny("EACCES", EACCES);
  base.path = "*.db";
  app = rules_.apply(fault("api", "open", base));
  EXPECT_EQ(decide(event(kApi, "openat", {kCwd, 0x10})).err, EACCES);
  EXPECT_EQ(decide(event(kApi, "openat", {kCwd, 0x30})).kind, Kind::Allow);
  rules_.remove(app);

  // rename: either of its two paths.
  FaultRule ren = deny("EXDEV", EXDEV);
  ren.path = "/srv/api/orders/*";
  app = rules_.apply(fault("api", "rename", ren));
  EXPECT_EQ(decide(event(kApi, "renameat2", {kCwd, 0x30, kCwd, 0x40, 0})).err, EXDEV);
  EXPECT_EQ(decide(event(kApi, "rename", {0x30, 0x20})).kind, Kind::Allow);
}

TEST_F(FaultRulesTest, RulesApplyToTheTargetServiceOnly) {
  auto app = rules_.apply(fault("redis", "fsync", deny("EIO", EIO)));
  EXPECT_EQ(decide(event(kApi, "fsync", {3})).kind, Kind::Allow);
  EXPECT_EQ(decide(event(kStranger, "fsync", {3})).kind, Kind::Allow);
  EXPECT_EQ(decide(event(kRedis, "fdatasync", {3})).err, EIO);
  EXPECT_EQ(hits(app), 1u);
}

// --- connect: a service's links ------------------------------------------------

TEST_F(FaultRulesTest, ConnectDenyCutsInboundAndOutboundConnects) {
  auto app = rules_.apply(fault("redis", "connect", deny("ECONNREFUSED", ECONNREFUSED)));
  // Others dialling redis are refused — over IPv4 or IPv6 loopback.
  EXPECT_EQ(connect(kApi, 8, 0x1000).err, ECONNREFUSED);
  EXPECT_EQ(connect(kSearch, 8, 0x3000).err, ECONNREFUSED);
  // Others dialling anyone else are not.
  EXPECT_EQ(connect(kApi, 8, 0x2000).kind, Kind::Allow);
  EXPECT_EQ(connect(kApi, 8, 0x4000).kind, Kind::Allow);
  // Redis's own connects fail, wherever they go.
  EXPECT_EQ(connect(kRedis, 8, 0x2000).err, ECONNREFUSED);
  EXPECT_EQ(connect(kRedis, 8, 0x4000).err, ECONNREFUSED);
  EXPECT_EQ(hits(app), 4u);
}

TEST_F(FaultRulesTest, DirectionNarrowsTheLinks) {
  auto in = rules_.apply(fault("redis", "connect", deny("ECONNREFUSED", ECONNREFUSED), "in"));
  EXPECT_EQ(connect(kApi, 8, 0x1000).err, ECONNREFUSED);
  EXPECT_EQ(connect(kRedis, 8, 0x2000).kind, Kind::Allow);
  rules_.remove(in);
  auto out = rules_.apply(fault("redis", "connect", deny("ECONNREFUSED", ECONNREFUSED), "out"));
  EXPECT_EQ(connect(kApi, 8, 0x1000).kind, Kind::Allow);
  EXPECT_EQ(connect(kRedis, 8, 0x2000).err, ECONNREFUSED);
  rules_.remove(out);
}

TEST_F(FaultRulesTest, ConnectRulesLeaveDatagramAndUnixSocketsAlone) {
  rules_.apply(fault("redis", "connect", deny("ECONNREFUSED", ECONNREFUSED)));
  EXPECT_EQ(connect(kApi, 9, 0x1000).kind, Kind::Allow) << "a UDP connect contacts nobody";
  EXPECT_EQ(connect(kApi, 10, 0x5000).kind, Kind::Allow) << "unix sockets are not interfaces";
  t_.fds[{kRedis, 9}] = udp();
  EXPECT_EQ(connect(kRedis, 9, 0x4000).kind, Kind::Allow) << "getaddrinfo's source-address probe";
}

TEST_F(FaultRulesTest, ConnectDenyBreaksOpenConnectionsBothEnds) {
  auto app = rules_.apply(fault("redis", "connect", deny("ECONNREFUSED", ECONNREFUSED), "both"));
  // api's end of its redis connection: every way of moving bytes fails.
  for (std::string_view sc : {"write", "read", "sendto", "recvfrom", "writev", "recvmsg"}) {
    FaultOutcome o = decide(event(kApi, sc, {5}));
    EXPECT_EQ(o.err, ECONNRESET) << sc;
    EXPECT_TRUE(o.cut) << sc;
  }
  // redis's end of the same connection.
  EXPECT_EQ(decide(event(kRedis, "read", {5})).err, ECONNRESET);
  // search's link to redis, seen through a dual-stack socket.
  EXPECT_EQ(decide(event(kSearch, "read", {5})).err, ECONNRESET);
  // redis's own outbound link (direction both).
  EXPECT_EQ(decide(event(kRedis, "write", {6})).err, ECONNRESET);
  // Not redis's links: api's accepted client, its listener, files, pipes.
  EXPECT_EQ(decide(event(kApi, "read", {6})).kind, Kind::Allow);
  EXPECT_EQ(decide(event(kApi, "read", {7})).kind, Kind::Allow);
  EXPECT_EQ(decide(event(kApi, "write", {3})).kind, Kind::Allow);
  EXPECT_EQ(decide(event(kApi, "write", {1})).kind, Kind::Allow);
  EXPECT_EQ(decide(event(kRedis, "write", {3})).kind, Kind::Allow);

  FaultRules::RuleReport rep = rules_.report(app).rules.at(0);
  EXPECT_EQ(rep.cut_connections, 3u) << "api↔redis (both ends count once), search↔redis, redis↔search";
  EXPECT_EQ(rep.hits, 9u);
  EXPECT_EQ(rep.summary(), "connect=deny(\"ECONNREFUSED\"): 9 hits, cut 3 open connections");
}

TEST_F(FaultRulesTest, InboundOnlyCutLeavesTheTargetsOwnLinks) {
  auto app = rules_.apply(fault("redis", "connect", deny("ECONNREFUSED", ECONNREFUSED), "in"));
  EXPECT_EQ(decide(event(kApi, "write", {5})).err, ECONNRESET);
  EXPECT_EQ(decide(event(kRedis, "write", {5})).err, ECONNRESET);
  EXPECT_EQ(decide(event(kRedis, "write", {6})).kind, Kind::Allow);
  EXPECT_EQ(rules_.report(app).rules.at(0).cut_connections, 1u);
}

TEST_F(FaultRulesTest, TransientConnectDenyLeavesOpenConnections) {
  FaultRule once = deny("ECONNREFUSED", ECONNREFUSED);
  once.times = 1;
  auto app = rules_.apply(fault("redis", "connect", once));
  EXPECT_FALSE(rules_.active_for("write"));
  EXPECT_EQ(decide(event(kApi, "write", {5})).kind, Kind::Allow);
  EXPECT_EQ(connect(kApi, 8, 0x1000).err, ECONNREFUSED);
  EXPECT_EQ(connect(kApi, 8, 0x1000).kind, Kind::Allow) << "times=1";
  EXPECT_EQ(hits(app), 1u);
  EXPECT_EQ(rules_.report(app).rules.at(0).matched, 2u);
}

TEST_F(FaultRulesTest, FaultboxsOwnConnectsAskTheRulesToo) {
  rules_.apply(fault("redis", "connect", deny("ECONNREFUSED", ECONNREFUSED)));
  EXPECT_EQ(rules_.decide_unintercepted_connect(addr("127.0.0.1", 6379)).err, ECONNREFUSED);
  EXPECT_EQ(rules_.decide_unintercepted_connect(addr("127.0.0.1", 8080)).kind, Kind::Allow);
}

// --- delays --------------------------------------------------------------------

TEST_F(FaultRulesTest, DelayOnAnySyscallButConnectContinuesLater) {
  auto app = rules_.apply(fault("api", "fsync", delay_ms(250)));
  FaultOutcome o = decide(event(kApi, "fsync", {3}));
  EXPECT_EQ(o.kind, Kind::ContinueAfter);
  EXPECT_EQ(o.delay_ns, 250'000'000);
  EXPECT_EQ(o.decision().kind, Decision::Kind::Continue);
  EXPECT_EQ(hits(app), 1u);
  EXPECT_TRUE(rules_.wire_delays(app).empty());
}

TEST_F(FaultRulesTest, ConnectDelayIsAHeldSynWithAWire) {
  FaultRule slow = delay_ms(10000);
  slow.label = "search timeout";
  auto app = rules_.apply(fault("search", "connect", slow));
  auto wire = rules_.wire_delays(app);
  ASSERT_EQ(wire.size(), 1u);
  EXPECT_EQ(wire[0].match.dst_port, 9200);
  EXPECT_EQ(wire[0].match.dst_ip, "");
  EXPECT_EQ(wire[0].delay, std::chrono::milliseconds(10000));
  EXPECT_EQ(wire[0].rule.app, app);

  FaultOutcome o = connect(kApi, 8, 0x2000);
  EXPECT_EQ(o.kind, Kind::WireDelay);
  EXPECT_EQ(o.wire.dst_port, 9200);
  EXPECT_EQ(o.label, "search timeout");
  EXPECT_EQ(o.decision().kind, Decision::Kind::Continue) << "the syscall goes on; the SYN waits";
  EXPECT_EQ(hits(app), 0u) << "the SYN queue counts held connections";
  rules_.add_wire_hits(wire[0].rule, 2);
  EXPECT_EQ(hits(app), 2u);

  // search's own outbound connects cannot be told apart on the wire.
  t_.fds[{kSearch, 8}] = tcp(std::nullopt, std::nullopt);
  FaultOutcome own = connect(kSearch, 8, 0x1000);
  EXPECT_EQ(own.kind, Kind::ContinueAfter);
  FaultRules::RuleReport rep = rules_.remove(app).rules.at(0);
  EXPECT_EQ(rep.hits, 3u);
  EXPECT_EQ(rep.frozen, 1u);
  EXPECT_EQ(rep.summary(), "search timeout: 3 hits, 1 delayed by freezing the connect syscall");
}

TEST_F(FaultRulesTest, HostNetworkConnectDelayFreezesTheSyscall) {
  FaultRules host(services_, rng_, FaultRules::Options{.wire_delays = false});
  auto app = host.apply(fault("search", "connect", delay_ms(500)));
  EXPECT_TRUE(host.wire_delays(app).empty());
  FaultOutcome o = host.decide(event(kApi, "connect", {8, 0x2000, 16}), t_, [] { return true; });
  EXPECT_EQ(o.kind, Kind::ContinueAfter);
  EXPECT_EQ(o.delay_ns, 500'000'000);
  EXPECT_EQ(host.report(app).rules.at(0).frozen, 1u);
}

TEST_F(FaultRulesTest, PlacementConnectDelayIsDecidedPerCall) {
  FaultRule once = delay_ms(100);
  once.times = 1;
  auto app = rules_.apply(fault("search", "connect", once));
  EXPECT_TRUE(rules_.wire_delays(app).empty()) << "a SYN rule would hold every connection";
  EXPECT_EQ(connect(kApi, 8, 0x2000).kind, Kind::ContinueAfter);
  EXPECT_EQ(connect(kApi, 8, 0x2000).kind, Kind::Allow);
}

// --- triggers, nesting, reports --------------------------------------------------

TEST_F(FaultRulesTest, TimesLimitsHits) {
  FaultRule twice = deny("ENOSPC", ENOSPC);
  twice.times = 2;
  auto app = rules_.apply(fault("api", "write", twice));
  EXPECT_EQ(write(kApi, 3).kind, Kind::Fail);
  EXPECT_EQ(write(kApi, 5).kind, Kind::Allow) << "a socket does not use up a hit";
  EXPECT_EQ(write(kApi, 3).kind, Kind::Fail);
  EXPECT_EQ(write(kApi, 3).kind, Kind::Allow);
  EXPECT_EQ(hits(app), 2u);
}

TEST_F(FaultRulesTest, ProbabilityIsDrawnFromTheRunsSeed) {
  auto pattern = [&](uint64_t seed) {
    std::mt19937_64 rng(seed);
    FaultRules rules(services_, rng);
    FaultRule maybe = deny("ENOSPC", ENOSPC);
    maybe.probability = 0.5;
    rules.apply(fault("api", "write", maybe));
    std::string out;
    for (int i = 0; i < 400; ++i) {
      // Non-matching calls in between must not consume draws.
      rules.decide(event(kApi, "write", {5}), t_, [] { return true; });
      out += rules.decide(event(kApi, "write", {3}), t_, [] { return true; }).faulted() ? 'x' : '.';
    }
    return out;
  };
  std::string a = pattern(1), b = pattern(1), c = pattern(2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  auto n = std::count(a.begin(), a.end(), 'x');
  EXPECT_GT(n, 140);
  EXPECT_LT(n, 260);
}

TEST_F(FaultRulesTest, NestedApplicationsAddAndRemoveOnlyTheirOwn) {
  FaultRules::AppId outer = rules_.apply(fault("api", "write", deny("ENOSPC", ENOSPC)));
  FaultRule eio = deny("EIO", EIO);
  eio.times = 1;
  FaultSpec inner_spec = fault("api", "write", eio);
  inner_spec.rules.emplace_back("fsync", deny("EIO", EIO));
  FaultRules::AppId inner = rules_.apply(inner_spec);
  EXPECT_EQ(write(kApi, 3).err, EIO) << "the inner rule is asked first";
  EXPECT_EQ(write(kApi, 3).err, ENOSPC) << "used up: the outer one still applies";
  EXPECT_EQ(decide(event(kApi, "fsync", {3})).err, EIO);
  FaultRules::ApplicationReport ir = rules_.remove(inner);
  ASSERT_EQ(ir.rules.size(), 2u);
  EXPECT_EQ(ir.rules[0].hits, 1u);
  EXPECT_EQ(ir.rules[1].key, "fsync");
  EXPECT_EQ(ir.rules[1].hits, 1u);
  EXPECT_FALSE(rules_.active_for("fsync"));
  EXPECT_EQ(write(kApi, 3).err, ENOSPC);
  FaultRules::ApplicationReport orep = rules_.remove(outer);
  EXPECT_EQ(orep.rules.at(0).hits, 2u);
  EXPECT_TRUE(rules_.empty());
  EXPECT_EQ(write(kApi, 3).kind, Kind::Allow);
  EXPECT_TRUE(rules_.remove(outer).rules.empty()) << "removing twice is harmless";
}

TEST_F(FaultRulesTest, NeverFiredIsKnownWhenTheApplicationEnds) {
  t_.strings[0x10] = "/etc/ld.so.cache";
  FaultRule r = deny("EACCES", EACCES);
  r.path = "/never/opened/**";
  r.label = "no config";
  auto app = rules_.apply(fault("api", "open", r));
  EXPECT_EQ(decide(event(kApi, "openat", {kCwd, 0x10})).kind, Kind::Allow);
  FaultRules::RuleReport rep = rules_.remove(app).rules.at(0);
  EXPECT_TRUE(rep.never_fired());
  EXPECT_EQ(rep.summary(), "no config: never fired");
}

TEST_F(FaultRulesTest, AStaleNotificationIsAllowedAndCountsNothing) {
  auto app = rules_.apply(fault("api", "write", deny("ENOSPC", ENOSPC)));
  valid_ = false;
  FaultOutcome o = write(kApi, 3);
  EXPECT_EQ(o.kind, Kind::Allow);
  EXPECT_TRUE(o.stale);
  EXPECT_EQ(hits(app), 0u);
  EXPECT_EQ(rules_.report(app).rules.at(0).matched, 0u);
}

TEST_F(FaultRulesTest, BadApplicationsAreRefused) {
  EXPECT_THROW(rules_.apply(fault("nope", "write", deny("EIO", EIO))), std::invalid_argument);
  EXPECT_THROW(rules_.apply(fault("api", "frobnicate", deny("EIO", EIO))), std::invalid_argument);
  EXPECT_THROW(rules_.apply(fault("api", "connect", deny("EIO", EIO), "sideways")), std::invalid_argument);
  FaultRule bad_on = deny("EIO", EIO);
  bad_on.on = "disk";
  EXPECT_THROW(rules_.apply(fault("api", "write", bad_on)), std::invalid_argument);
  EXPECT_TRUE(rules_.empty());
}

// --- the pieces ------------------------------------------------------------------

TEST(PathGlob, GoFaultboxSemantics) {
  struct Case {
    const char* glob;
    const char* path;
    bool want;
  } cases[] = {
      {"/data/*", "/data/foo", true},
      {"/data/*", "/data/a/b", false},
      {"/data/**", "/data/a/b/c.wal", true},
      {"/data/**", "/data", true},
      {"/data/**/*.wal", "/data/a/b/x.wal", true},
      {"/data/**/*.wal", "/data/x.wal", true},
      {"/data/**/*.wal", "/data/a/x.txt", false},
      {"**/pg_wal/*", "/var/lib/postgresql/data/pg_wal/00000001", true},
      {"/var/lib/postgresql/**/pg_wal/*", "/var/lib/postgresql/data/pg_wal/00000001", true},
      {"/tmp/?.wal", "/tmp/a.wal", true},
      {"/tmp/[abc].wal", "/tmp/d.wal", false},
      {"/tmp/*.wal", "/tmp/nested/deep.wal", false},
  };
  for (const Case& c : cases) EXPECT_EQ(PathGlob(c.glob).matches(c.path), c.want) << c.glob << " vs " << c.path;
}

TEST(PathGlob, FilesAreMatchedAsTheUserMeansThem) {
  EXPECT_TRUE(PathGlob("*.log").matches_file("/var/log/api.log"));
  EXPECT_TRUE(PathGlob("orders.json").matches_file("/srv/api/orders.json"));
  EXPECT_FALSE(PathGlob("orders.json").matches_file("/srv/api/orders.json.tmp"));
  EXPECT_TRUE(PathGlob("data/*.db").matches_file("/srv/api/data/x.db", "data/x.db"));
  EXPECT_FALSE(PathGlob("data/*.db").matches_file("/srv/api/data/x.db"));
  EXPECT_TRUE(PathGlob("").matches_file("/anything"));
}

TEST(SocketAddress, ParsesAndClassifies) {
  sockaddr_in6 mapped{};
  mapped.sin6_family = AF_INET6;
  mapped.sin6_port = htons(6379);
  ::inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.sin6_addr);
  auto a = SocketAddress::parse(&mapped, sizeof mapped);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->family, AF_INET);
  EXPECT_TRUE(a->is_loopback());
  EXPECT_EQ(a->str(), "127.0.0.1:6379");
  EXPECT_EQ(*a, addr("127.0.0.1", 6379));
  EXPECT_TRUE(addr("::1", 80).is_loopback());
  EXPECT_EQ(addr("::1", 80).str(), "[::1]:80");
  EXPECT_TRUE(addr("0.0.0.0", 1).is_unspecified());
  EXPECT_FALSE(addr("10.0.0.1", 1).is_loopback());
  EXPECT_FALSE(SocketAddress::parse(&mapped, 4)) << "too short for its family";
}

TEST(ServiceMap, FindsChildrenThroughTheirParentsWithoutAResolver) {
  ServiceMap map;
  map.add_service({"svc", {80}, {}});
  // This test process is a "child" of its parent, registered as the service.
  map.add_process("svc", ::getppid());
  const ServiceMap::Service* s = map.service_of(::getpid());
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name, "svc");
  map.forget_process(::getpid());
  map.forget_process(::getppid());
  EXPECT_EQ(map.service_of(::getpid()), nullptr);
}

TEST(ServiceMap, TakesPortsFromTheTopology) {
  faultbox::star::Topology topo;
  faultbox::star::ServiceSpec redis;
  redis.name = "redis";
  redis.interfaces = {{"main", "redis", 6379}, {"metrics", "http", 9121}};
  topo.services.push_back(redis);
  ServiceMap map = ServiceMap::from_topology(topo);
  const ServiceMap::Service* s = map.find("redis");
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->has_port(9121));
  EXPECT_TRUE(s->reached_by(addr("127.0.0.1", 6379)));
  EXPECT_TRUE(s->reached_by(addr("::", 6379)));
  EXPECT_FALSE(s->reached_by(addr("10.0.0.7", 6379))) << "not one of its addresses";
  EXPECT_FALSE(s->reached_by(addr("127.0.0.1", 6380)));
}

TEST(SyscallShape, KnowsWhereTheArgumentsAre) {
  EXPECT_EQ(syscall_shape("pwrite64").fd_arg, 0);
  EXPECT_EQ(syscall_shape("openat").paths[0].path, 1);
  EXPECT_EQ(syscall_shape("openat").paths[0].dirfd, 0);
  EXPECT_EQ(syscall_shape("renameat2").paths[1].path, 3);
  EXPECT_EQ(syscall_shape("connect").sockaddr_arg, 1);
  EXPECT_EQ(syscall_shape("getrandom").fd_arg, -1);
  EXPECT_FALSE(syscall_shape("nosuchcall").has_path());
}

}  // namespace
