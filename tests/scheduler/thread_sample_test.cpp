// /proc parsing on crafted text, and one real read of this test's own thread.
#include "scheduler/ThreadSample.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

using namespace faultbox::scheduler;

namespace {
// A stat line as the kernel writes it; field 22 (start time) is `start`.
std::string stat_line(const std::string& comm, char state, const std::string& start) {
  return "4242 (" + comm + ") " + state + " 17 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 2 0 " + start +
         " 12345 678 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
}
}  // namespace

TEST(ThreadSample, ParsesStatAfterTheLastParenthesis) {
  auto st = parse_proc_stat(stat_line("redis-server", 'S', "2579674"));
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->comm, "redis-server");
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->ppid, 17);
  EXPECT_EQ(st->start_time, 2579674u);

  // A comm that imitates the fields: only the last ')' ends it.
  auto tricky = parse_proc_stat(stat_line("a) R 99 (b c)", 'D', "77"));
  ASSERT_TRUE(tricky.has_value());
  EXPECT_EQ(tricky->comm, "a) R 99 (b c)");
  EXPECT_EQ(tricky->state, 'D');
  EXPECT_EQ(tricky->start_time, 77u);
}

TEST(ThreadSample, RejectsTruncatedStat) {
  EXPECT_FALSE(parse_proc_stat("").has_value());
  EXPECT_FALSE(parse_proc_stat("4242 (x) S 1 2 3").has_value());
  EXPECT_FALSE(parse_proc_stat("4242 x S 1").has_value());
}

TEST(ThreadSample, ParsesSchedstatAndStatusFields) {
  EXPECT_EQ(parse_schedstat_run_ns("392013 14822 4\n").value_or(0), 392013u);
  EXPECT_FALSE(parse_schedstat_run_ns("").has_value());
  std::string status = "Name:\tworker\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nNgid:\t0\nPid:\t4250\nPPid:\t17\n";
  EXPECT_EQ(parse_status_field(status, "Tgid").value_or(0), 4242);
  EXPECT_EQ(parse_status_field(status, "PPid").value_or(0), 17);
  EXPECT_EQ(parse_status_field(status, "Pid").value_or(0), 4250);  // not "PPid"
  EXPECT_FALSE(parse_status_field(status, "Uid").has_value());
}

TEST(ThreadSample, RunnableOnlyOutsideTheKnownSleepStates) {
  for (char c : std::string("SDTtZXIP")) EXPECT_FALSE(is_runnable_state(c)) << c;
  EXPECT_TRUE(is_runnable_state('R'));
  EXPECT_TRUE(is_runnable_state('?'));  // unknown: never fake quiescence
}

TEST(ThreadSample, RecognizesTheSeccompWaitWithCompilerSuffixes) {
  EXPECT_TRUE(is_seccomp_wait("seccomp_do_user_notification"));
  EXPECT_TRUE(is_seccomp_wait("seccomp_do_user_notification.isra.0"));
  EXPECT_FALSE(is_seccomp_wait("pipe_read"));
  EXPECT_FALSE(is_seccomp_wait("0"));
  EXPECT_FALSE(is_seccomp_wait(""));
}

TEST(ThreadSample, ReadsThisThreadAndNotAGoneOne) {
  pid_t self = static_cast<pid_t>(::syscall(SYS_gettid));
  auto s = sample_thread(::getpid(), self, "test");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->state, 'R');  // it is reading its own stat
  EXPECT_TRUE(s->wchan.empty());  // not read while runnable
  // (run_ns of a running thread may still read 0: the kernel folds CPU time
  // into schedstat at ticks and switches. The quiescence tests check it.)
  EXPECT_GT(s->start_time, 0u);
  EXPECT_EQ(s->service, "test");
  EXPECT_FALSE(s->parked_in_seccomp);

  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_FALSE(sample_thread(child, child, "test").has_value());
}

// The on_runqueue check needs a real wchan: root (or the same user) on a
// kernel with kallsyms, as faultbox runs. Fail loudly where it is not so.
TEST(ThreadSample, WchanIsReadableForOurOwnChildren) {
  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  EXPECT_TRUE(wchan_readable(child));
  std::optional<ThreadSample> s;
  for (int i = 0; i < 20000; ++i) {  // until it sleeps in pause()
    s = sample_thread(child, child, "test");
    if (s && s->state == 'S' && !s->on_runqueue) break;
    ::usleep(100);
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->state, 'S');
  EXPECT_FALSE(s->on_runqueue);
  EXPECT_NE(s->wchan, "0");
  EXPECT_FALSE(s->wchan.empty());
  EXPECT_FALSE(wchan_readable(child));  // gone
}

TEST(ThreadSample, AKeptProcFileIsBoundToItsThread) {
  pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  ProcFile stat("/proc/" + std::to_string(child) + "/stat");
  std::string text;
  ASSERT_TRUE(stat.read(text));
  EXPECT_EQ(parse_proc_stat(text).value_or(ProcStat{}).ppid, ::getpid());
  ASSERT_TRUE(stat.read(text));  // re-readable
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  // Reaped: the fd no longer reads, whoever gets the pid next.
  EXPECT_FALSE(stat.read(text));
}

TEST(ThreadSample, SelfEndingWaitsAreEveryUninterruptibleWaitButTheRunsOwn) {
  EXPECT_TRUE(is_self_ending_wait("submit_bio_wait"));
  EXPECT_TRUE(is_self_ending_wait("folio_wait_bit_common"));
  EXPECT_TRUE(is_self_ending_wait("jbd2_log_wait_commit"));
  EXPECT_FALSE(is_self_ending_wait("seccomp_do_user_notification.isra.0"));
  EXPECT_FALSE(is_self_ending_wait("kernel_clone"));
  EXPECT_FALSE(is_self_ending_wait("wait_for_vfork_done"));
  EXPECT_FALSE(is_self_ending_wait("_do_fork"));
  EXPECT_FALSE(is_self_ending_wait("0"));  // hidden, or on a runqueue: on_runqueue's business
  EXPECT_FALSE(is_self_ending_wait(""));
}

// A vfork parent waits in D until its child execs or exits; the child may be
// parked in a seccomp notification, a decision away: asleep, not busy.
TEST(ThreadSample, AVforkParentIsAsleepNotInAKernelWait) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t parent = ::fork();
  if (parent == 0) {
    ::setpgid(0, 0);  // the test kills the vfork child with it
    ::close(ready[0]);
    pid_t child = ::vfork();
    if (child == 0) {
      (void)!::write(ready[1], "x", 1);
      ::pause();
      ::_exit(0);
    }
    ::_exit(0);
  }
  ::close(ready[1]);
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  std::optional<ThreadSample> s;
  for (int i = 0; i < 20000; ++i) {  // until the parent sleeps in vfork
    s = sample_thread(parent, parent, "test");
    if (s && s->state == 'D' && s->wchan != "0") break;
    ::usleep(100);
  }
  ::kill(-parent, SIGKILL);
  ::kill(parent, SIGKILL);
  ::waitpid(parent, nullptr, 0);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->state, 'D') << s->wchan;
  EXPECT_FALSE(is_self_ending_wait(s->wchan)) << s->wchan;
  EXPECT_FALSE(s->in_kernel_wait) << s->wchan;
  EXPECT_FALSE(s->runnable()) << s->wchan;
}
