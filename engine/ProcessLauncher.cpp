#include "engine/ProcessLauncher.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "engine/EngineError.h"


namespace faultbox::engine {

namespace {

// What the child reports through the error pipe when a step before the
// filter fails (after the filter it cannot write: write is filtered).
enum class ChildStep : int { Stdio = 1, Chdir, Setns, Signals, Pdeathsig, NoNewPrivs, Seccomp };

struct ChildReport {
  int step;
  int err;
};

const char* step_name(int step) {
  switch (static_cast<ChildStep>(step)) {
    case ChildStep::Stdio: return "setting up stdio";
    case ChildStep::Chdir: return "changing to the working directory";
    case ChildStep::Setns: return "entering the run's network namespace";
    case ChildStep::Signals: return "resetting signals";
    case ChildStep::Pdeathsig: return "setting the parent-death signal";
    case ChildStep::NoNewPrivs: return "setting no_new_privs";
    case ChildStep::Seccomp: return "installing the seccomp filter";
  }
  return "starting";
}

[[noreturn]] void child_fail(int errfd, ChildStep step) {
  ChildReport r{static_cast<int>(step), errno};
  ssize_t ignored = ::write(errfd, &r, sizeof r);
  (void)ignored;
  _exit(125);
}

// Runs in the forked child: async-signal-safe calls only, no allocation.
[[noreturn]] void child_main(const LaunchSpec& spec, const sock_fprog& prog, char* const* argv,
                             char* const* envp, int errfd, int out_w, int err_w, pid_t parent) {
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull < 0 || ::dup2(devnull, 0) < 0 || ::dup2(out_w, 1) < 0 || ::dup2(err_w, 2) < 0)
    child_fail(errfd, ChildStep::Stdio);
  if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) < 0) child_fail(errfd, ChildStep::Chdir);
  if (spec.netns_fd >= 0 && ::setns(spec.netns_fd, CLONE_NEWNET) < 0)
    child_fail(errfd, ChildStep::Setns);
  // The service must not inherit faultbox's blocked or ignored signals.
  sigset_t none;
  sigemptyset(&none);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  if (::sigprocmask(SIG_SETMASK, &none, nullptr) < 0 || ::sigaction(SIGPIPE, &dfl, nullptr) < 0)
    child_fail(errfd, ChildStep::Signals);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) child_fail(errfd, ChildStep::Pdeathsig);
  if (::getppid() != parent) _exit(125);  // faultbox already gone
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) child_fail(errfd, ChildStep::NoNewPrivs);
  long listener = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SeccompProgram::kInstallFlags, &prog);
  if (listener < 0) child_fail(errfd, ChildStep::Seccomp);
  // From here until SIGCONT: no filtered syscall (getpid, kill, and dup3 onto
  // kListenerFd — the filter's one exception for dup3 — are not).
  if (listener != ProcessLauncher::kListenerFd &&
      ::dup3(static_cast<int>(listener), ProcessLauncher::kListenerFd, O_CLOEXEC) < 0)
    _exit(126);
  ::kill(::getpid(), SIGSTOP);
  ::execve(spec.path.c_str(), argv, envp);
  _exit(127);
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

LaunchedProcess ProcessLauncher::launch(const LaunchSpec& spec) const {
  // Checks the parent can make with a clear message; exec failing later is
  // reported by exit status 127.
  struct stat st {};
  if (::stat(spec.path.c_str(), &st) < 0)
    throw EnvironmentError(errno_message("cannot start " + spec.path, errno));
  if (!S_ISREG(st.st_mode) || ::access(spec.path.c_str(), X_OK) < 0)
    throw EnvironmentError("cannot start " + spec.path + ": not an executable file");

  // argv/envp point into these vectors, which outlive the fork.
  const std::vector<std::string> args = spec.argv.empty() ? std::vector<std::string>{spec.path} : spec.argv;
  std::vector<char*> argv = c_strings(args);
  std::vector<char*> envp = c_strings(spec.env);
  sock_fprog prog = program_.fprog();

  int errp[2], outp[2], errs[2];
  if (::pipe2(errp, O_CLOEXEC) < 0) throw EnvironmentError(errno_message("pipe2", errno));
  UniqueFd err_r(errp[0]), err_w(errp[1]);
  if (::pipe2(outp, O_CLOEXEC) < 0) throw EnvironmentError(errno_message("pipe2", errno));
  UniqueFd out_r(outp[0]), out_w(outp[1]);
  if (::pipe2(errs, O_CLOEXEC) < 0) throw EnvironmentError(errno_message("pipe2", errno));
  UniqueFd serr_r(errs[0]), serr_w(errs[1]);

  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw EnvironmentError(errno_message("fork", errno));
  if (pid == 0)
    child_main(spec, prog, argv.data(), envp.data(), err_w.get(), out_w.get(), serr_w.get(), parent);

  err_w.reset();
  out_w.reset();
  serr_w.reset();

  int status = 0;
  pid_t w;
  do {
    w = ::waitpid(pid, &status, WUNTRACED);
  } while (w < 0 && errno == EINTR);
  if (w < 0) throw EnvironmentError(errno_message("waitpid", errno));
  if (!WIFSTOPPED(status)) {
    ChildReport r{};
    ssize_t n = ::read(err_r.get(), &r, sizeof r);
    if (n == static_cast<ssize_t>(sizeof r)) {
      std::string cause = errno_message(std::string("cannot start ") + spec.path + ": " + step_name(r.step), r.err);
      if (r.step == static_cast<int>(ChildStep::Seccomp) && r.err == EBUSY)
        cause += " (another seccomp listener is already installed on this process's filter chain)";
      throw EnvironmentError(cause);
    }
    throw EnvironmentError("cannot start " + spec.path + ": the child died before the seccomp handover (status " +
                           std::to_string(status) + ")");
  }

  LaunchedProcess p;
  p.pid = pid;
  p.pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!p.pidfd) {
    int e = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw EnvironmentError(errno_message("pidfd_open (needs Linux 5.3)", e));
  }
  p.listener.reset(static_cast<int>(::syscall(SYS_pidfd_getfd, p.pidfd.get(), kListenerFd, 0)));
  if (!p.listener) {
    int e = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw EnvironmentError(errno_message("pidfd_getfd of the seccomp listener (needs Linux 5.6)", e));
  }
  if (spec.cgroup_procs_fd >= 0) {
    std::string s = std::to_string(pid);
    if (::pwrite(spec.cgroup_procs_fd, s.data(), s.size(), 0) < 0) {
      int e = errno;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      throw EnvironmentError(errno_message("moving the service into its cgroup", e));
    }
  }
  p.stdout_pipe = std::move(out_r);
  p.stderr_pipe = std::move(serr_r);
  ::kill(pid, SIGCONT);
  return p;
}

}  // namespace faultbox::engine
