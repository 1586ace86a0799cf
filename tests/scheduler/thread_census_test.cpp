// The census on real processes in a cgroup of their own.
#include "scheduler/ThreadCensus.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "tests/scheduler/scheduler_test_support.h"

using namespace faultbox::scheduler;
using namespace faultbox::scheduler::testing;

namespace {

const ThreadInfo* find_comm(const std::vector<ThreadInfo>& threads, const std::string& comm) {
  for (const auto& t : threads)
    if (t.comm == comm) return &t;
  return nullptr;
}

std::string dump(const std::vector<ThreadInfo>& threads) {
  std::string out;
  for (const auto& t : threads)
    out += t.service + " " + std::to_string(t.tid) + "/" + std::to_string(t.tgid) + " (" + t.comm + ") depth " +
           std::to_string(t.depth) + "\n";
  return out;
}

}  // namespace

TEST(ThreadCensus, ListsEveryThreadOfAServiceWithItsFacts) {
  TestCgroup cg;
  FixtureProcess p(cg.procs_fd(), {fixture("timer_thread")});
  ThreadCensus census({{"redis", cg.path()}});
  // The cron thread names itself right after it starts.
  ASSERT_TRUE(eventually([&] { return find_comm(census.refresh(), "cron") != nullptr; }));

  const auto& threads = census.threads();
  ASSERT_EQ(threads.size(), 2u);
  const ThreadInfo* main = find_comm(threads, "timer_thread");
  const ThreadInfo* cron = find_comm(threads, "cron");
  ASSERT_NE(main, nullptr);
  ASSERT_NE(cron, nullptr);
  EXPECT_EQ(main->tid, p.pid());
  EXPECT_EQ(main->tgid, p.pid());
  EXPECT_EQ(cron->tgid, p.pid());
  EXPECT_NE(cron->tid, p.pid());
  for (const auto& t : threads) {
    EXPECT_EQ(t.service, "redis");
    EXPECT_EQ(t.depth, 0);  // its parent (this test) is outside the group
    EXPECT_GT(t.start_time, 0u);
  }
  EXPECT_LE(main->start_time, cron->start_time);
}

TEST(ThreadCensus, DepthCountsAncestorsInsideTheServiceGroup) {
  TestCgroup cg;
  // sh stays as the parent (`&` plus `wait`: it cannot exec the child);
  // fd 3 hands our stdin pipe past the /dev/null sh gives background jobs.
  FixtureProcess sh(cg.procs_fd(), {"/bin/sh", "-c", "exec 3<&0; " + fixture("timer_thread") + " <&3 & wait"});
  ThreadCensus census({{"svc", cg.path()}});
  ASSERT_TRUE(eventually([&] { return find_comm(census.refresh(), "cron") != nullptr; })) << dump(census.threads());

  const auto& threads = census.threads();
  ASSERT_EQ(threads.size(), 3u) << dump(threads);
  const ThreadInfo* shell = find_comm(threads, "sh");
  const ThreadInfo* main = find_comm(threads, "timer_thread");
  const ThreadInfo* cron = find_comm(threads, "cron");
  ASSERT_TRUE(shell && main && cron);
  EXPECT_EQ(shell->tid, sh.pid());
  EXPECT_EQ(shell->depth, 0);
  EXPECT_EQ(main->depth, 1);
  EXPECT_EQ(cron->depth, 1);  // a thread has its process's depth
  EXPECT_EQ(cron->tgid, main->tid);
}

TEST(ThreadCensus, WalksChildGroupsAndKeepsServicesApart) {
  TestCgroup cg;
  TestCgroup other;
  // A service that made a child group for a worker.
  std::string inner = cg.path() + "/worker";
  ASSERT_EQ(::mkdir(inner.c_str(), 0755), 0);
  int inner_procs = ::open((inner + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(inner_procs, 0);
  FixtureProcess outer_proc(cg.procs_fd(), {fixture("compute_then_write"), "0", "/dev/null"});
  FixtureProcess inner_proc(inner_procs, {fixture("compute_then_write"), "0", "/dev/null"});
  FixtureProcess other_proc(other.procs_fd(), {fixture("compute_then_write"), "0", "/dev/null"});
  ::close(inner_procs);

  ThreadCensus census({{"api", cg.path()}, {"db", other.path()}});
  auto all_named = [&] {
    const auto& t = census.refresh();
    return t.size() == 3 && std::all_of(t.begin(), t.end(), [](const ThreadInfo& i) { return i.comm == "compute_then_wr"; });
  };
  ASSERT_TRUE(eventually(all_named)) << dump(census.threads());
  std::vector<std::pair<std::string, pid_t>> seen;
  for (const auto& t : census.threads()) seen.emplace_back(t.service, t.tid);
  std::vector<std::pair<std::string, pid_t>> want = {
      {"api", std::min(outer_proc.pid(), inner_proc.pid())},
      {"api", std::max(outer_proc.pid(), inner_proc.pid())},
      {"db", other_proc.pid()}};
  EXPECT_EQ(seen, want);  // ordered by service, then tid

  census.remove_service("db");
  EXPECT_EQ(census.refresh().size(), 2u);
}

TEST(ThreadCensus, ThreadsThatExitLeaveTheCensus) {
  TestCgroup cg;
  FixtureProcess p(cg.procs_fd(), {fixture("timer_thread")});
  ThreadCensus census({{"redis", cg.path()}});
  ASSERT_TRUE(eventually([&] { return find_comm(census.refresh(), "cron") != nullptr; }));

  p.send("t");
  ASSERT_TRUE(eventually([&] { return find_comm(census.refresh(), "extra") != nullptr; }));
  EXPECT_EQ(census.threads().size(), 3u);
  p.send("e");
  ASSERT_TRUE(eventually([&] { return census.refresh().size() == 2; }));
  EXPECT_EQ(find_comm(census.threads(), "extra"), nullptr);

  p.kill_now();  // the whole thread group is gone
  EXPECT_TRUE(census.refresh().empty());
}

TEST(ThreadCensus, AMissingGroupIsAnErrorNamingIt) {
  ThreadCensus census(std::vector<ServiceCgroup>{ServiceCgroup{"ghost", "/nonexistent/cgroup/dir"}});
  try {
    census.refresh();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("ghost"), std::string::npos) << what;
    EXPECT_NE(what.find("/nonexistent/cgroup/dir/cgroup.threads"), std::string::npos) << what;
    EXPECT_NE(what.find("No such file"), std::string::npos) << what;
  }
}
