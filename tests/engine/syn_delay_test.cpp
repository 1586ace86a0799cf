// Wire-level connect delays on real processes in a real run namespace: a
// tcp_echo service and a connect_timeout client (non-blocking connect with its
// own timeout), both started under the seccomp filter with a supervisor
// answering every notification, as in production. The SYN is held in the
// netfilter queue, so the client's own timeout decides, not a frozen syscall.
//
// Timing asserts are one-sided on purpose: lower bounds are guaranteed by the
// mechanism (a held SYN cannot be answered early); upper bounds are only
// generous sanity limits, since the machine may be loaded.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/EngineError.h"
#include "engine/EventLoop.h"
#include "engine/NetworkNamespace.h"
#include "engine/ProcessLauncher.h"
#include "engine/SeccompSupervisor.h"
#include "tests/engine/allow_all_supervisor.h"
#include "engine/SynDelayQueue.h"

using namespace faultbox::engine;
using faultbox::engine::testing::AllowAllSupervisor;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint16_t kPort = 47200;


// A client whose one line of output is collected by the event loop, so the
// queue keeps being served while we wait for it.
struct Client {
  pid_t pid = -1;
  Clock::time_point started;
  std::string out;
  bool done = false;
};

SynMatch to_port(int port) {
  SynMatch m;
  m.dst_port = static_cast<uint16_t>(port);
  return m;
}
SynMatch to(const std::string& ip, int port) {
  SynMatch m = to_port(port);
  m.dst_ip = ip;
  return m;
}

// `iptables -S OUTPUT` as seen inside the namespace `ns_fd`.
std::string rules_inside(int ns_fd, const std::string& iptables) {
  std::string path = "/usr/sbin/" + iptables;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return "pipe failed";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(p[1], 1);
    if (::setns(ns_fd, CLONE_NEWNET) < 0) ::_exit(126);
    ::execl(path.c_str(), iptables.c_str(), "-S", "OUTPUT", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(p[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(p[0]);
  ::waitpid(pid, nullptr, 0);
  return out;
}

// Parses "connected 312" into {"connected", 312}.
std::pair<std::string, long> verdict(const std::string& line) {
  std::istringstream in(line);
  std::string word;
  long ms = -1;
  in >> word;
  std::string last;
  for (std::string tok; in >> tok;) last = tok;
  if (!last.empty()) ms = std::stol(last);
  return {word, ms};
}

std::vector<std::string> wchans(pid_t pid) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream f(task.path() / "wchan");
    std::string w;
    std::getline(f, w);
    out.push_back(w);
  }
  return out;
}

// One run: its namespace, event loop, queue and the processes in it.
class TestRun {
 public:
  explicit TestRun(SynDelayQueue::Options opts = {})
      : ns_(NetworkNamespace::create()),
        prog_(SeccompProgram::build_standard()),
        launcher_(prog_),
        queue_(std::make_unique<SynDelayQueue>(loop_, ns_, opts)) {}
  ~TestRun() {
    for (auto& p : procs_) {
      ::kill(p.pid, SIGKILL);
      ::waitpid(p.pid, nullptr, 0);
    }
    for (auto& c : clients_)
      if (loop_.watching(c.second)) loop_.unwatch(c.second);
  }

  EventLoop& loop() { return loop_; }
  SynDelayQueue& queue() { return *queue_; }
  const NetworkNamespace& ns() const { return ns_; }

  void start_echo(uint16_t port) {
    LaunchedProcess& p = launch("tcp_echo", {std::to_string(port)});
    std::string line;
    char c;
    while (::read(p.stdout_pipe.get(), &c, 1) == 1 && c != '\n') line += c;
    ASSERT_EQ(line, "listening");
  }

  Client& start_client(const std::string& addr, uint16_t port, int timeout_ms) {
    auto client = std::make_unique<Client>();
    client->started = Clock::now();
    LaunchedProcess& p = launch("connect_timeout", {addr, std::to_string(port), std::to_string(timeout_ms)});
    client->pid = p.pid;
    int fd = p.stdout_pipe.get();
    Client* cp = client.get();
    loop_.watch(fd, EPOLLIN, [this, cp, fd](uint32_t) {
      char buf[256];
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) cp->out.append(buf, static_cast<size_t>(n));
      if (n <= 0 || cp->out.find('\n') != std::string::npos) {
        if (auto nl = cp->out.find('\n'); nl != std::string::npos) cp->out.resize(nl);
        cp->done = true;
        loop_.unwatch(fd);
      }
    });
    clients_.emplace_back(std::move(client), fd);
    return *clients_.back().first;
  }

  // Serves the loop until `done` or `limit` passes.
  bool serve_until(const std::function<bool()>& done, Clock::duration limit) {
    return loop_.run_until(done, Clock::now() + limit);
  }
  void serve_for(Clock::duration d) { serve_until([] { return false; }, d); }

 private:
  LaunchedProcess& launch(const std::string& fixture, std::vector<std::string> args) {
    LaunchSpec spec;
    spec.path = std::string(FAULTBOX_FIXTURE_DIR) + "/" + fixture;
    spec.argv = {spec.path};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.netns_fd = ns_.fd();
    procs_.push_back(launcher_.launch(spec));
    sups_.push_back(std::make_unique<AllowAllSupervisor>(std::move(procs_.back().listener)));
    return procs_.back();
  }

  NetworkNamespace ns_;
  SeccompProgram prog_;
  ProcessLauncher launcher_;
  EventLoop loop_;  // before queue_: the queue must go first
  std::unique_ptr<SynDelayQueue> queue_;
  std::vector<LaunchedProcess> procs_;  // stable: LaunchedProcess is moved, fds stay
  std::vector<std::unique_ptr<AllowAllSupervisor>> sups_;
  std::vector<std::pair<std::unique_ptr<Client>, int>> clients_;
};

}  // namespace

