// End-to-end: a real process under the real seccomp filter, handed over to
// the supervisor, with a disk-full rule that must hit regular-file writes
// only (MISSION.md: "its socket writes still work").
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "engine/EngineError.h"
#include "engine/FdInspector.h"
#include "engine/ProcessLauncher.h"
#include "engine/SeccompProgram.h"
#include "engine/SeccompSupervisor.h"
#include "spec/vocabulary/Syscalls.h"

using namespace faultbox::engine;

namespace {

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/faultbox-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

// Runs the supervisor until the process exits; returns its wait status.
int supervise_until_exit(LaunchedProcess& p, SeccompSupervisor& sup,
                         const std::function<Decision(const SyscallEvent&)>& decide) {
  for (;;) {
    pollfd fds[2] = {{sup.fd(), POLLIN, 0}, {p.pidfd.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, 10000);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the test's own timeout below reports it
    if (fds[0].revents & POLLIN) {
      if (!sup.handle_one(decide)) break;
      continue;
    }
    if (fds[1].revents & POLLIN) break;
    if (fds[0].revents & (POLLHUP | POLLERR)) break;
  }
  int status = 0;
  ::waitpid(p.pid, &status, 0);
  return status;
}

}  // namespace

TEST(SeccompProgram, BuildsANotifyFilterForTheVocabulary) {
  SeccompProgram prog = SeccompProgram::build_standard();
  EXPECT_GT(prog.size(), 10u);
  // Every name resolves on x86-64 except the ones this architecture lacks.
  EXPECT_GE(prog.notified().size() + 2, filtered_syscall_names().size());
  EXPECT_GE(filtered_syscall_names().size(), 40u);
}

TEST(ProcessLauncher, MissingBinaryIsAOneLineEnvironmentError) {
  SeccompProgram prog = SeccompProgram::build_standard();
  ProcessLauncher launcher(prog);
  LaunchSpec spec;
  spec.path = "/nonexistent/faultbox-service";
  try {
    launcher.launch(spec);
    FAIL() << "launch of a missing binary succeeded";
  } catch (const EnvironmentError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("/nonexistent/faultbox-service"), std::string::npos) << msg;
    EXPECT_NE(msg.find("No such file"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(ProcessLauncher, DiskFullHitsFileWritesOnly) {
  TempDir dir;
  SeccompProgram prog = SeccompProgram::build_standard();
  ProcessLauncher launcher(prog);
  LaunchSpec spec;
  spec.path = std::string(FAULTBOX_FIXTURE_DIR) + "/fd_writer";
  spec.argv = {spec.path, dir.path + "/out.txt"};
  LaunchedProcess p = launcher.launch(spec);
  SeccompSupervisor sup(std::move(p.listener));
  // This machine's kernel (6.18) has SYNC_WAKE_UP; the supervisor turns it on.
  EXPECT_TRUE(sup.sync_wake_up());

  int fired = 0, seen_writes = 0;
  auto decide = [&](const SyscallEvent& ev) {
    auto write_family = faultbox::star::expand_rule_key("write");
    if (std::find(write_family.begin(), write_family.end(), ev.name) == write_family.end())
      return Decision::allow();
    ++seen_writes;
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, ev.tgid, 0)));
    FdInfo info = inspect_fd(pidfd.get(), static_cast<int>(ev.args[0]));
    if (!sup.still_valid(ev.id)) return Decision::allow();
    if (info.kind == FdKind::RegularFile) {
      ++fired;
      return Decision::fail(ENOSPC);
    }
    return Decision::allow();
  };
  int status = supervise_until_exit(p, sup, decide);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::string out = read_all(p.stdout_pipe.get());
  EXPECT_EQ(out, "file=ENOSPC socket=ok pipe=ok dup2socket=ok\n");
  EXPECT_EQ(fired, 1);
  // The fixture opened exactly the file it was given (argv survived the fork).
  EXPECT_EQ(::access((dir.path + "/out.txt").c_str(), F_OK), 0);
  // four writes of the fixture plus its stdout line
  EXPECT_GE(seen_writes, 5);
}
