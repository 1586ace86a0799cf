// The one event loop of a run (DESIGN.md §1): epoll over every fd faultbox
// waits on — seccomp listeners, service pidfds and log pipes, libcurl's
// sockets, the netfilter queue — plus timers and deferred tasks. One thread
// owns it; "every fiber is blocked and the loop is idle" is then a fact the
// loop can observe, not a handshake between threads.
//
// Not thread-safe by design: everything is called from the owning thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "engine/UniqueFd.h"

namespace faultbox::engine {

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using FdCallback = std::function<void(uint32_t events)>;  // EPOLLIN/OUT/HUP/ERR bits
  using TimerId = uint64_t;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watches `fd` for `events` (EPOLLIN|EPOLLOUT...). One watch per fd;
  // watching again replaces it. The fd stays owned by the caller, who must
  // unwatch before closing it.
  void watch(int fd, uint32_t events, FdCallback cb);
  void modify(int fd, uint32_t events);
  void unwatch(int fd);
  bool watching(int fd) const { return fds_.count(fd) != 0; }

  // Runs `cb` once at `when` (or after `delay`). Returns an id for cancel().
  TimerId at(Clock::time_point when, std::function<void()> cb);
  TimerId after(Clock::duration delay, std::function<void()> cb) { return at(Clock::now() + delay, std::move(cb)); }
  void cancel(TimerId id);

  // Runs `task` on the next iteration, before waiting for events.
  void defer(std::function<void()> task);

  // One iteration: runs deferred tasks, due timers, then waits for fd events
  // at most `max_wait` (or until the next timer) and dispatches them.
  // Returns the number of callbacks run (0 = the loop was idle).
  int run_once(Clock::duration max_wait);
  // Iterates until `done()` is true; returns false if `deadline` passed first.
  bool run_until(const std::function<bool()>& done, Clock::time_point deadline);

  size_t pending_timers() const { return timers_.size(); }
  size_t pending_tasks() const { return tasks_.size(); }

 private:
  UniqueFd epoll_;
  std::unordered_map<int, std::shared_ptr<FdCallback>> fds_;
  std::multimap<Clock::time_point, TimerId> timers_;
  std::unordered_map<TimerId, std::pair<Clock::time_point, std::function<void()>>> timer_cbs_;
  TimerId next_timer_ = 1;
  std::vector<std::function<void()>> tasks_;
};

}  // namespace faultbox::engine