TEST(SynDelayQueue, ProbeNamesTheIptablesVariant) {
  std::string variant = SynDelayQueue::probe();
  EXPECT_TRUE(variant == "iptables-nft" || variant == "iptables-legacy" || variant == "iptables") << variant;
  std::cout << "[ info ] NFQUEUE rule installed with " << variant << "\n";
}

TEST(SynDelayQueue, LongDelayLetsTheCallerTimeOutOnItsOwnAndDoesNotParkItInSeccomp) {
  TestRun run;
  run.start_echo(kPort);
  auto rule = run.queue().add_delay(to("127.0.0.1", kPort), 10s);
  Client& c = run.start_client("127.0.0.1", kPort, 1000);

  ASSERT_TRUE(run.serve_until([&] { return run.queue().held_now() == 1 || c.done; }, 5s)) << "SYN never queued";
  ASSERT_FALSE(c.done) << c.out;
  // Let the client settle into its wait, then look at where its threads sleep:
  // a delayed connect must be a held packet, not a syscall parked in a
  // seccomp notification (which would ignore the caller's own timeout).
  run.serve_for(200ms);
  ASSERT_EQ(run.queue().held_now(), 1u) << "the SYN must still be held while we look";
  auto chans = wchans(c.pid);
  ASSERT_FALSE(chans.empty());
  for (const auto& w : chans) {
    EXPECT_EQ(w.find("seccomp"), std::string::npos) << "client thread parked in " << w;
    std::cout << "[ info ] client waits in " << w << " while its SYN is held\n";
  }

  ASSERT_TRUE(run.serve_until([&] { return c.done; }, 8s)) << "client never reported";
  auto elapsed = Clock::now() - c.started;
  auto [word, ms] = verdict(c.out);
  EXPECT_EQ(word, "timeout") << c.out;
  EXPECT_GE(ms, 1000) << c.out;
  // Generous sanity bound: far below the 10 s delay.
  EXPECT_LT(elapsed, 6s);
  EXPECT_EQ(run.queue().fired(rule), 1u);
  EXPECT_EQ(run.queue().remove(rule), 1u);
  EXPECT_EQ(run.queue().held_now(), 0u);
}

