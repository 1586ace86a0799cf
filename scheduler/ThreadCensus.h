// The threads of a run's services, enumerated from each service's cgroup v2
// directory (DESIGN.md §4: "threads enumerated from each service's cgroup" —
// not from the process tree, which a double-forking daemon leaves, and not
// from the tids seccomp has shown us, which miss threads that never made an
// intercepted syscall).
//
// A service's cgroup.threads lists every thread in that group; child groups
// a service makes for itself are walked too. Per thread the census keeps its
// /proc files open (ProcFile: 3 fds per thread) and what does not change
// while it lives — tgid, start time, depth — read once, when the tid is
// first seen. A refresh reads cgroup.threads once per group and each
// thread's stat (the comm changes at exec and when a thread names itself,
// and the state is what sample() needs). A tid whose kept files fail, or
// whose start time changed, belonged to a thread that exited: if the tid is
// listed again it is a new thread (tids are reused; pid_max may be 32768).
//
// The caller passes plain data (service name and absolute cgroup directory);
// scheduler/ knows nothing of how the engine made the groups.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "scheduler/ThreadSample.h"

namespace faultbox::scheduler {

struct ServiceCgroup {
  std::string service;    // the spec's service name
  std::string directory;  // absolute cgroup v2 directory, e.g. /sys/fs/cgroup/unified/…/api
};

struct ThreadInfo {
  pid_t tid = 0;
  pid_t tgid = 0;
  std::string service;
  std::string comm;         // as of the last refresh
  char state = '?';         // as of the last refresh
  uint64_t start_time = 0;  // /proc/TID/stat field 22, clock ticks since boot
  // How many ancestors of the thread's process are themselves in the
  // service's cgroup: 0 for the process the engine started (its parent is
  // faultbox), 1 for its children, … All threads of a process share its depth.
  int depth = 0;
  // Where the thread slept at the last sample() ("futex_do_wait"): empty
  // before one, and for a thread that was runnable then. ThreadOrdinals
  // tells a pool of idle workers by it.
  std::string wchan;
};

class ThreadCensus {
 public:
  explicit ThreadCensus(std::vector<ServiceCgroup> services = {});
  ThreadCensus(const ThreadCensus&) = delete;
  ThreadCensus& operator=(const ThreadCensus&) = delete;

  // Services may come and go between decisions (a service restarted by the test).
  void add_service(ServiceCgroup service);
  void remove_service(const std::string& service);
  const std::vector<ServiceCgroup>& services() const { return services_; }

  // Reads every service's groups and returns the threads in them, ordered by
  // (service order, tid). A tid listed but gone before its /proc files could
  // be read is left out (it exited; the next refresh will not list it).
  // Throws std::runtime_error naming the directory and the cause when a
  // service's group cannot be read (it was removed under the run).
  const std::vector<ThreadInfo>& refresh();
  // The result of the last refresh().
  const std::vector<ThreadInfo>& threads() const { return current_; }

  struct Sample {
    std::vector<ThreadSample> threads;  // sorted by (tid, start time)
    // False when a thread listed by the refresh exited before its wchan and
    // schedstat were read: the set of threads was changing under the sample.
    bool complete = true;
  };
  // refresh(), then each thread's wchan and run time: one sample for the
  // quiescence rule.
  Sample sample();

  // Drops what is known about `tid`, so the next refresh reads it afresh.
  void forget(pid_t tid);

 private:
  struct Entry {
    ThreadInfo info;
    ThreadFiles files;
    bool wchan_readable = false;  // checked once, at first sight
  };
  // Appends the tids listed in `dir` and its child groups.
  void list_tids(const std::string& dir, const std::string& service, std::vector<pid_t>& out) const;
  // Opens and reads a tid seen for the first time; false when it is gone.
  bool first_sight(pid_t tid, const std::string& service, Entry& out) const;

  std::vector<ServiceCgroup> services_;
  std::unordered_map<pid_t, Entry> known_;
  std::vector<ThreadInfo> current_;
};

}  // namespace faultbox::scheduler
