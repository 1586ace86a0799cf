// Container mode of one run (issue 6; DESIGN.md §3, "Container mode" and
// "Containers and the network"): the Docker daemon, the run's own bridge
// network, the folder holding the socket the shims dial, and the run's
// containers — all named and labelled per run, and all removed when the
// session ends (also when the run unwinds on SIGINT/SIGTERM).
//
// A container starts with faultbox-shim as its entrypoint (bind-mounted
// read-only) and the image's own entrypoint and cmd (or the spec's args=)
// as the shim's arguments, so Docker still applies the image's user, env and
// working dir. start() returns once the shim has handed over its seccomp
// listener; the caller sets up what must exist before the service's first
// syscall (its SYN queue, its supervisor) and then gives the go-ahead.
//
// Nothing is published: faultbox reaches every container at its IP on the
// run's network, which the host can route to. The network is `Internal`
// (no way out of the run) whenever the host still gets an address on it —
// probed once per session; otherwise a plain bridge.
//
// Leftovers of a faultbox that was killed (kill -9) carry the label
// faultbox.owner=<pid>:<start time>; the next session sweeps every container,
// network and shim folder whose owner is gone.
//
// Calls to the daemon block (start-up and teardown only, outside the
// serialized part of a run).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/DockerClient.h"
#include "engine/ProcessLauncher.h"
#include "engine/SeccompProgram.h"
#include "engine/ShimHandover.h"
#include "spec/vocabulary/Topology.h"

namespace faultbox::engine {

struct ContainerSessionOptions {
  std::string docker_host;  // the DOCKER_HOST value ("" = the default socket)
  std::string shim_binary;  // host path of faultbox-shim
  std::chrono::milliseconds handover_timeout{30'000};
  // HostConfig.SecurityOpt of every container (tests give a seccomp profile
  // that forbids installing filters; a spec cannot set it).
  std::vector<std::string> security_opt;
};

class ContainerSession {
 public:
  // Connects to the daemon, sweeps leftovers of dead runs, creates the run's
  // network and the shim's socket folder. Throws EnvironmentError (exit 3):
  // no daemon, no shim binary, a network that cannot be made.
  explicit ContainerSession(ContainerSessionOptions options);
  // kill_all(), then removes the containers, the network and the folder.
  ~ContainerSession();
  ContainerSession(const ContainerSession&) = delete;
  ContainerSession& operator=(const ContainerSession&) = delete;

  // A container whose shim handed over its listener and now waits for the
  // go-ahead (handover.go_ahead(), or the ShimSession's destructor).
  struct Started {
    std::string id;
    pid_t pid = 0;   // host pid of the container's first process (the shim)
    std::string ip;  // its IPv4 address on the run's network
    LaunchedProcess process;  // pid, pidfd, listener
    ShimSession handover;
  };
  // Creates and starts `spec`'s container and takes the shim's listener.
  // Throws EnvironmentError with a one-line cause (image missing, shim
  // refused, container exited before the handover: its log tail in
  // log_tail_of_failed()).
  Started start(const star::ServiceSpec& spec, const SeccompProgram& program);

  // SIGKILL to every container of the run (the first step of teardown:
  // Docker's cgroup holds every process of a container).
  void kill_all() noexcept;
  // Everything container `id` wrote to stdout and stderr so far.
  std::string logs(const std::string& id);
  // "exited with status 126" (from the daemon); "" while it runs.
  std::string exit_text(const std::string& id);
  const DockerNetwork& network() const { return network_; }
  const std::string& run_name() const { return name_; }
  // The log of the last container that failed to start ("" if none).
  const std::string& log_of_failed() const { return failed_log_; }
  // Leftovers swept when this session started.
  int swept() const { return swept_; }

  // The image's own entrypoint and cmd, or its entrypoint and `args`: what
  // the shim execs (as `docker run IMAGE ARGS...` would run it).
  static std::vector<std::string> command_of(const DockerImage& image, const std::vector<std::string>& args);

 private:
  void sweep_leftovers();
  void create_network();
  void teardown() noexcept;

  ContainerSessionOptions options_;
  DockerClient docker_;
  std::string owner_;  // "<pid>:<start time>" of this faultbox
  std::string name_;   // faultbox-<pid>-<n>: the network's and the containers' prefix
  std::string shim_dir_;
  std::unique_ptr<ShimListener> listener_;
  DockerNetwork network_;
  std::vector<std::string> containers_;  // ids, in start order
  std::string failed_log_;
  int swept_ = 0;
};

// Whether any service of `topology` is a container (image=): container mode.
bool any_container(const star::Topology& topology);

// Whether every service of `topology` is a container (image=) or none is;
// mixing both is out of scope for now. Returns the service that breaks the
// pattern and how, or "" when the spec is consistent.
std::string mixed_modes(const star::Topology& topology);

}  // namespace faultbox::engine
