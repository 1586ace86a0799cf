// cgroup v2 teardown on real processes: a double-forked daemon dies with its
// service's group, and a run group left by a dead faultbox is swept.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "engine/Cgroup.h"
#include "engine/EngineError.h"
#include "engine/ProcessLauncher.h"
#include "engine/SeccompSupervisor.h"

using namespace faultbox::engine;

namespace {

bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content;
  if (!std::getline(stat, content)) return false;
  auto close = content.rfind(')');
  return close != std::string::npos && content.size() > close + 2 && content[close + 2] != 'Z';
}

}  // namespace

TEST(Cgroup, FindsCgroup2MountInHybridAndUnifiedLayouts) {
  std::string hybrid =
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
  EXPECT_EQ(cgroup2_mount_from_mountinfo(hybrid).value_or(""), "/sys/fs/cgroup/unified");
  std::string unified = "30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
  EXPECT_EQ(cgroup2_mount_from_mountinfo(unified).value_or(""), "/sys/fs/cgroup");
  EXPECT_FALSE(cgroup2_mount_from_mountinfo("1 2 0:1 / / rw - ext4 /dev/vda rw\n").has_value());
}

TEST(Cgroup, TeardownKillsADoubleForkedDaemon) {
  CgroupLocation loc = locate_cgroup2();
  char tmpl[] = "/tmp/faultbox-cg-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string pidfile = dir + "/daemon.pid";
  pid_t daemon = 0;
  std::string run_path;
  {
    RunCgroups run(loc);
    run_path = run.path();
    Cgroup& svc = run.add_service("daemon");
    SeccompProgram prog = SeccompProgram::build_standard();
    ProcessLauncher launcher(prog);
    LaunchSpec spec;
    spec.path = std::string(FAULTBOX_FIXTURE_DIR) + "/daemonizer";
    spec.argv = {spec.path, pidfile};
    spec.cgroup_procs_fd = svc.procs_fd();
    LaunchedProcess p = launcher.launch(spec);
    SeccompSupervisor sup(std::move(p.listener));
    // Answer everything until the daemon has written its pid file and the
    // launched process has exited.
    auto allow = [](const SyscallEvent&) { return Decision::allow(); };
    bool exited = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!(exited && daemon) && std::chrono::steady_clock::now() < deadline) {
      // Once the launched process is reaped its pidfd stays readable: poll
      // only the listener then.
      pollfd fds[2] = {{sup.fd(), POLLIN, 0}, {p.pidfd.get(), POLLIN, 0}};
      if (::poll(fds, exited ? 1 : 2, 10) > 0 && (fds[0].revents & POLLIN)) sup.handle_one(allow);
      if (!exited && (fds[1].revents & POLLIN)) {
        ::waitpid(p.pid, nullptr, 0);
        exited = true;
      }
      if (!daemon) {
        std::ifstream f(pidfile);
        pid_t pd = 0;
        if (f >> pd && pd > 0) daemon = pd;
      }
    }
    ASSERT_TRUE(exited);
    ASSERT_GT(daemon, 0);
    EXPECT_TRUE(alive(daemon));
    auto pids = svc.pids();
    EXPECT_NE(std::find(pids.begin(), pids.end(), daemon), pids.end()) << "daemon not in its service group";
    // The daemon is parked in its next filtered syscall or in pause(): the
    // kill must get through either way (WAIT_KILLABLE_RECV).
  }
  for (int i = 0; i < 200 && alive(daemon); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(alive(daemon));
  struct stat st {};
  EXPECT_NE(::stat(run_path.c_str(), &st), 0) << "run group left behind: " << run_path;
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST(Cgroup, SweepsTheRunGroupOfADeadFaultbox) {
  CgroupLocation loc = locate_cgroup2();
  // A pid that is certainly dead: a child we already reaped.
  pid_t dead = ::fork();
  if (dead == 0) _exit(0);
  ::waitpid(dead, nullptr, 0);
  std::string path = loc.self + "/faultbox-run-" + std::to_string(dead) + "-0";
  ASSERT_EQ(::mkdir(path.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((path + "/svc").c_str(), 0755), 0);
  pid_t sleeper = ::fork();
  if (sleeper == 0) {
    for (;;) ::pause();
  }
  {
    std::ofstream procs(path + "/svc/cgroup.procs");
    procs << sleeper;
  }
  EXPECT_GE(sweep_dead_runs(loc.self), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(sleeper, &status, 0), sleeper);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  struct stat st {};
  EXPECT_NE(::stat(path.c_str(), &st), 0);
}
