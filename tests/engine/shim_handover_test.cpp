// faultbox-shim and the engine's side of its handover (DESIGN.md §3,
// container mode), without Docker: the shim runs as a plain child process on
// the host, which is all it sees of a container anyway (a socket path, its
// argv, its environment, its uid). Protocol corner cases use a fake shim:
// a socket this test process connects itself, so SO_PEERCRED names our pid.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "engine/EngineError.h"
#include "engine/FdInspector.h"
#include "engine/ProcessLauncher.h"
#include "engine/SeccompProgram.h"
#include "engine/SeccompSupervisor.h"
#include "engine/ShimHandover.h"
#include "shim/ShimProtocol.h"
#include "tests/engine/allow_all_supervisor.h"
#include "tests/engine/expect_contains.h"

using namespace faultbox::engine;
using namespace std::chrono_literals;

namespace {

const std::string kShim = FAULTBOX_SHIM_PATH;
const std::string kFdWriter = std::string(FAULTBOX_FIXTURE_DIR) + "/fd_writer";
constexpr uid_t kNobody = 65534;

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/faultbox-shim-test-XXXXXX";
    path = ::mkdtemp(tmpl);
    ::chmod(path.c_str(), 0755);  // the non-root shim must reach the socket folder
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

std::string status_field(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) {
      std::string v = line.substr(field.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  return "";
}

// A child process with its stdout and stderr on pipes; killed and reaped
// if the test did not wait for it.
struct Child {
  pid_t pid = -1;
  UniqueFd out, err;
  bool reaped = false;

  int wait() {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    reaped = true;
    return status;
  }
  ~Child() {
    if (pid > 0 && !reaped) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// fork + execve of argv[0]; `as_uid` ≠ 0: the child drops to that uid and
// gid first, as Docker does for an image's USER.
void spawn(Child& c, const std::vector<std::string>& args, const std::vector<std::string>& env, uid_t as_uid = 0) {
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  int o[2], e[2];
  ASSERT_EQ(::pipe2(o, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(e, O_CLOEXEC), 0);
  c.pid = ::fork();
  ASSERT_GE(c.pid, 0);
  if (c.pid == 0) {
    ::dup2(o[1], 1);
    ::dup2(e[1], 2);
    if (as_uid != 0 &&
        (::setgroups(0, nullptr) != 0 || ::setresgid(as_uid, as_uid, as_uid) != 0 ||
         ::setresuid(as_uid, as_uid, as_uid) != 0))
      ::_exit(124);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(125);
  }
  ::close(o[1]);
  ::close(e[1]);
  c.out.reset(o[0]);
  c.err.reset(e[0]);
}

// A child that only sleeps: a pid that never connects.
void spawn_sleeper(Child& c) { spawn(c, {"/bin/sleep", "10"}, {}); }

std::vector<std::string> shim_args(const ShimListener& l, std::vector<std::string> program) {
  std::vector<std::string> args{kShim, l.socket_path(), "--"};
  args.insert(args.end(), program.begin(), program.end());
  return args;
}

const std::vector<std::string> kEnv{"PATH=/usr/local/bin:/usr/bin:/bin"};

std::string await_error(ShimListener& l, pid_t pid, const SeccompProgram& prog,
                        std::chrono::milliseconds timeout = 1500ms, std::function<bool()> alive = {}) {
  try {
    l.await(pid, prog, timeout, alive);
  } catch (const EnvironmentError& e) {
    return e.what();
  }
  return "(no error)";
}

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1000 - WTERMSIG(status); }

// Runs `sup` until the process behind `pidfd` exits.
void supervise_until_exit(int pidfd, SeccompSupervisor& sup,
                          const std::function<Decision(const SyscallEvent&)>& decide) {
  for (;;) {
    pollfd fds[2] = {{sup.fd(), POLLIN, 0}, {pidfd, POLLIN, 0}};
    int n = ::poll(fds, 2, 5000);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the caller's assertions report it
    if (fds[0].revents & POLLIN) {
      if (!sup.handle_one(decide)) return;
      continue;
    }
    if (fds[1].revents & POLLIN) return;
    if (fds[0].revents & (POLLHUP | POLLERR)) return;
  }
}

// The fake shim: a connection from this very process, writing raw frames.
struct FakeShim {
  UniqueFd fd;
  explicit FakeShim(const std::string& path) {
    fd.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, path.c_str());
    EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
  }
  void send(uint16_t type, const std::string& payload, uint16_t version = FAULTBOX_SHIM_PROTOCOL_VERSION,
            uint32_t magic = FAULTBOX_SHIM_MAGIC) {
    faultbox_shim_header h{magic, version, type, static_cast<uint32_t>(payload.size())};
    std::string wire(reinterpret_cast<const char*>(&h), sizeof h);
    wire += payload;
    ASSERT_EQ(::send(fd.get(), wire.data(), wire.size(), MSG_NOSIGNAL), static_cast<ssize_t>(wire.size()));
  }
  void hello(uint16_t version = FAULTBOX_SHIM_PROTOCOL_VERSION) {
    faultbox_shim_hello ids{0, 0, 0, 0};
    send(FAULTBOX_SHIM_HELLO, std::string(reinterpret_cast<const char*>(&ids), sizeof ids) + "/bin/fake", version);
  }
  // True when the engine closed its end (after reading what it sent).
  bool closed_by_engine() {
    char buf[65536];
    for (;;) {
      pollfd p{fd.get(), POLLIN, 0};
      if (::poll(&p, 1, 1000) <= 0) return false;
      ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }
};

class ShimHandoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::access(kShim.c_str(), X_OK), 0) << kShim << " is not built";
    ASSERT_EQ(::getuid(), 0u) << "the handover tests run as root (as faultbox test does)";
  }
  TempDir tmp;
  SeccompProgram prog = SeccompProgram::build_standard();
};

}  // namespace

