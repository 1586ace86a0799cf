// A run's own network namespace: loopback only, so runs never collide on
// ports and no TIME_WAIT socket carries from one test into the next. Made by
// unshare(CLONE_NEWNET) on a short-lived thread and held by an fd — no
// `ip netns add` bind mount, so nothing outlives a crashed faultbox.
//
// setns is per thread: faultbox's own sockets into the run (driver steps,
// healthchecks) are created by socket_in(), which enters the namespace on the
// calling thread only for the socket() call and returns.
#pragma once

#include <sys/types.h>

#include "engine/UniqueFd.h"

namespace faultbox::engine {

class NetworkNamespace {
 public:
  // Throws EnvironmentError (no CAP_SYS_ADMIN, no netns support).
  static NetworkNamespace create();
  // The namespace process `pid` is in (a container's: /proc/PID/ns/net),
  // held by an fd so it stays valid for as long as this object lives.
  static NetworkNamespace of_process(pid_t pid);
  int fd() const { return fd_.get(); }

  // A socket created inside this namespace (the caller's thread is back in
  // its own namespace when this returns). -1 with errno on failure.
  int socket_in(int domain, int type, int protocol) const;

 private:
  UniqueFd fd_;
};

}  // namespace faultbox::engine
