// Starts one service process under the seccomp filter, with the listener
// handover of DESIGN.md §3:
//
//   parent: build argv/envp and the BPF program, fork
//   child:  (raw syscalls only) stdio onto pipes, chdir, optional setns into
//           the run's network namespace, PDEATHSIG, NO_NEW_PRIVS, install the
//           filter with NEW_LISTENER|WAIT_KILLABLE_RECV, dup3 the listener to
//           kListenerFd, SIGSTOP itself
//   parent: waitpid(WUNTRACED), pidfd_open, pidfd_getfd(kListenerFd), put the
//           child in its cgroup, SIGCONT
//   child:  execve (its listener copies close on exec)
//
// Between installing the filter and the handover the child makes no
// filtered syscall: nobody holds the listener yet, so it would block forever.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/SeccompProgram.h"
#include "engine/UniqueFd.h"

namespace faultbox::engine {

struct LaunchSpec {
  std::string path;                // absolute path of the executable
  std::vector<std::string> argv;   // argv[0] included
  std::vector<std::string> env;    // "K=V"
  std::string cwd;                 // empty: inherit
  int netns_fd = -1;               // setns target, or -1 for the caller's namespace
  int cgroup_procs_fd = -1;        // an open cgroup.procs to join before exec, or -1
};

struct LaunchedProcess {
  pid_t pid = -1;
  UniqueFd pidfd;
  UniqueFd listener;  // the seccomp notification fd
  UniqueFd stdout_pipe;  // read ends; the service's fd 1 and 2 are the write ends
  UniqueFd stderr_pipe;
};

class ProcessLauncher {
 public:
  // The fd number the child parks its listener on before the handover.
  static constexpr int kListenerFd = 1000;

  explicit ProcessLauncher(const SeccompProgram& program) : program_(program) {}

  // Throws EnvironmentError with a one-line cause (missing binary, filter
  // refused by the kernel, ...). The process is stopped-then-resumed and
  // runs (or failed exec and exits 127) when this returns.
  LaunchedProcess launch(const LaunchSpec& spec) const;

 private:
  const SeccompProgram& program_;
};

}  // namespace faultbox::engine