TEST(SynDelayQueue, ShortDelayConnectsAfterTheDelay) {
  TestRun run;
  run.start_echo(kPort);
  auto rule = run.queue().add_delay(to_port(kPort), 300ms);
  Client& c = run.start_client("127.0.0.1", kPort, 5000);
  ASSERT_TRUE(run.serve_until([&] { return c.done; }, 10s));
  auto [word, ms] = verdict(c.out);
  EXPECT_EQ(word, "connected") << c.out;
  EXPECT_GE(ms, 300) << c.out;
  EXPECT_EQ(run.queue().fired(rule), 1u);
  EXPECT_EQ(run.queue().held_now(), 0u);
}

TEST(SynDelayQueue, UnmatchedSynsPassAtOnce) {
  TestRun run;
  run.start_echo(kPort);
  {
    Client& c = run.start_client("127.0.0.1", kPort, 5000);
    ASSERT_TRUE(run.serve_until([&] { return c.done; }, 10s));
    EXPECT_EQ(verdict(c.out).first, "connected") << c.out;
  }
  // A rule for another port (and one for another address) leaves this one alone.
  auto other_port = run.queue().add_delay(to_port(kPort + 1), 10s);
  auto other_addr = run.queue().add_delay(to("127.0.0.2", kPort), 10s);
  Client& c = run.start_client("127.0.0.1", kPort, 5000);
  ASSERT_TRUE(run.serve_until([&] { return c.done; }, 10s));
  EXPECT_EQ(verdict(c.out).first, "connected") << c.out;
  EXPECT_EQ(run.queue().fired(other_port), 0u);
  EXPECT_EQ(run.queue().fired(other_addr), 0u);
}

TEST(SynDelayQueue, RemovingARuleReleasesItsHeldSyn) {
  TestRun run;
  run.start_echo(kPort);
  auto rule = run.queue().add_delay(to_port(kPort), 60s);
  Client& c = run.start_client("127.0.0.1", kPort, 10000);
  ASSERT_TRUE(run.serve_until([&] { return run.queue().held_now() == 1; }, 5s));
  ASSERT_FALSE(c.done) << c.out;
  EXPECT_EQ(run.queue().remove(rule), 1u);  // the fault's run= function returned
  EXPECT_EQ(run.queue().held_now(), 0u);
  ASSERT_TRUE(run.serve_until([&] { return c.done; }, 8s));
  EXPECT_EQ(verdict(c.out).first, "connected") << c.out;
  // A later connect is not delayed any more.
  Client& again = run.start_client("127.0.0.1", kPort, 5000);
  ASSERT_TRUE(run.serve_until([&] { return again.done; }, 10s));
  EXPECT_EQ(verdict(again.out).first, "connected") << again.out;
}

