// One started service of a run (issue 3, item 1): its process launched under
// the seccomp filter inside the run's network namespace and its own cgroup,
// its supervisor answering every notification on the run's EventLoop, its
// stdout/stderr pipes drained on the same loop into the run's log file.
//
// Why the logs are pipes drained by faultbox and never files on fd 1/2: a
// disk-full fault on the service's writes would otherwise hit its own
// logging (DESIGN.md §3, "Cleanup").
//
// The process is not killed here: the run's cgroup is (cgroup.kill also
// reaches double-forked daemons). The destructor only stops watching, and
// reaps the first process if it already died, so no zombie is left behind.
#pragma once

#include <sys/types.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "engine/EventLoop.h"
#include "engine/FaultOutcome.h"
#include "engine/ProcessLauncher.h"
#include "engine/SeccompSupervisor.h"
#include "engine/TargetInspector.h"
#include "engine/UniqueFd.h"

namespace faultbox::engine {

class ServiceInstance;

// Serialized runs (DESIGN.md §4) keep notifications parked until the
// scheduler decides; free runs answer at once. The sink sees every
// notification first.
class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  // True: the sink keeps `ev` parked and answers it later with
  // ServiceInstance::release(). False: it is decided and answered now.
  virtual bool park(ServiceInstance& from, const SyscallEvent& ev) = 0;
  // A notification decided at once (not parked) whose outcome was a fault.
  virtual void faulted(ServiceInstance& from, const SyscallEvent& ev, const FaultOutcome& outcome) = 0;
};

class ServiceInstance {
 public:
  // Decides one notification. `still_valid` re-checks the notification id.
  using Decider = std::function<FaultOutcome(const SyscallEvent&, const std::function<bool()>& still_valid)>;

  // Launches the service (throws EnvironmentError with a one-line cause) and
  // starts watching its listener and pipes on `loop`. `log_path` is created
  // (appended to); `loop` must outlive this object. `inspector` (the run's,
  // which must outlive this object too) is told of the process and sees
  // every notification at receipt, before it is parked or decided: its fd
  // cache watches the calls that change fd tables (FdTableWatch).
  ServiceInstance(EventLoop& loop, const ProcessLauncher& launcher, std::string name, const LaunchSpec& launch,
                  const std::string& log_path, Decider decide, TargetInspector& inspector);
  // Container mode: the process was launched by Docker and handed over by
  // the shim (`process` has no pipes: Docker owns the container's stdio).
  // `fetch_logs` returns everything the container wrote so far; drain()
  // appends what is new to the log file.
  using LogFetcher = std::function<std::string()>;
  ServiceInstance(EventLoop& loop, LaunchedProcess process, std::string name, const std::string& log_path,
                  Decider decide, LogFetcher fetch_logs, TargetInspector& inspector);
  ~ServiceInstance();
  ServiceInstance(const ServiceInstance&) = delete;
  ServiceInstance& operator=(const ServiceInstance&) = delete;

  const std::string& name() const { return name_; }
  pid_t pid() const { return process_.pid; }
  int pidfd() const { return process_.pidfd.get(); }
  // Reads whatever the service wrote and faultbox has not drained yet (a
  // crash's last words arrive with its exit, possibly before the loop ran).
  void drain();
  // The last `lines` lines the service wrote (stdout and stderr interleaved
  // as they were drained), each prefixed with "  | ".
  std::string log_tail(size_t lines = 15) const;
  // Notifications answered so far (for -v).
  uint64_t notifications() const { return notifications_; }

  // Null for free runs. The sink must outlive this instance or be reset first.
  void set_sink(NotificationSink* sink) { sink_ = sink; }
  // Decides a parked notification now (fault rules as they are at this
  // moment) and answers it — a delay's CONTINUE from a timer. Returns the
  // outcome (stale when the thread went away while parked).
  FaultOutcome release(const SyscallEvent& ev);
  // Answers a parked notification without asking the rules (teardown).
  void release_unrecorded(uint64_t id) { (void)supervisor_.respond(id, Decision::allow()); }
  bool still_valid(uint64_t id) const { return supervisor_.still_valid(id); }

 private:
  void on_listener(uint32_t events);
  // Sends the answer `o` calls for (arming a timer for ContinueAfter).
  void answer(uint64_t id, const FaultOutcome& o);
  void on_pipe(int fd, uint32_t events);
  void append_log(const char* data, size_t n);
  void stop_watching(int fd);

  EventLoop& loop_;
  std::string name_;
  LaunchedProcess process_;
  SeccompSupervisor supervisor_;
  UniqueFd log_;
  Decider decide_;
  TargetInspector& inspector_;
  NotificationSink* sink_ = nullptr;
  std::deque<std::string> tail_;  // complete lines, bounded
  std::string partial_;           // the unterminated last line
  std::vector<EventLoop::TimerId> deferred_;  // ContinueAfter answers not sent yet
  uint64_t notifications_ = 0;
  LogFetcher fetch_logs_;   // container mode only
  size_t fetched_ = 0;      // bytes of the container's log already appended
};

}  // namespace faultbox::engine
