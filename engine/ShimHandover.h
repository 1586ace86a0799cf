// The supervisor's side of faultbox-shim's handover (DESIGN.md §3,
// "Container mode"; the protocol is shim/ShimProtocol.h, the story
// shim/README.md). Binary mode hands the listener over with SIGSTOP and
// waitpid (ProcessLauncher); a container's PID 1 cannot stop itself and is
// not our child, so the shim talks over a unix socket instead:
//
//   shim:   connect (before any filter) — the engine knows it by SO_PEERCRED
//   shim:   HELLO (program resolved and checked)       or FAILURE
//   engine: PROGRAM (the BPF program, NEW_LISTENER|WAIT_KILLABLE_RECV)
//   shim:   INSTALLING, then the filter, dup3 to fd 1000  or FAILURE
//   engine: pidfd_getfd(shim, 1000)                     (await() returns)
//   caller: sets up what must exist before the program's first syscall
//   engine: closes the connection: the go-ahead          (go_ahead())
//   shim:   execve
//
// From INSTALLING on, the shim's filtered syscalls (its ppoll, its execve,
// the program's) wait until whoever holds the listener answers them: the
// caller starts its supervisor on LaunchedProcess::listener before the
// go-ahead has any effect.
//
// The program never runs without the filter: on any failure await() throws
// and the shim exits non-zero (before the install) or stays parked in a
// notification nobody answers (after it) until the caller kills it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>

#include "engine/ProcessLauncher.h"
#include "engine/SeccompProgram.h"
#include "engine/UniqueFd.h"

namespace faultbox::engine {

// A shim that handed over its listener and waits for the go-ahead.
class ShimSession {
 public:
  ShimSession() = default;
  ShimSession(LaunchedProcess process, UniqueFd connection, std::string program, uid_t euid, gid_t egid);
  ShimSession(ShimSession&&) noexcept = default;
  ShimSession& operator=(ShimSession&&) noexcept = default;
  ~ShimSession() = default;  // the connection closing is the go-ahead

  // pid, pidfd and listener of the shim's process (no stdout/stderr pipes:
  // Docker owns its stdio). Once: later calls return an empty process.
  LaunchedProcess take_process() { return std::move(process_); }
  // Closes the connection: the shim execs (once its ppoll is answered).
  // Idempotent; the destructor does it too.
  void go_ahead() { connection_.reset(); }
  bool gone_ahead() const { return !connection_.valid(); }

  // Added: what the shim told in its HELLO — the program it will exec (as
  // resolved in the container, e.g. "/usr/local/bin/redis-server") and the
  // effective ids it runs as (the image's user).
  const std::string& program() const { return program_; }
  uid_t euid() const { return euid_; }
  gid_t egid() const { return egid_; }

 private:
  LaunchedProcess process_;
  UniqueFd connection_;
  std::string program_;
  uid_t euid_ = 0;
  gid_t egid_ = 0;
};

class ShimListener {
 public:
  // The name of the socket inside `dir`.
  static constexpr const char* kSocketName = "handover.sock";

  // Creates `dir` if missing (0755; an existing one gets its search bits
  // added, so an image's non-root user can reach the socket) and listens on
  // dir/handover.sock, mode 0666. Throws EnvironmentError.
  explicit ShimListener(std::string dir);
  ~ShimListener();  // closes and unlinks the socket (the folder stays)
  ShimListener(const ShimListener&) = delete;
  ShimListener& operator=(const ShimListener&) = delete;

  const std::string& socket_path() const { return socket_path_; }
  const std::string& dir() const { return dir_; }
  int fd() const { return fd_.get(); }

  // Waits up to `timeout` for the shim whose SO_PEERCRED pid is `pid`
  // (connections from other pids are closed: their shims exit without
  // exec), sends it `program` with NEW_LISTENER|WAIT_KILLABLE_RECV, and once
  // it said INSTALLING takes its listener with pidfd_getfd(pidfd,
  // FAULTBOX_SHIM_LISTENER_FD), polled with short sleeps and checked to be a
  // seccomp notify fd. A shim-reported failure (its text), a protocol
  // version mismatch, the process exiting, `still_alive` returning false
  // (polled every 50 ms; may be empty) or the timeout → EnvironmentError
  // with a one-line cause (the caller prefixes "service NAME: ").
  ShimSession await(pid_t pid, const SeccompProgram& program, std::chrono::milliseconds timeout,
                    const std::function<bool()>& still_alive);

 private:
  std::string dir_;
  std::string socket_path_;
  UniqueFd fd_;
};

}  // namespace faultbox::engine
