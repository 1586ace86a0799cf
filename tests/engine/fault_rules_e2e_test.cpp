// FaultRules on real processes under the real seccomp filter: every
// notification of every process goes through FaultRules::decide with a
// TargetInspector, as in production, from one thread (the loop thread's
// role). Fixtures (tests/fixtures/) make syscalls known exactly:
//   fd_writer   writes to a file, a socket, a pipe, a socket dup2'ed onto the
//               file's former fd number, and stdout
//   tcp_echo    a server; connect_timeout a client with its own timeout
//   conn_cut    a client holding a connection open across a fault
// Network tests run in their own namespace, so ports never collide; the
// wire-delay test also installs the rules' SYN delays in a SynDelayQueue, as
// the engine does when a fault starts.
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/EngineError.h"
#include "engine/EventLoop.h"
#include "engine/FaultRules.h"
#include "engine/NetworkNamespace.h"
#include "engine/ProcessLauncher.h"
#include "engine/SeccompProgram.h"
#include "engine/SeccompSupervisor.h"
#include "engine/ServiceMap.h"
#include "engine/SynDelayQueue.h"
#include "engine/TargetInspector.h"
#include "tests/engine/fault_test_support.h"

using namespace faultbox::engine;
using namespace std::chrono_literals;
using faultbox::star::FaultRule;
using faultbox::star::FaultSpec;
using faultbox::engine::testing::TempDir;
using faultbox::engine::testing::deny;
using faultbox::engine::testing::fault;

namespace {

const std::string kFixtures = FAULTBOX_FIXTURE_DIR;

// One run: services, their processes, the rules, and the run's EventLoop
// answering every notification through FaultRules on this thread (the loop
// thread's role in production). Optionally the run's SynDelayQueue.
class SupervisedRun {
 public:
  struct Proc {
    std::string service;
    LaunchedProcess lp;
    std::unique_ptr<SeccompSupervisor> sup;
    std::string out;
    bool out_closed = false;
    bool exited = false;
    int status = 0;
  };

  explicit SupervisedRun(bool own_netns, FaultRules::Options options = {})
      : program_(SeccompProgram::build_standard()), launcher_(program_), rules_(services_, rng_, options) {
    if (own_netns) netns_.emplace(NetworkNamespace::create());
  }
  ~SupervisedRun() {
    for (auto& p : procs_) {
      for (int fd : {p->sup->fd(), p->lp.stdout_pipe.get(), p->lp.pidfd.get()})
        if (loop_.watching(fd)) loop_.unwatch(fd);
      if (p->exited) continue;
      ::kill(p->lp.pid, SIGKILL);
      ::waitpid(p->lp.pid, nullptr, 0);
    }
  }

  ServiceMap& services() { return services_; }
  FaultRules& rules() { return rules_; }
  TargetInspector& inspector() { return inspector_; }
  // The run's SYN queue (needs the run's own namespace). Throws
  // EnvironmentError when this machine cannot queue packets.
  SynDelayQueue& syn_queue() {
    if (!queue_) queue_ = std::make_unique<SynDelayQueue>(loop_, *netns_);
    return *queue_;
  }

  Proc& start(const std::string& service, const std::string& fixture, std::vector<std::string> args) {
    LaunchSpec spec;
    spec.path = kFixtures + "/" + fixture;
    spec.argv = {spec.path};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    if (netns_) spec.netns_fd = netns_->fd();
    auto owned = std::make_unique<Proc>();
    Proc* p = owned.get();
    p->service = service;
    p->lp = launcher_.launch(spec);
    p->sup = std::make_unique<SeccompSupervisor>(std::move(p->lp.listener));
    inspector_.process_started();
    services_.add_process(service, p->lp.pid);
    procs_.push_back(std::move(owned));
    loop_.watch(p->sup->fd(), EPOLLIN, [this, p](uint32_t events) {
      // EPOLLHUP: no process is left behind the filter.
      if (!(events & EPOLLIN) || !serve(*p)) loop_.unwatch(p->sup->fd());
    });
    loop_.watch(p->lp.stdout_pipe.get(), EPOLLIN, [this, p](uint32_t) { read_out(*p); });
    loop_.watch(p->lp.pidfd.get(), EPOLLIN, [this, p](uint32_t) { reap(*p); });
    return *p;
  }

  // Runs the loop until `done` or the timeout; returns whether `done` held.
  bool pump_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
    return loop_.run_until(done, EventLoop::Clock::now() + timeout);
  }
  bool wait_exit(Proc& p) {
    return pump_until([&] { return p.exited && p.out_closed; });
  }

