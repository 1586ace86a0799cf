// The fd cache's watch (FdTableWatch, TargetInspector::Watch::Notifications):
//   - its bookkeeping, fed synthetic notifications (what is in flux, what is
//     untrackable, when births end);
//   - TargetInspector trusting, checking and polling liveness, on a child of
//     this process (not under a filter: the test plays the notifications);
//   - the whole path on real processes under the real filter and a real
//     supervisor, where tests/fixtures/fd_reuse makes one fd number name a
//     file, a pipe, then another file by each way the kernel has, with a
//     write to it around each change, under a disk-full rule (regular files
//     only): a decision from a stale cache entry would fail the pipe's write
//     or let the new file's through.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <random>
#include <string>

#include "engine/FaultRules.h"
#include "engine/FdTableWatch.h"
#include "engine/ProcessLauncher.h"
#include "engine/SeccompProgram.h"
#include "engine/SeccompSupervisor.h"
#include "engine/ServiceMap.h"
#include "engine/TargetInspector.h"
#include "engine/ThreadBirths.h"
#include "engine/UniqueFd.h"
#include "tests/engine/fault_test_support.h"

using namespace faultbox::engine;
namespace support = faultbox::engine::testing;

namespace {

const std::string kFixtures = FAULTBOX_FIXTURE_DIR;

SyscallEvent call(pid_t tid, pid_t tgid, int nr, std::initializer_list<uint64_t> args = {}) {
  SyscallEvent ev;
  ev.tid = tid;
  ev.tgid = tgid;
  ev.nr = nr;
  std::copy(args.begin(), args.end(), ev.args);
  return ev;
}

// A pid that names no process: a child that exited and was reaped.
pid_t dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

// --- the bookkeeping ------------------------------------------------------------

TEST(FdTableWatch, AClosedNumberIsInFluxUntilItsThreadCallsAgain) {
  FdTableWatch w;
  FdTableWatch::Change c = w.observe(call(100, 100, SYS_close, {7}));
  EXPECT_EQ(c.kind, FdTableWatch::Change::Kind::Range);
  EXPECT_EQ(c.tgid, 100);
  EXPECT_EQ(c.lo, 7u);
  EXPECT_EQ(c.hi, 7u);
  EXPECT_FALSE(w.trustable(100, 7));
  EXPECT_TRUE(w.trustable(100, 8));
  EXPECT_TRUE(w.trustable(200, 7)) << "another group's table";
  w.observe(call(101, 100, SYS_write, {7}));
  EXPECT_FALSE(w.trustable(100, 7)) << "another thread says nothing about the closer's call";
  w.observe(call(100, 100, SYS_write, {7}));
  EXPECT_TRUE(w.trustable(100, 7)) << "the closer's next call: its close has completed";
}

TEST(FdTableWatch, Dup2Dup3CloseRangeAndExecChangeTheirNumbers) {
  FdTableWatch w;
  FdTableWatch::Change c = w.observe(call(100, 100, SYS_dup2, {3, 9}));
  EXPECT_EQ(c.lo, 9u);
  EXPECT_FALSE(w.trustable(100, 9));
  EXPECT_TRUE(w.trustable(100, 3));
  w.observe(call(101, 100, SYS_dup3, {3, 12, O_CLOEXEC}));
  EXPECT_FALSE(w.trustable(100, 12));
  w.observe(call(102, 100, SYS_close_range, {20, 30, CLOSE_RANGE_CLOEXEC}));
  EXPECT_FALSE(w.trustable(100, 20));
  EXPECT_FALSE(w.trustable(100, 30));
  EXPECT_TRUE(w.trustable(100, 31));
  EXPECT_EQ(w.in_flux(), 3u);
  EXPECT_FALSE(w.untrackable(100));

  c = w.observe(call(103, 100, SYS_execve));
  EXPECT_EQ(c.kind, FdTableWatch::Change::Kind::WholeTable);
  EXPECT_FALSE(w.trustable(100, 0));
  EXPECT_FALSE(w.trustable(100, INT_MAX));
  for (pid_t t : {100, 101, 102, 103}) w.observe(call(t, 100, SYS_getpid));
  EXPECT_EQ(w.in_flux(), 0u);
  EXPECT_TRUE(w.trustable(100, 9));
}

TEST(FdTableWatch, TableSplitsMakeTheGroupUntrackable) {
  FdTableWatch w;
  w.observe(call(100, 100, SYS_unshare, {CLONE_NEWNS}));
  EXPECT_FALSE(w.untrackable(100));
  w.observe(call(100, 100, SYS_unshare, {CLONE_FILES}));
  EXPECT_TRUE(w.untrackable(100));
  EXPECT_FALSE(w.trustable(100, 5));
  EXPECT_TRUE(w.trustable(200, 5));

  w.observe(call(200, 200, SYS_close_range, {3, UINT_MAX, CLOSE_RANGE_UNSHARE}));
  EXPECT_TRUE(w.untrackable(200));

  // A thread with a table of its own.
  w.observe(call(300, 300, SYS_clone, {CLONE_VM | CLONE_SIGHAND | CLONE_THREAD}));
  EXPECT_TRUE(w.untrackable(300));
  // pthread_create's flags and fork's: nothing to fear.
  w.observe(call(400, 400, SYS_clone, {CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD}));
  w.observe(call(500, 500, SYS_clone, {SIGCHLD}));
  EXPECT_FALSE(w.untrackable(400));
  EXPECT_FALSE(w.untrackable(500));
  w.observe(call(600, 600, SYS_bpf, {10}));
  EXPECT_TRUE(w.untrackable(600)) << "a BPF syscall program may close any fd";
}

TEST(FdTableWatch, TwoProcessesOnOneTableOrIoUringMakeEverythingUntrackable) {
  {
    FdTableWatch w;
    w.observe(call(100, 100, SYS_clone, {CLONE_VM | CLONE_FILES | SIGCHLD}));
    EXPECT_TRUE(w.untrackable(100));
    EXPECT_TRUE(w.untrackable(12345)) << "the child's pid is unknown";
  }
  {
    FdTableWatch w;
    w.observe(call(100, 100, SYS_io_uring_setup, {4, 0}));
    EXPECT_TRUE(w.untrackable(100));
    EXPECT_TRUE(w.untrackable(12345)) << "a ring is inherited by children and may be passed on";
  }
}

TEST(FdTableWatch, Clone3FlagsAreReadFromTheCallersMemory) {
  const pid_t self = ::getpid();
  clone_args args{};
  args.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
  {
    FdTableWatch w;
    w.observe(call(self, self, SYS_clone3, {reinterpret_cast<uint64_t>(&args), sizeof args}));
    EXPECT_FALSE(w.untrackable(self));
  }
  args.flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
  {
    FdTableWatch w;
    w.observe(call(self, self, SYS_clone3, {reinterpret_cast<uint64_t>(&args), sizeof args}));
    EXPECT_TRUE(w.untrackable(self));
    EXPECT_FALSE(w.untrackable(self + 1));
  }
  {
    FdTableWatch w;
    w.observe(call(self, self, SYS_clone3, {0, sizeof args}));
    EXPECT_TRUE(w.untrackable(self + 1)) << "unreadable flags: the worst case";
  }
}

TEST(FdTableWatch, TheHandoverNumberIsNeverTrusted) {
  FdTableWatch w;
  EXPECT_FALSE(w.trustable(100, FdTableWatch::kHandoverFd));
  EXPECT_TRUE(w.trustable(100, FdTableWatch::kHandoverFd - 1));
}

TEST(FdTableWatch, ABirthEndsWhenItsCreatorCallsAgain) {
  FdTableWatch w;
  uint64_t before = w.births().now();
  EXPECT_TRUE(w.births().unchanged_since(before));
  w.observe(call(100, 100, SYS_fork));
  EXPECT_FALSE(w.births().unchanged_since(before));
  uint64_t during = w.births().now();
  EXPECT_FALSE(w.births().unchanged_since(during)) << "the child may be born any moment";
  w.observe(call(101, 100, SYS_getpid));
  EXPECT_FALSE(w.births().unchanged_since(during));
  w.observe(call(100, 100, SYS_getpid));
  EXPECT_FALSE(w.births().unchanged_since(during)) << "born since";
  EXPECT_TRUE(w.births().unchanged_since(w.births().now()));
  w.process_started();
  EXPECT_FALSE(w.births().unchanged_since(during));
}

// A thread that changed a number (or made a birth) and exited without
// another notified call: the periodic look at /proc ends its call.
TEST(FdTableWatch, AGoneThreadsCallsEnd) {
  const pid_t gone = dead_pid();
  const pid_t self = ::getpid();
  FdTableWatch w;
  w.observe(call(gone, gone, SYS_close, {5}));
  EXPECT_FALSE(w.trustable(gone, 5));
  ThreadBirths births;
  births.observe(gone, gone, SYS_clone);
  EXPECT_EQ(births.outstanding(), 1u);
  for (int i = 0; i < 64; ++i) {
    w.observe(call(self, self, SYS_getpid));
    births.observe(self, self, SYS_getpid);
  }
  EXPECT_TRUE(w.trustable(gone, 5));
  EXPECT_EQ(births.outstanding(), 0u);
  EXPECT_TRUE(births.unchanged_since(births.now()));
}

TEST(ThreadBirths, ThreadAliveLooksWithinTheGroup) {
  const pid_t self = ::getpid();
  EXPECT_TRUE(thread_alive(self, self));
  EXPECT_FALSE(thread_alive(dead_pid(), self));
  EXPECT_FALSE(thread_alive(self, dead_pid()));
}

// --- TargetInspector on a watched child -------------------------------------------

// A child holding a temporary file on some number until told to exit.
struct HoldingChild {
  pid_t pid = -1;
  int num = -1;
  int go[2] = {-1, -1};
  std::string path;
  HoldingChild() {
    char tmpl[] = "/tmp/faultbox-watch-XXXXXX";
    num = ::mkstemp(tmpl);
    path = tmpl;
    if (::pipe(go) != 0) return;
    pid = ::fork();
    if (pid == 0) {
      char c;
      ssize_t ignored = ::read(go[0], &c, 1);
      (void)ignored;
      ::_exit(0);
    }
  }
  void end() {
    if (pid <= 0) return;
    ssize_t ignored = ::write(go[1], "x", 1);
    (void)ignored;
    ::waitpid(pid, nullptr, 0);
    pid = -1;
  }
  ~HoldingChild() {
    end();
    for (int fd : {num, go[0], go[1]}) ::close(fd);
    ::unlink(path.c_str());
  }
};

TEST(TargetInspectorWatch, TrustsUntilAWatchedCloseThenChecksUntilTheFluxEnds) {
  HoldingChild child;
  ASSERT_GT(child.pid, 0);
  TargetInspector insp(TargetInspector::Watch::Notifications);
  ASSERT_NE(insp.fd(child.pid, child.num), nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_NE(insp.fd(child.pid, child.num), nullptr);
  EXPECT_EQ(insp.stats().inspections, 1u);
  EXPECT_EQ(insp.stats().trusted_hits, 3u);
  EXPECT_EQ(insp.stats().checked_hits, 0u) << "no statx for an unchanged number";

  // The child's close, received (we let it fail to happen: the number still
  // names the file, which only a look can tell while it is in flux).
  insp.observe(call(child.pid, child.pid, SYS_close, {static_cast<uint64_t>(child.num)}));
  EXPECT_EQ(insp.stats().flux_drops, 1u);
  ASSERT_NE(insp.fd(child.pid, child.num), nullptr);
  EXPECT_EQ(insp.stats().inspections, 2u);
  ASSERT_NE(insp.fd(child.pid, child.num), nullptr);
  EXPECT_EQ(insp.stats().checked_hits, 1u) << "in flux: re-checked";
  EXPECT_EQ(insp.stats().trusted_hits, 3u);

  // The closer calls again: the first hit checks once more and trusts.
  insp.observe(call(child.pid, child.pid, SYS_getpid));
  ASSERT_NE(insp.fd(child.pid, child.num), nullptr);
  EXPECT_EQ(insp.stats().checked_hits, 2u);
  ASSERT_NE(insp.fd(child.pid, child.num), nullptr);
  EXPECT_EQ(insp.stats().trusted_hits, 4u);
  EXPECT_EQ(insp.stats().cache_stale, 0u);
}

TEST(TargetInspectorWatch, ABirthMakesTheNextHitPollLivenessAndForgetsTheDead) {
  HoldingChild child;
  ASSERT_GT(child.pid, 0);
  TargetInspector insp(TargetInspector::Watch::Notifications);
  ASSERT_NE(insp.fd(child.pid, child.num), nullptr);
  ASSERT_NE(insp.fd(child.pid, child.num), nullptr);
  EXPECT_EQ(insp.stats().liveness_polls, 0u);

  // Someone forks: until the fork is known complete, every hit polls.
  const pid_t other = ::getpid();
  insp.observe(call(other, other, SYS_fork));
  ASSERT_NE(insp.fd(child.pid, child.num), nullptr);
  ASSERT_NE(insp.fd(child.pid, child.num), nullptr);
  EXPECT_EQ(insp.stats().liveness_polls, 2u);
  insp.observe(call(other, other, SYS_getpid));
  ASSERT_NE(insp.fd(child.pid, child.num), nullptr);
  ASSERT_NE(insp.fd(child.pid, child.num), nullptr);
  EXPECT_EQ(insp.stats().liveness_polls, 3u) << "once after the birth, then trusted again";
  EXPECT_EQ(insp.stats().trusted_hits, 5u);

  // The child exits; without a birth its pid cannot name anyone else. After
  // one, the poll finds it gone and its facts are forgotten.
  const pid_t pid = child.pid;
  const int num = child.num;
  child.end();
  insp.process_started();
  EXPECT_EQ(insp.fd(pid, num), nullptr);
  EXPECT_EQ(insp.stats().liveness_polls, 4u);
  EXPECT_EQ(insp.cached_processes(), 0u);
}

// --- real processes under the real filter ------------------------------------------

struct Outcome {
  std::string out;
  int exit_code = -1;
  TargetInspector::Stats stats;
  bool untrackable = false;
};

// fd_reuse MODE under write=deny("ENOSPC") (regular files only), every
// notification observed at receipt and decided, as ServiceInstance does.
Outcome run_fd_reuse(const std::string& mode) {
  support::TempDir dir("/tmp/faultbox-fdreuse-");
  const SeccompProgram program = SeccompProgram::build_standard();
  ProcessLauncher launcher(program);
  ServiceMap services;
  services.add_service({"svc", {}, {}});
  std::mt19937_64 rng(1);
  FaultRules rules(services, rng);
  rules.apply(support::fault("svc", "write", support::deny("ENOSPC", ENOSPC)));
  TargetInspector inspector(TargetInspector::Watch::Notifications);

  LaunchSpec spec;
  spec.path = kFixtures + "/fd_reuse";
  spec.argv = {spec.path, mode, dir.path};
  // In a sanitizer build the fixture's LeakSanitizer clones at exit with
  // CLONE_VM|CLONE_FILES and no CLONE_THREAD — two processes on one table,
  // which (rightly) makes the whole watch untrackable before the result line.
  spec.env = {"ASAN_OPTIONS=detect_leaks=0"};
  LaunchedProcess p = launcher.launch(spec);
  inspector.process_started();
  services.add_process("svc", p.pid);
  SeccompSupervisor sup(std::move(p.listener));
  for (;;) {
    pollfd fds[2] = {{sup.fd(), POLLIN, 0}, {p.pidfd.get(), POLLIN, 0}};
    if (::poll(fds, 2, 10000) <= 0) break;  // hung: the output says so
    if (fds[0].revents & POLLIN) {
      SyscallEvent ev;
      SeccompSupervisor::Received r = sup.receive(ev);
      if (r == SeccompSupervisor::Received::Closed) break;
      if (r == SeccompSupervisor::Received::Gone) continue;
      inspector.observe(ev);
      FaultOutcome o = rules.decide(ev, inspector, [&] { return sup.still_valid(ev.id); });
      sup.respond(ev.id, o.decision());
      continue;
    }
    if (fds[1].revents & POLLIN) break;
    if (fds[0].revents & (POLLHUP | POLLERR)) break;
  }
  Outcome out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(p.stdout_pipe.get(), buf, sizeof buf)) > 0) out.out.append(buf, static_cast<size_t>(n));
  int status = 0;
  if (::waitpid(p.pid, &status, 0) == p.pid && WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
  out.stats = inspector.stats();
  out.untrackable = inspector.watch().untrackable(p.pid);
  return out;
}

class FdReuse : public ::testing::TestWithParam<const char*> {};

// Each way of changing the number is watched: the trusted entry from the
// first two writes is gone before the third asks.
TEST_P(FdReuse, TheWriteAfterEachChangeSeesTheNewFile) {
  Outcome o = run_fd_reuse(GetParam());
  EXPECT_EQ(o.out, "ENOSPC ENOSPC ok ENOSPC\n");
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_GE(o.stats.trusted_hits, 1u) << "the second write was answered from the cache";
  EXPECT_GE(o.stats.flux_drops, 1u);
  EXPECT_EQ(o.stats.cache_stale, 0u) << "dropped when received, never found stale";
  EXPECT_FALSE(o.untrackable);
}

INSTANTIATE_TEST_SUITE_P(Ways, FdReuse,
                         ::testing::Values("close_open", "dup2", "dup3", "close_range", "exec", "scm_rights",
                                           "thread"));

// io_uring closes the number without a syscall we see: after io_uring_setup
// nothing is trusted, and the re-check notices the change.
TEST(FdReuseUnwatchable, IoUringMakesEveryHitAReCheck) {
  Outcome o = run_fd_reuse("io_uring");
  EXPECT_EQ(o.out, "ENOSPC ENOSPC ok ENOSPC\n");
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_TRUE(o.untrackable);
  EXPECT_GE(o.stats.cache_stale, 2u) << "both changes found by the (dev, ino) re-check";
}

// The point of the watch: an unchanged number costs no syscall per hit.
TEST(FdReuseStats, RepeatedWritesToAnUnchangedFdAreTrustedHits) {
  Outcome o = run_fd_reuse("repeat");
  EXPECT_EQ(o.out, "10\n");
  EXPECT_EQ(o.stats.inspections, 2u) << "the file, then stdout for the result line";
  EXPECT_EQ(o.stats.trusted_hits, 9u);
  EXPECT_EQ(o.stats.checked_hits, 0u);
  EXPECT_EQ(o.stats.cache_stale, 0u);
  EXPECT_EQ(o.stats.liveness_polls, 0u) << "no birth after the process started";
}

}  // namespace