TEST(SynDelayQueue, GatedADueSynWaitsForItsReleaseAsAnEvent) {
  // A serialized run (DecisionLoop) gates the queue: a SYN whose delay is up
  // waits to be picked, then goes; ungating lets the rest go.
  TestRun run;
  run.start_echo(kPort);
  run.queue().set_gated(true);
  auto rule = run.queue().add_delay(to_port(kPort), 100ms);
  Client& c = run.start_client("127.0.0.1", kPort, 10000);
  ASSERT_TRUE(run.serve_until([&] { return !run.queue().due().empty() || c.done; }, 5s)) << "never due";
  ASSERT_FALSE(c.done) << c.out;
  EXPECT_FALSE(run.queue().next_due()) << "nothing held is still waiting for its delay";
  // Due, but held: well past the delay the client still has no connection.
  run.serve_for(400ms);
  ASSERT_FALSE(c.done) << "a due SYN went through without its release: " << c.out;
  const std::vector<SynDelayQueue::DueSyn> due = run.queue().due();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].dst.str(), "127.0.0.1:" + std::to_string(kPort));
  EXPECT_EQ(due[0].src.str().rfind("127.0.0.1:", 0), 0u) << due[0].src.str();
  EXPECT_FALSE(run.queue().release_due(due[0].id + 1)) << "an unknown id releases nothing";
  EXPECT_TRUE(run.queue().release_due(due[0].id));
  EXPECT_FALSE(run.queue().release_due(due[0].id)) << "released once";
  ASSERT_TRUE(run.serve_until([&] { return c.done; }, 8s));
  auto [word, ms] = verdict(c.out);
  EXPECT_EQ(word, "connected") << c.out;
  EXPECT_GE(ms, 500) << c.out;

  // A second connect, due, is let go by ungating (the body ended).
  Client& again = run.start_client("127.0.0.1", kPort, 10000);
  ASSERT_TRUE(run.serve_until([&] { return !run.queue().due().empty() || again.done; }, 5s));
  ASSERT_FALSE(again.done) << again.out;
  run.queue().set_gated(false);
  EXPECT_TRUE(run.queue().due().empty());
  ASSERT_TRUE(run.serve_until([&] { return again.done; }, 8s));
  EXPECT_EQ(verdict(again.out).first, "connected") << again.out;
  EXPECT_EQ(run.queue().fired(rule), 2u);
}

TEST(SynDelayQueue, GatedNextDueIsTheSoonestHeldDelay) {
  TestRun run;
  run.start_echo(kPort);
  run.queue().set_gated(true);
  run.queue().add_delay(to_port(kPort), 60s);
  EXPECT_FALSE(run.queue().next_due()) << "nothing held yet";
  const auto before = Clock::now();
  Client& c = run.start_client("127.0.0.1", kPort, 10000);
  ASSERT_TRUE(run.serve_until([&] { return run.queue().held_now() == 1 || c.done; }, 5s));
  ASSERT_TRUE(run.queue().next_due());
  EXPECT_GE(*run.queue().next_due(), before + 60s);
  EXPECT_TRUE(run.queue().due().empty());
}

TEST(SynDelayQueue, RetransmittedSynsDoNotEstablishEarly) {
  // 2.5 s spans the kernel's first SYN retransmission (1 s): whether or not
  // the kernel retransmits while the original is queued, the connection is
  // established only after the delay.
  TestRun run;
  run.start_echo(kPort);
  auto rule = run.queue().add_delay(to_port(kPort), 2500ms);
  Client& c = run.start_client("127.0.0.1", kPort, 8000);
  ASSERT_TRUE(run.serve_until([&] { return c.done; }, 15s));
  auto [word, ms] = verdict(c.out);
  EXPECT_EQ(word, "connected") << c.out;
  EXPECT_GE(ms, 2500) << c.out;
  EXPECT_EQ(run.queue().fired(rule), 1u) << "a retransmission was counted as a new connection";
  std::cout << "[ info ] retransmitted SYNs dropped while held: " << run.queue().retransmits_dropped() << "\n";
}

TEST(SynDelayQueue, NewestMatchingRuleDecides) {
  TestRun run;
  run.start_echo(kPort);
  auto outer = run.queue().add_delay(to_port(kPort), 60s);
  auto inner = run.queue().add_delay(to("127.0.0.1", kPort), 200ms);
  Client& c = run.start_client("127.0.0.1", kPort, 5000);
  ASSERT_TRUE(run.serve_until([&] { return c.done; }, 10s));
  auto [word, ms] = verdict(c.out);
  EXPECT_EQ(word, "connected") << c.out;
  EXPECT_GE(ms, 200) << c.out;
  EXPECT_EQ(run.queue().fired(inner), 1u);
  EXPECT_EQ(run.queue().fired(outer), 0u);
}