 private:
  bool serve(Proc& p) {
    return p.sup->handle_one([&](const SyscallEvent& ev) {
      // At receipt, as ServiceInstance::on_listener does.
      inspector_.observe(ev);
      FaultOutcome o = rules_.decide(ev, inspector_, [&] { return p.sup->still_valid(ev.id); });
      // The supervisor proper arms a timer; a test may just wait.
      if (o.kind == FaultOutcome::Kind::ContinueAfter) std::this_thread::sleep_for(std::chrono::nanoseconds(o.delay_ns));
      return o.decision();
    });
  }
  void read_out(Proc& p) {
    char buf[4096];
    ssize_t n = ::read(p.lp.stdout_pipe.get(), buf, sizeof buf);
    if (n > 0) {
      p.out.append(buf, static_cast<size_t>(n));
    } else {
      p.out_closed = true;
      loop_.unwatch(p.lp.stdout_pipe.get());
    }
  }
  void reap(Proc& p) {
    if (::waitpid(p.lp.pid, &p.status, WNOHANG) != p.lp.pid) return;
    p.exited = true;
    loop_.unwatch(p.lp.pidfd.get());
    if (loop_.watching(p.sup->fd())) loop_.unwatch(p.sup->fd());
    inspector_.forget_process(p.lp.pid);
    services_.forget_process(p.lp.pid);
  }

  SeccompProgram program_;
  ProcessLauncher launcher_;
  std::optional<NetworkNamespace> netns_;
  EventLoop loop_;
  std::unique_ptr<SynDelayQueue> queue_;  // destroyed before the loop it watches on
  ServiceMap services_;
  std::mt19937_64 rng_{4711};
  TargetInspector inspector_{TargetInspector::Watch::Notifications};
  FaultRules rules_;
  std::vector<std::unique_ptr<Proc>> procs_;
};

// fd_writer as service "api" under `rule` on the write family; returns its
// stdout and the rule's report.
struct WriterResult {
  std::string out;
  int exit_code = -1;
  FaultRules::RuleReport report;
  TargetInspector::Stats stats;
};

WriterResult run_fd_writer(const std::string& key, const FaultRule& rule) {
  TempDir dir;
  SupervisedRun run(false);
  run.services().add_service({"api", {}, {}});
  auto app = run.rules().apply(fault("api", key, rule));
  SupervisedRun::Proc& p = run.start("api", "fd_writer", {dir.path + "/out.txt"});
  EXPECT_TRUE(run.wait_exit(p));
  WriterResult r;
  r.out = p.out;
  r.exit_code = WIFEXITED(p.status) ? WEXITSTATUS(p.status) : -1;
  r.report = run.rules().remove(app).rules.at(0);
  r.stats = run.inspector().stats();
  return r;
}

// --- the disk -----------------------------------------------------------------

