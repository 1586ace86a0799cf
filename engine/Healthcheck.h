// A service's healthcheck (DESIGN.md §2): `http("host:port/path", timeout=)`
// passes on a 2xx/3xx answer, `tcp("host:port", timeout=)` on a successful
// connect. Polled on the run's event loop through the run's HttpClient — so
// from inside the run's network namespace — every 50 ms at first, backing
// off to every 200 ms, until it passes or its timeout is up.
//
// Raced against the service exiting: the service's pidfd is watched by the
// same loop, so a service that crashes on start (a non-zero status, a
// signal) fails the healthcheck at once instead of after the whole timeout,
// and the cause says how it ended. An exit with status 0 does not end the
// check: it is how a daemon's launcher leaves once the daemon has forked
// (the service's cgroup, not its first process, is the service); should the
// check then fail, the cause mentions that exit.
// The result's cause is one line; the caller, which owns the service's log,
// attaches the log's tail when `service_exited` is set.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "engine/EventLoop.h"
#include "engine/HttpClient.h"
#include "engine/UniqueFd.h"

namespace faultbox::engine {

struct HealthcheckSpec {
  enum class Kind { Http, Tcp };
  Kind kind = Kind::Http;
  // Http: "host:port/path" (a scheme is optional: http:// is assumed).
  // Tcp: "host:port".
  std::string target;
  std::chrono::milliseconds timeout{10'000};
  // "IP:PORT" the check connects to instead of the target's host and port
  // (a container's address); empty: the target's own.
  std::string connect_to;
};

struct HealthcheckResult {
  bool passed = false;
  bool service_exited = false;  // the service's process ended first: attach its log
  // One line, empty when passed:
  //   "healthcheck http://localhost:8080/health did not pass within 10s: connection refused"
  //   "api exited with status 1 before its healthcheck passed"
  //   "healthcheck tcp://localhost:5432 did not pass within 10s: connection refused
  //    (db exited with status 0 before)"   — one line in fact
  std::string cause;
  int attempts = 0;
  std::chrono::milliseconds elapsed{0};
};

class Healthcheck {
 public:
  using Done = std::function<void(const HealthcheckResult&)>;

  // The URL a spec polls ("http://localhost:8080/health", "tcp://localhost:5432").
  // Throws std::invalid_argument with a one-line cause for a malformed target
  // (a spec error); the spec layer can call it to reject a spec early.
  static std::string url_of(const HealthcheckSpec& spec);

  // Starts polling at once. `service` names the service in causes.
  // `service_pidfd` is the service's pidfd (duplicated here, so the caller may
  // watch its own copy on the same loop), or -1 not to race an exit. The
  // caller must not reap the process before `done` runs: its status is read
  // with waitid(WNOWAIT).
  // `done` runs once, on the loop thread, unless this object is destroyed
  // first; it may destroy this object. `client` must outlive this object.
  Healthcheck(EventLoop& loop, HttpClient& client, HealthcheckSpec spec, std::string service,
              int service_pidfd, Done done);
  // Stops polling; `done` is not called.
  ~Healthcheck();
  Healthcheck(const Healthcheck&) = delete;
  Healthcheck& operator=(const Healthcheck&) = delete;

  bool finished() const { return finished_; }
  const std::string& url() const { return url_; }

 private:
  void attempt();
  void on_answer(const HttpResponse& r);
  void on_deadline();
  void on_service_exit();
  void finish(HealthcheckResult result);
  void stop();

  EventLoop& loop_;
  HttpClient& client_;
  HealthcheckSpec spec_;
  std::string service_;
  std::string url_;
  std::string target_;  // what the client is given: a URL (http) or host:port (tcp)
  UniqueFd pidfd_;
  Done done_;

  EventLoop::Clock::time_point started_;
  EventLoop::Clock::time_point deadline_;
  std::chrono::milliseconds interval_;
  HttpClient::RequestId request_ = 0;  // the attempt in flight, 0 when none
  EventLoop::TimerId retry_timer_ = 0;
  EventLoop::TimerId deadline_timer_ = 0;
  int attempts_ = 0;
  std::string last_error_;  // why the latest finished attempt did not pass
  std::string clean_exit_;  // "exited with status 0" once the first process left cleanly
  bool finished_ = false;
};

// "300ms", "1.5s", "10s": how causes spell a timeout.
std::string format_duration(std::chrono::milliseconds d);

}  // namespace faultbox::engine