TEST(SynDelayQueue, Ipv6SynsAreHeldToo) {
  TestRun run;
  if (!run.queue().ipv6_covered()) GTEST_FAIL() << "ip6tables could not install the rule here";
  // No listener on [::1]: undelayed, the connect would be refused at once.
  auto rule = run.queue().add_delay(to("::1", kPort), 10s);
  Client& c = run.start_client("::1", kPort, 500);
  ASSERT_TRUE(run.serve_until([&] { return c.done; }, 8s));
  EXPECT_EQ(verdict(c.out).first, "timeout") << c.out;
  EXPECT_EQ(run.queue().fired(rule), 1u);
}

TEST(SynDelayQueue, ConcurrentRunsWithTheSameQueueNumberDoNotClash) {
  // Queue instances are per namespace: even a forced identical number keeps
  // one run's held SYNs and rules out of the other's.
  SynDelayQueue::Options same;
  same.queue_num = 4242;
  TestRun a(same), b(same);
  a.start_echo(kPort);
  b.start_echo(kPort);
  a.queue().add_delay(to_port(kPort), 60s);
  Client& held = a.start_client("127.0.0.1", kPort, 10000);
  ASSERT_TRUE(a.serve_until([&] { return a.queue().held_now() == 1; }, 5s));
  Client& free = b.start_client("127.0.0.1", kPort, 5000);
  ASSERT_TRUE(b.serve_until([&] { return free.done; }, 10s));
  EXPECT_EQ(verdict(free.out).first, "connected") << free.out;
  EXPECT_EQ(b.queue().held_now(), 0u);
  a.serve_for(50ms);
  EXPECT_EQ(a.queue().held_now(), 1u);
  EXPECT_FALSE(held.done) << held.out;
}

TEST(SynDelayQueue, DefaultQueueNumbersDifferBetweenRuns) {
  TestRun a, b;
  EXPECT_NE(a.queue().queue_num(), b.queue().queue_num());
}

TEST(SynDelayQueue, BadAddressIsRejected) {
  TestRun run;
  EXPECT_THROW(run.queue().add_delay(to("localhost", 80), 1s), std::invalid_argument);
}

TEST(SynDelayQueue, EachInstalledIptablesVariantReallyQueues) {
  int tried = 0;
  for (std::string variant : {"iptables-nft", "iptables-legacy"}) {
    if (::access(("/usr/sbin/" + variant).c_str(), X_OK) != 0) continue;
    ++tried;
    SynDelayQueue::Options pin;
    pin.iptables = {variant};
    TestRun run(pin);
    EXPECT_EQ(run.queue().iptables(), variant);
    // The rule is in the run's namespace, on OUTPUT, for this run's queue.
    std::string rules = rules_inside(run.ns().fd(), variant);
    EXPECT_NE(rules.find("NFQUEUE --queue-num " + std::to_string(run.queue().queue_num()) + " --queue-bypass"),
              std::string::npos)
        << variant << ":\n" << rules;
    run.start_echo(kPort);
    auto rule = run.queue().add_delay(to_port(kPort), 300ms);
    Client& c = run.start_client("127.0.0.1", kPort, 5000);
    ASSERT_TRUE(run.serve_until([&] { return c.done; }, 10s)) << variant;
    auto [word, ms] = verdict(c.out);
    EXPECT_EQ(word, "connected") << variant << ": " << c.out;
    EXPECT_GE(ms, 300) << variant << ": " << c.out;
    EXPECT_EQ(run.queue().fired(rule), 1u) << variant;
    std::cout << "[ info ] " << variant << " queues SYNs (IPv6 too: " << run.queue().ipv6_covered() << ")\n";
  }
  if (tried == 0) GTEST_FAIL() << "neither iptables-nft nor iptables-legacy in /usr/sbin";
}

TEST(SynDelayQueue, MissingIptablesIsOneLineOfCause) {
  SynDelayQueue::Options pin;
  pin.iptables = {"iptables-not-installed"};
  try {
    TestRun run(pin);
    FAIL() << "expected an EnvironmentError";
  } catch (const EnvironmentError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("iptables NFQUEUE target unavailable"), std::string::npos) << what;
    EXPECT_NE(what.find("iptables-not-installed: not installed"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}