TEST(FaultRulesE2E, DiskFullFailsExactlyTheFileWrite) {
  WriterResult r = run_fd_writer("write", deny("ENOSPC", ENOSPC));
  EXPECT_EQ(r.out, "file=ENOSPC socket=ok pipe=ok dup2socket=ok\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.report.hits, 1u);
  EXPECT_EQ(r.report.matched, 1u);
  // The close and the dup2 onto the file's former number were watched: the
  // entry was dropped before the next write asked, never found stale.
  EXPECT_GE(r.stats.flux_drops, 1u);
  EXPECT_EQ(r.stats.cache_stale, 0u);
  EXPECT_EQ(r.stats.pidfd_opens, 1u) << "one pidfd per process, kept";
}

TEST(FaultRulesE2E, OnAnyFailsEveryWrite) {
  FaultRule r = deny("ENOSPC", ENOSPC);
  r.on = "any";
  WriterResult w = run_fd_writer("write", r);
  EXPECT_EQ(w.out, "") << "even its stdout line failed";
  EXPECT_EQ(w.exit_code, 0);
  EXPECT_EQ(w.report.hits, 5u) << "file, socket, pipe, dup2'ed socket, stdout";
}

TEST(FaultRulesE2E, OnSocketFailsTheSocketsOnly) {
  FaultRule r = deny("ENOSPC", ENOSPC);
  r.on = "socket";
  WriterResult w = run_fd_writer("write", r);
  EXPECT_EQ(w.out, "file=ok socket=ENOSPC pipe=ok dup2socket=ENOSPC\n");
  EXPECT_EQ(w.report.hits, 2u);
}

TEST(FaultRulesE2E, TimesOnceHitsOnce) {
  FaultRule r = deny("ENOSPC", ENOSPC);
  r.on = "socket";
  r.times = 1;
  WriterResult w = run_fd_writer("write", r);
  EXPECT_EQ(w.out, "file=ok socket=ENOSPC pipe=ok dup2socket=ok\n");
  EXPECT_EQ(w.report.hits, 1u);
  EXPECT_EQ(w.report.matched, 2u);
}

TEST(FaultRulesE2E, PathGlobSelectsTheFile) {
  FaultRule hit = deny("ENOSPC", ENOSPC);
  hit.path = "/tmp/faultbox-rules-*/*.txt";
  WriterResult w = run_fd_writer("write", hit);
  EXPECT_EQ(w.out, "file=ENOSPC socket=ok pipe=ok dup2socket=ok\n");
  EXPECT_EQ(w.report.hits, 1u);

  FaultRule miss = deny("ENOSPC", ENOSPC);
  miss.path = "/nonexistent/**";
  w = run_fd_writer("write", miss);
  EXPECT_EQ(w.out, "file=ok socket=ok pipe=ok dup2socket=ok\n");
  EXPECT_TRUE(w.report.never_fired());
}

TEST(FaultRulesE2E, OpenRuleOnAPathNeverOpenedNeverFires) {
  FaultRule r = deny("EACCES", EACCES);
  r.path = "/never/opened/**";
  r.label = "config unreadable";
  WriterResult w = run_fd_writer("open", r);
  EXPECT_EQ(w.out, "file=ok socket=ok pipe=ok dup2socket=ok\n");
  EXPECT_TRUE(w.report.never_fired());
  EXPECT_EQ(w.report.summary(), "config unreadable: never fired");
}

TEST(FaultRulesE2E, OpenRuleOnThePathItOpensFires) {
  FaultRule r = deny("EACCES", EACCES);
  r.path = "out.txt";  // no '/': a file of that name in any folder
  WriterResult w = run_fd_writer("open", r);
  EXPECT_EQ(w.exit_code, 1) << "fd_writer gives up when its file cannot be opened";
  EXPECT_EQ(w.report.hits, 1u) << "the loader's own opens (libc, ld.so.cache) do not match";
}

// --- connect: a service's links ------------------------------------------------

constexpr int kPort = 7100;

TEST(FaultRulesE2E, ConnectDenyRefusesNewConnectionsToTheService) {
  SupervisedRun run(true);
  run.services().add_service({"server", {kPort}, {}});
  run.services().add_service({"client", {}, {}});
  SupervisedRun::Proc& server = run.start("server", "tcp_echo", {std::to_string(kPort), "report-close"});
  ASSERT_TRUE(run.pump_until([&] { return server.out == "listening\n"; }));

  SupervisedRun::Proc& before = run.start("client", "connect_timeout", {"127.0.0.1", std::to_string(kPort), "2000"});
  ASSERT_TRUE(run.wait_exit(before));
  EXPECT_EQ(before.out.rfind("connected ", 0), 0u) << before.out;
  // The server's read of that connection's end must not still be in flight
  // when the deny starts: it would be a cut (a hit) of an open connection.
  ASSERT_TRUE(run.pump_until([&] { return server.out == "listening\nclosed\n"; })) << server.out;

  FaultRule down = deny("ECONNREFUSED", ECONNREFUSED);
  down.label = "server down";
  auto app = run.rules().apply(fault("server", "connect", down));
  SupervisedRun::Proc& during = run.start("client", "connect_timeout", {"127.0.0.1", std::to_string(kPort), "2000"});
  ASSERT_TRUE(run.wait_exit(during));
  EXPECT_EQ(during.out.rfind("error Connection refused ", 0), 0u) << during.out;
  FaultRules::RuleReport rep = run.rules().remove(app).rules.at(0);
  EXPECT_EQ(rep.hits, 1u);
  EXPECT_EQ(rep.cut_connections, 0u);

  SupervisedRun::Proc& after = run.start("client", "connect_timeout", {"127.0.0.1", std::to_string(kPort), "2000"});
  ASSERT_TRUE(run.wait_exit(after));
  EXPECT_EQ(after.out.rfind("connected ", 0), 0u) << "the fault is gone: " << after.out;
}

TEST(FaultRulesE2E, ConnectDenyCutsConnectionsAlreadyOpen) {
  SupervisedRun run(true);
  run.services().add_service({"redis", {kPort}, {}});
  run.services().add_service({"api", {}, {}});
  SupervisedRun::Proc& server = run.start("redis", "tcp_echo", {std::to_string(kPort)});
  ASSERT_TRUE(run.pump_until([&] { return server.out == "listening\n"; }));
  SupervisedRun::Proc& client = run.start("api", "conn_cut", {std::to_string(kPort)});
  ASSERT_TRUE(run.pump_until([&] { return client.out == "echo=ok\n"; })) << client.out;

  FaultRule down = deny("ECONNREFUSED", ECONNREFUSED);
  down.label = "Redis down";
  auto app = run.rules().apply(fault("redis", "connect", down));
  ASSERT_EQ(::kill(client.lp.pid, SIGUSR1), 0);
  ASSERT_TRUE(run.wait_exit(client));
  EXPECT_EQ(client.out, "echo=ok\nwrite=ECONNRESET read=ECONNRESET reconnect=ECONNREFUSED\n");
  FaultRules::RuleReport rep = run.rules().remove(app).rules.at(0);
  EXPECT_EQ(rep.cut_connections, 1u);
  EXPECT_EQ(rep.hits, 3u);
  EXPECT_EQ(rep.summary(), "Redis down: 3 hits, cut 1 open connection");
}

TEST(FaultRulesE2E, ConnectDelayHoldsTheSynSoTheCallersOwnTimeoutFires) {
  SupervisedRun run(true);
  try {
    run.syn_queue();
  } catch (const EnvironmentError& e) {
    GTEST_FAIL() << e.what();
  }
  run.services().add_service({"search", {kPort}, {}});
  run.services().add_service({"api", {}, {}});
  SupervisedRun::Proc& server = run.start("search", "tcp_echo", {std::to_string(kPort)});
  ASSERT_TRUE(run.pump_until([&] { return server.out == "listening\n"; }));

  FaultRule slow;
  slow.kind = FaultRule::Kind::Delay;
  slow.delay_ns = 3'000'000'000;
  slow.label = "search timeout";
  auto app = run.rules().apply(fault("search", "connect", slow));
  // What the engine does when a fault starts: install its SYN rules.
  std::vector<std::pair<RuleRef, SynDelayQueue::RuleId>> installed;
  for (const FaultRules::WireDelayRule& w : run.rules().wire_delays(app))
    installed.emplace_back(w.rule, run.syn_queue().add_delay(w.match, w.delay));
  ASSERT_EQ(installed.size(), 1u);

  auto t0 = std::chrono::steady_clock::now();
  SupervisedRun::Proc& client = run.start("api", "connect_timeout", {"127.0.0.1", std::to_string(kPort), "500"});
  ASSERT_TRUE(run.wait_exit(client));
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(client.out.rfind("timeout ", 0), 0u) << client.out;
  EXPECT_LT(took, 2500ms) << "the caller's 500 ms timeout decided, not the 3 s delay";

  // ...and when it ends: remove them, and count what they held.
  for (auto [rule, id] : installed) run.rules().add_wire_hits(rule, run.syn_queue().remove(id));
  FaultRules::RuleReport rep = run.rules().remove(app).rules.at(0);
  EXPECT_EQ(rep.hits, 1u);
  EXPECT_EQ(rep.frozen, 0u);
  EXPECT_EQ(rep.summary(), "search timeout: 1 hit");
}

TEST(FaultRulesE2E, HostNetworkConnectDelayFreezesTheSyscall) {
  // No SYN queue here: the run is told it has none (--network host).
  SupervisedRun run(true, FaultRules::Options{.wire_delays = false});
  run.services().add_service({"search", {kPort}, {}});
  run.services().add_service({"api", {}, {}});
  SupervisedRun::Proc& server = run.start("search", "tcp_echo", {std::to_string(kPort)});
  ASSERT_TRUE(run.pump_until([&] { return server.out == "listening\n"; }));
  FaultRule slow;
  slow.kind = FaultRule::Kind::Delay;
  slow.delay_ns = 300'000'000;
  auto app = run.rules().apply(fault("search", "connect", slow));
  SupervisedRun::Proc& client = run.start("api", "connect_timeout", {"127.0.0.1", std::to_string(kPort), "5000"});
  ASSERT_TRUE(run.wait_exit(client));
  ASSERT_EQ(client.out.rfind("connected ", 0), 0u) << client.out;
  EXPECT_GE(std::atoi(client.out.c_str() + 10), 300);
  FaultRules::RuleReport rep = run.rules().remove(app).rules.at(0);
  EXPECT_EQ(rep.hits, 1u);
  EXPECT_EQ(rep.frozen, 1u);
}

}  // namespace
