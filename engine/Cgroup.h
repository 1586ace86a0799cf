// cgroup v2 groups for services. Every service runs in its own group under a
// per-run group, so teardown is one write to cgroup.kill and double-forked
// daemons and worker children die with it. The run groups double as the
// registry of live runs: a run group whose owner pid is gone is a leftover of
// a killed faultbox, and the next start sweeps it (kill + rmdir).
//
// The cgroup2 mount is found in /proc/self/mountinfo (hybrid layouts mount it
// at /sys/fs/cgroup/unified); groups go below faultbox's own cgroup.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/UniqueFd.h"

namespace faultbox::engine {

// Where cgroup2 is mounted and faultbox's own group in it.
struct CgroupLocation {
  std::string mount;  // "/sys/fs/cgroup" or "/sys/fs/cgroup/unified"
  std::string self;   // absolute path of faultbox's own group directory
};

// Throws EnvironmentError with the cause when there is no usable cgroup2.
CgroupLocation locate_cgroup2();
// Parses mountinfo text (for tests): the cgroup2 mount point, if any.
std::optional<std::string> cgroup2_mount_from_mountinfo(const std::string& mountinfo);

class Cgroup {
 public:
  // Creates directory `path` (its parent must exist). Throws EnvironmentError.
  static Cgroup create(const std::string& path);
  Cgroup() = default;
  Cgroup(Cgroup&& o) noexcept : path_(std::move(o.path_)), procs_(std::move(o.procs_)) { o.path_.clear(); }
  Cgroup& operator=(Cgroup&&) noexcept;
  ~Cgroup();  // kills and removes the group (and any child groups)

  const std::string& path() const { return path_; }
  // An fd of cgroup.procs to move a process in (ProcessLauncher writes the pid).
  int procs_fd() const { return procs_.get(); }
  std::vector<pid_t> pids() const;
  // SIGKILL to every process in the group and below; waits (bounded) until
  // the group is empty. Returns false if it did not empty within the bound.
  bool kill_all();
  // kill_all, then rmdir children and the group. Idempotent.
  void destroy();

 private:
  std::string path_;
  UniqueFd procs_;
};

// A run's group: <self>/faultbox-run-<pid>-<n>; services are children.
class RunCgroups {
 public:
  // Sweeps leftovers of dead runs first. Throws EnvironmentError.
  explicit RunCgroups(const CgroupLocation& loc);
  ~RunCgroups();
  RunCgroups(const RunCgroups&) = delete;
  RunCgroups& operator=(const RunCgroups&) = delete;

  Cgroup& add_service(const std::string& name);
  const std::string& path() const { return run_.path(); }
  // Leftover run groups swept when this one was created.
  int swept() const { return swept_; }

 private:
  Cgroup run_;
  std::vector<std::unique_ptr<Cgroup>> services_;  // stable addresses for add_service's result
  int swept_ = 0;
};

// Kills and removes run groups under `parent` whose owning faultbox pid is
// no longer alive. Returns how many were swept.
int sweep_dead_runs(const std::string& parent);

}  // namespace faultbox::engine
