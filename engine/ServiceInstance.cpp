#include "engine/ServiceInstance.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <algorithm>
#include <cstring>

#include "engine/EngineError.h"

namespace faultbox::engine {

namespace {

constexpr size_t kTailLines = 200;


}  // namespace

ServiceInstance::ServiceInstance(EventLoop& loop, const ProcessLauncher& launcher, std::string name,
                                 const LaunchSpec& launch, const std::string& log_path, Decider decide,
                                 TargetInspector& inspector)
    : loop_(loop),
      name_(std::move(name)),
      process_(launcher.launch(launch)),
      supervisor_(std::move(process_.listener)),
      log_(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)),
      decide_(std::move(decide)),
      inspector_(inspector) {
  // Before the loop hands us any of its notifications.
  inspector_.process_started();
  if (!log_) throw EnvironmentError(errno_message("cannot open the log file " + log_path, errno));
  for (int fd : {process_.stdout_pipe.get(), process_.stderr_pipe.get()}) {
    if (fd < 0) continue;
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    loop_.watch(fd, EPOLLIN, [this, fd](uint32_t ev) { on_pipe(fd, ev); });
  }
  loop_.watch(supervisor_.fd(), EPOLLIN, [this](uint32_t ev) { on_listener(ev); });
}

ServiceInstance::ServiceInstance(EventLoop& loop, LaunchedProcess process, std::string name,
                                 const std::string& log_path, Decider decide, LogFetcher fetch_logs,
                                 TargetInspector& inspector)
    : loop_(loop),
      name_(std::move(name)),
      process_(std::move(process)),
      supervisor_(std::move(process_.listener)),
      log_(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)),
      decide_(std::move(decide)),
      inspector_(inspector),
      fetch_logs_(std::move(fetch_logs)) {
  inspector_.process_started();
  if (!log_) throw EnvironmentError(errno_message("cannot open the log file " + log_path, errno));
  loop_.watch(supervisor_.fd(), EPOLLIN, [this](uint32_t ev) { on_listener(ev); });
}

ServiceInstance::~ServiceInstance() {
  for (EventLoop::TimerId id : deferred_) loop_.cancel(id);
  stop_watching(supervisor_.fd());
  // Whatever the service still had in its pipes ends up in the log.
  drain();
  for (int fd : {process_.stdout_pipe.get(), process_.stderr_pipe.get()}) stop_watching(fd);
  // Reap the first process if it is gone (the run's cgroup killed it), so
  // faultbox keeps no zombie for the rest of its life.
  if (process_.pid > 0) ::waitpid(process_.pid, nullptr, WNOHANG);
}

void ServiceInstance::drain() {
  if (fetch_logs_) {
    // The daemon returns the whole log every time; only the new part is
    // appended. A daemon that cannot answer (gone mid-teardown) only costs
    // log text.
    try {
      std::string all = fetch_logs_();
      if (all.size() > fetched_) append_log(all.data() + fetched_, all.size() - fetched_);
      fetched_ = std::max(fetched_, all.size());
    } catch (const std::exception&) {
    }
  }
  for (int fd : {process_.stdout_pipe.get(), process_.stderr_pipe.get()})
    if (fd >= 0 && loop_.watching(fd)) on_pipe(fd, EPOLLIN);
}

void ServiceInstance::stop_watching(int fd) {
  if (fd >= 0 && loop_.watching(fd)) loop_.unwatch(fd);
}

void ServiceInstance::on_listener(uint32_t events) {
  if (!(events & EPOLLIN)) {
    // EPOLLHUP: no process is left behind the filter.
    stop_watching(supervisor_.fd());
    return;
  }
  SyscallEvent ev;
  switch (supervisor_.receive(ev)) {
    case SeccompSupervisor::Received::Gone: return;
    case SeccompSupervisor::Received::Closed: stop_watching(supervisor_.fd()); return;
    case SeccompSupervisor::Received::Event: break;
  }
  ++notifications_;
  // At receipt, whatever happens to it next: the fd cache's watch must see
  // a close before anything is decided after it.
  inspector_.observe(ev);
  if (sink_ && sink_->park(*this, ev)) return;
  FaultOutcome o = decide_(ev, [this, id = ev.id] { return supervisor_.still_valid(id); });
  answer(ev.id, o);
  if (sink_ && o.faulted()) sink_->faulted(*this, ev, o);
}

FaultOutcome ServiceInstance::release(const SyscallEvent& ev) {
  FaultOutcome o = decide_(ev, [this, id = ev.id] { return supervisor_.still_valid(id); });
  answer(ev.id, o);
  return o;
}

void ServiceInstance::answer(uint64_t id, const FaultOutcome& o) {
  if (o.kind != FaultOutcome::Kind::ContinueAfter) {
    if (!supervisor_.respond(id, o.decision())) stop_watching(supervisor_.fd());
    return;
  }
  // The thread stays parked in the notification until the delay is up.
  auto timer = std::make_shared<EventLoop::TimerId>(0);
  *timer = loop_.after(std::chrono::nanoseconds(o.delay_ns), [this, id, timer] {
    std::erase(deferred_, *timer);
    (void)supervisor_.respond(id, Decision::allow());
  });
  deferred_.push_back(*timer);
}

void ServiceInstance::on_pipe(int fd, uint32_t events) {
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      append_log(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    break;  // EOF or an error: the service closed its end
  }
  (void)events;
  stop_watching(fd);
}

void ServiceInstance::append_log(const char* data, size_t n) {
  // The log file is faultbox's, outside any fault; a failing write only
  // loses log text, never the run.
  if (::write(log_.get(), data, n) < 0) { /* the tail below still has it */ }
  partial_.append(data, n);
  size_t start = 0;
  for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
    tail_.emplace_back(partial_, start, nl - start);
    if (tail_.size() > kTailLines) tail_.pop_front();
  }
  partial_.erase(0, start);
}

std::string ServiceInstance::log_tail(size_t lines) const {
  std::vector<std::string> all(tail_.begin(), tail_.end());
  if (!partial_.empty()) all.push_back(partial_);
  size_t from = all.size() > lines ? all.size() - lines : 0;
  std::string out;
  for (size_t i = from; i < all.size(); ++i) out += "  | " + all[i] + "\n";
  return out;
}

}  // namespace faultbox::engine