// The whole handover with the real shim: the listener reaches the engine
// while the shim waits, the shim's exec and the program's syscalls arrive
// at it, a fault decided there hits the program, its exit status comes back.
TEST_F(ShimHandoverTest, HandsOverTheListenerAndExecsUnderTheFilter) {
  ShimListener listener(tmp.path + "/sock");
  struct stat st {};
  ASSERT_EQ(::stat(listener.socket_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666u);
  ASSERT_EQ(::stat((tmp.path + "/sock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);

  Child shim;
  spawn(shim, shim_args(listener, {kFdWriter, tmp.path + "/out.txt"}), kEnv);
  ShimSession session = listener.await(shim.pid, prog, 2000ms, [] { return true; });
  EXPECT_EQ(session.program(), kFdWriter);
  EXPECT_EQ(session.euid(), 0u);
  EXPECT_FALSE(session.gone_ahead());
  // Our filter is on the shim before it execs anything.
  EXPECT_EQ(status_field(shim.pid, "Seccomp"), "2");
  // One filter more than it inherited (CI may itself run under Docker's).
  std::string inherited = status_field(::getpid(), "Seccomp_filters");
  EXPECT_EQ(status_field(shim.pid, "Seccomp_filters"), std::to_string(std::stoi(inherited) + 1));
  // No exec before the go-ahead.
  EXPECT_NE(::access((tmp.path + "/out.txt").c_str(), F_OK), 0);

  LaunchedProcess p = session.take_process();
  EXPECT_EQ(p.pid, shim.pid);
  ASSERT_TRUE(p.listener.valid());
  ASSERT_TRUE(p.pidfd.valid());
  EXPECT_FALSE(p.stdout_pipe.valid());
  SeccompSupervisor sup(std::move(p.listener));

  int execs = 0, file_faults = 0;
  std::string status_after_exec;
  auto decide = [&](const SyscallEvent& ev) {
    if (ev.tgid != shim.pid) return Decision::allow();
    if (ev.name == "execve") {
      ++execs;
      return Decision::allow();
    }
    if (execs > 0 && status_after_exec.empty()) status_after_exec = status_field(shim.pid, "Seccomp");
    if (ev.name != "write") return Decision::allow();
    FdInfo info = inspect_fd(p.pidfd.get(), static_cast<int>(ev.args[0]));
    if (!sup.still_valid(ev.id) || info.kind != FdKind::RegularFile) return Decision::allow();
    ++file_faults;
    return Decision::fail(ENOSPC);
  };
  session.go_ahead();
  EXPECT_TRUE(session.gone_ahead());
  supervise_until_exit(p.pidfd.get(), sup, decide);
  int status = shim.wait();
  EXPECT_EQ(exit_code(status), 0) << read_all(shim.err.get());
  EXPECT_EQ(read_all(shim.out.get()), "file=ENOSPC socket=ok pipe=ok dup2socket=ok\n");
  EXPECT_EQ(execs, 1);
  EXPECT_EQ(file_faults, 1);
  EXPECT_EQ(status_after_exec, "2");
}

// execvp's lookup through PATH, and the program's own exit status.
TEST_F(ShimHandoverTest, FindsTheProgramInPathAndPassesItsExitStatus) {
  ShimListener listener(tmp.path + "/sock");
  Child shim;
  spawn(shim, shim_args(listener, {"sh", "-c", "echo \"$0 $GREETING\"; exit 7"}),
        {"PATH=/nonexistent:/usr/bin:/bin", "GREETING=hello"});
  ShimSession session = listener.await(shim.pid, prog, 2000ms, {});
  EXPECT_EQ(session.program(), "/usr/bin/sh");
  faultbox::engine::testing::AllowAllSupervisor answer(session.take_process().listener);
  session.go_ahead();
  int status = shim.wait();
  EXPECT_EQ(exit_code(status), 7) << read_all(shim.err.get());
  // argv[0] stays as given, the environment passes through.
  EXPECT_EQ(read_all(shim.out.get()), "sh hello\n");
}

// A #! entrypoint (the kernel runs its interpreter) works as it is.
TEST_F(ShimHandoverTest, RunsAScriptEntrypoint) {
  std::string script = tmp.path + "/entrypoint.sh";
  std::ofstream(script) << "#!/bin/sh\necho \"script $1\"\nexit 5\n";
  ::chmod(script.c_str(), 0755);
  ShimListener listener(tmp.path + "/sock");
  Child shim;
  spawn(shim, shim_args(listener, {script, "arg"}), kEnv);
  ShimSession session = listener.await(shim.pid, prog, 2000ms, {});
  faultbox::engine::testing::AllowAllSupervisor answer(session.take_process().listener);
  session.go_ahead();
  EXPECT_EQ(exit_code(shim.wait()), 5) << read_all(shim.err.get());
  EXPECT_EQ(read_all(shim.out.get()), "script arg\n");
}

TEST_F(ShimHandoverTest, MissingProgramIsReportedAndNeverExecs) {
  ShimListener listener(tmp.path + "/sock");
  Child shim;
  spawn(shim, shim_args(listener, {"no-such-program-faultbox", "x"}), {"PATH=/usr/bin:/bin"});
  std::string msg = await_error(listener, shim.pid, prog);
  EXPECT_CONTAINS(msg, "no-such-program-faultbox");
  EXPECT_CONTAINS(msg, "not found in PATH=/usr/bin:/bin");
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_EQ(exit_code(shim.wait()), 127);
  // The same line lands in the container's log.
  EXPECT_CONTAINS(read_all(shim.err.get()), "faultbox-shim: cannot run no-such-program-faultbox");

  Child by_path;
  spawn(by_path, shim_args(listener, {"/nonexistent/dir/server"}), kEnv);
  msg = await_error(listener, by_path.pid, prog);
  EXPECT_CONTAINS(msg, "/nonexistent/dir/server");
  EXPECT_CONTAINS(msg, "No such file or directory");
  EXPECT_EQ(exit_code(by_path.wait()), 127);
}

TEST_F(ShimHandoverTest, NonExecutableProgramOrMissingInterpreterIsReported) {
  ShimListener listener(tmp.path + "/sock");
  std::string plain = tmp.path + "/not-executable";
  std::ofstream(plain) << "data\n";
  ::chmod(plain.c_str(), 0644);
  Child a;
  spawn(a, shim_args(listener, {plain}), kEnv);
  std::string msg = await_error(listener, a.pid, prog);
  EXPECT_CONTAINS(msg, plain);
  EXPECT_CONTAINS(msg, "not an executable file");
  EXPECT_EQ(exit_code(a.wait()), 126);

  std::string script = tmp.path + "/script";
  std::ofstream(script) << "#!/nonexistent/interpreter -x\nexit 0\n";
  ::chmod(script.c_str(), 0755);
  Child b;
  spawn(b, shim_args(listener, {script}), kEnv);
  msg = await_error(listener, b.pid, prog);
  EXPECT_CONTAINS(msg, "its interpreter /nonexistent/interpreter");
  EXPECT_EQ(exit_code(b.wait()), 127);
}

// no_new_privs would make a setuid program run silently as the caller.
TEST_F(ShimHandoverTest, SetuidProgramOfAnotherUserIsRefused) {
  std::string copy = tmp.path + "/setuid_writer";
  ASSERT_EQ(std::system(("cp '" + kFdWriter + "' '" + copy + "'").c_str()), 0);
  ASSERT_EQ(::chown(copy.c_str(), kNobody, kNobody), 0);
  ASSERT_EQ(::chmod(copy.c_str(), 04755), 0);
  ShimListener listener(tmp.path + "/sock");
  Child shim;
  spawn(shim, shim_args(listener, {copy, tmp.path + "/out.txt"}), kEnv);
  std::string msg = await_error(listener, shim.pid, prog);
  EXPECT_CONTAINS(msg, copy);
  EXPECT_CONTAINS(msg, "setuid (owner uid 65534, running as uid 0)");
  EXPECT_CONTAINS(msg, "no_new_privs");
  EXPECT_EQ(exit_code(shim.wait()), 126);
  EXPECT_NE(::access((tmp.path + "/out.txt").c_str(), F_OK), 0) << "the program ran";
}

// A process already under a supervisor (here: launched by binary mode's
// ProcessLauncher, whose filter has a listener) cannot get a second one.
TEST_F(ShimHandoverTest, SecondListenerFailsWithEbusyAndItsCause) {
  ShimListener listener(tmp.path + "/sock");
  ProcessLauncher launcher(prog);
  LaunchSpec spec;
  spec.path = kShim;
  spec.argv = shim_args(listener, {kFdWriter, tmp.path + "/out.txt"});
  spec.env = kEnv;
  LaunchedProcess outer = launcher.launch(spec);
  faultbox::engine::testing::AllowAllSupervisor answer_outer(std::move(outer.listener));
  Child reaper;  // kills and reaps it if an assertion fails
  reaper.pid = outer.pid;
  std::string msg = await_error(listener, outer.pid, prog);
  EXPECT_CONTAINS(msg, "EBUSY");
  EXPECT_CONTAINS(msg, "another seccomp listener is already installed");
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_EQ(exit_code(reaper.wait()), 126);
  EXPECT_CONTAINS(read_all(outer.stderr_pipe.get()), "faultbox-shim: installing the seccomp filter failed: EBUSY");
  EXPECT_NE(::access((tmp.path + "/out.txt").c_str(), F_OK), 0) << "the program ran";
}

// The image's user: any uid reaches the socket and installs the filter
// (no_new_privs needs no privilege).
TEST_F(ShimHandoverTest, NonRootShimConnectsAndInstalls) {
  ShimListener listener(tmp.path + "/sock");
  Child shim;
  spawn(shim, shim_args(listener, {"id", "-u"}), kEnv, kNobody);
  ShimSession session = listener.await(shim.pid, prog, 2000ms, {});
  EXPECT_EQ(session.euid(), kNobody);
  EXPECT_EQ(session.egid(), kNobody);
  EXPECT_EQ(status_field(shim.pid, "Seccomp"), "2");
  EXPECT_EQ(status_field(shim.pid, "NoNewPrivs"), "1");
  faultbox::engine::testing::AllowAllSupervisor answer(session.take_process().listener);
  session.go_ahead();
  EXPECT_EQ(exit_code(shim.wait()), 0) << read_all(shim.err.get());
  EXPECT_EQ(read_all(shim.out.get()), "65534\n");
}

// Another pid's connection is closed (a real shim then exits without exec)
// and the awaited pid that never connects runs into the timeout.
TEST_F(ShimHandoverTest, OtherPidsAreTurnedAwayAndASilentShimTimesOut) {
  ShimListener listener(tmp.path + "/sock");
  Child stranger;
  spawn(stranger, shim_args(listener, {kFdWriter, tmp.path + "/out.txt"}), kEnv);
  // The stranger has connected before the wait starts.
  pollfd pending{listener.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&pending, 1, 2000), 1);
  Child silent;
  spawn_sleeper(silent);
  std::string msg = await_error(listener, silent.pid, prog, 400ms);
  EXPECT_EQ(msg, "faultbox-shim (pid " + std::to_string(silent.pid) + ") did not connect to " +
                     listener.socket_path() + " within 400 ms");
  int status = stranger.wait();
  EXPECT_EQ(exit_code(status), 126);
  EXPECT_CONTAINS(read_all(stranger.err.get()), "closed the connection before sending the filter");
  EXPECT_NE(::access((tmp.path + "/out.txt").c_str(), F_OK), 0) << "the program ran";
}

TEST_F(ShimHandoverTest, ProcessExitOrStillAliveFalseEndsTheWait) {
  ShimListener listener(tmp.path + "/sock");
  Child quitter;
  spawn(quitter, {"/bin/sh", "-c", "exit 3"}, {});
  std::string msg = await_error(listener, quitter.pid, prog);
  EXPECT_EQ(msg, "faultbox-shim (pid " + std::to_string(quitter.pid) + ") exited before the handover (exit status 3)");

  Child sleeper;
  spawn_sleeper(sleeper);
  int asked = 0;
  msg = await_error(listener, sleeper.pid, prog, 1500ms, [&] { return ++asked < 3; });
  EXPECT_EQ(msg, "faultbox-shim (pid " + std::to_string(sleeper.pid) + ") exited before the handover");
  EXPECT_EQ(asked, 3);
}

// A shim that reported and exited before the wait — even reaped already,
// as Docker does — still has its report read: SO_PEERCRED keeps its pid.
TEST_F(ShimHandoverTest, ReportOfAShimThatIsGoneIsStillRead) {
  ShimListener listener(tmp.path + "/sock");
  Child reaped;
  spawn(reaped, shim_args(listener, {"no-such-program-faultbox"}), kEnv);
  EXPECT_EQ(exit_code(reaped.wait()), 127);
  std::string msg = await_error(listener, reaped.pid, prog);
  EXPECT_EQ(msg, "faultbox-shim: cannot run no-such-program-faultbox: not found in PATH=/usr/local/bin:/usr/bin:/bin");

  // Exited, not reaped, and the engine's liveness check says so first.
  Child zombie;
  spawn(zombie, shim_args(listener, {"/nonexistent/server"}), kEnv);
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(zombie.pid), &info, WEXITED | WNOWAIT), 0);
  msg = await_error(listener, zombie.pid, prog, 1500ms, [] { return false; });
  EXPECT_CONTAINS(msg, "faultbox-shim: cannot run /nonexistent/server: No such file or directory");

  EXPECT_EQ(await_error(listener, 0, prog), "faultbox-shim exited before the handover (no process to take over)");
}

// --- the protocol, with a fake shim (this process) ---------------------------

TEST_F(ShimHandoverTest, ShimOfAnotherProtocolVersionIsRefused) {
  ShimListener listener(tmp.path + "/sock");
  FakeShim fake(listener.socket_path());
  fake.hello(99);
  std::string msg = await_error(listener, ::getpid(), prog);
  EXPECT_CONTAINS(msg, "speaks handover protocol version 99 but this faultbox speaks version 1");
  EXPECT_TRUE(fake.closed_by_engine());

  FakeShim stranger(listener.socket_path());
  stranger.send(FAULTBOX_SHIM_HELLO, "GET / HTTP/1.0\r\n", 1, 0x20544547);
  msg = await_error(listener, ::getpid(), prog);
  EXPECT_CONTAINS(msg, "does not speak faultbox-shim's handover protocol");
}

TEST_F(ShimHandoverTest, ReportedFailureBecomesTheError) {
  ShimListener listener(tmp.path + "/sock");
  FakeShim fake(listener.socket_path());
  fake.hello();
  faultbox_shim_failure f{FAULTBOX_SHIM_STEP_SECCOMP, EPERM, 126, 0};
  fake.send(FAULTBOX_SHIM_FAILURE, std::string(reinterpret_cast<const char*>(&f), sizeof f) + "it broke\nbadly");
  std::string msg = await_error(listener, ::getpid(), prog);
  // One line of output: the newline became a space (engine/OneLine).
  EXPECT_EQ(msg, "faultbox-shim: it broke badly");
}

// A shim stuck before or after INSTALLING: the timeout names the step.
TEST_F(ShimHandoverTest, TimeoutNamesTheStepTheShimIsStuckIn) {
  ASSERT_LT(::fcntl(FAULTBOX_SHIM_LISTENER_FD, F_GETFD), 0) << "fd 1000 is open in the test process";
  ShimListener listener(tmp.path + "/sock");
  {
    FakeShim fake(listener.socket_path());
    fake.hello();
    std::string msg = await_error(listener, ::getpid(), prog, 300ms);
    EXPECT_CONTAINS(msg, "did not start installing its seccomp filter within 300 ms");
  }
  {
    FakeShim fake(listener.socket_path());
    fake.hello();
    fake.send(FAULTBOX_SHIM_INSTALLING, "");
    std::string msg = await_error(listener, ::getpid(), prog, 300ms);
    EXPECT_CONTAINS(msg, "did not hand over its seccomp listener (fd 1000) within 300 ms");
  }
}

TEST_F(ShimHandoverTest, ListenerSocketIsRemovedWithItsOwner) {
  std::string dir = tmp.path + "/private";
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  std::string path;
  {
    ShimListener listener(dir);
    path = listener.socket_path();
    EXPECT_EQ(path, dir + "/handover.sock");
    EXPECT_EQ(::access(path.c_str(), F_OK), 0);
    // An existing folder gets search bits for the image's user, nothing more.
    struct stat st {};
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0711u);
  }
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
  EXPECT_THROW(ShimListener(tmp.path + "/" + std::string(120, 'x')), EnvironmentError);
}
