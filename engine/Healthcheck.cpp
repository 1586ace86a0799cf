#include "engine/Healthcheck.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <stdexcept>

#include "engine/CurlGlobal.h"
#include "engine/EngineError.h"
#include "engine/ProcessEnding.h"

namespace faultbox::engine {

namespace {

using std::chrono::milliseconds;

// Fast at first (a service that is up in 60 ms is seen in 60 ms), then
// gentler, so a slow starter is not hammered while the loop has other work.
constexpr milliseconds kFirstInterval{50};
constexpr milliseconds kMaxInterval{200};
// One stuck attempt (an accept backlog that never drains, a handler that
// hangs once) must not use up the whole budget; no sane health endpoint
// takes longer (Kubernetes' default probe timeout is 1 s).
constexpr milliseconds kAttemptTimeout{2'000};


struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

std::string url_part(CURLU* u, CURLUPart part) {
  char* s = nullptr;
  if (curl_url_get(u, part, &s, 0) != CURLUE_OK || !s) return "";
  std::string out(s);
  curl_free(s);
  return out;
}

struct Ending {
  bool clean = false;  // exit status 0
  std::string text;    // "exited with status 1", "was killed by SIGSEGV"
};

// How the service ended, without reaping it (WNOWAIT): its owner still
// waits for it. Just "exited" when that cannot be learned (reaped already).
Ending how_it_ended(int pidfd) {
  std::optional<ProcessEnding> end = process_ending(pidfd);
  if (!end) return {false, "exited"};
  if (end->exited) return {end->code == 0, "exited with status " + std::to_string(end->code)};
  const char* sig = ::sigabbrev_np(end->code);
  std::string name = sig ? std::string("SIG") + sig : "signal " + std::to_string(end->code);
  return {false, "was killed by " + name};
}

}  // namespace

std::string format_duration(milliseconds d) {
  auto ms = d.count();
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string s = std::to_string(ms / 1000);
  if (auto frac = ms % 1000) {
    std::string f = std::to_string(1000 + frac).substr(1);  // zero-padded to 3 digits
    f.erase(f.find_last_not_of('0') + 1);
    s += "." + f;
  }
  return s + "s";
}

std::string Healthcheck::url_of(const HealthcheckSpec& spec) {
  ensure_curl_initialized();
  bool http = spec.kind == HealthcheckSpec::Kind::Http;
  const char* kind = http ? "http" : "tcp";
  if (spec.target.empty()) throw std::invalid_argument(std::string(kind) + " healthcheck: empty target");
  bool has_scheme = spec.target.find("://") != std::string::npos;
  if (!http && has_scheme)
    throw std::invalid_argument("tcp healthcheck \"" + spec.target + "\": want host:port, without a scheme");
  std::string url = has_scheme ? spec.target : "http://" + spec.target;

  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  if (!u) throw std::bad_alloc();
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0); rc != CURLUE_OK)
    throw std::invalid_argument(std::string(kind) + " healthcheck \"" + spec.target + "\": " + curl_url_strerror(rc));
  std::string scheme = url_part(u.get(), CURLUPART_SCHEME);
  if (http && scheme != "http" && scheme != "https")
    throw std::invalid_argument("http healthcheck \"" + spec.target + "\": scheme " + scheme + " is not http");
  if (http) return url;

  std::string port = url_part(u.get(), CURLUPART_PORT);  // empty when the target names none
  std::string path = url_part(u.get(), CURLUPART_PATH);
  std::string query = url_part(u.get(), CURLUPART_QUERY);
  if (port.empty()) throw std::invalid_argument("tcp healthcheck \"" + spec.target + "\": want host:port, the port is missing");
  if ((!path.empty() && path != "/") || !query.empty())
    throw std::invalid_argument("tcp healthcheck \"" + spec.target + "\": want host:port, without a path");
  return "tcp://" + url_part(u.get(), CURLUPART_HOST) + ":" + port;  // an IPv6 host keeps its brackets
}

Healthcheck::Healthcheck(EventLoop& loop, HttpClient& client, HealthcheckSpec spec, std::string service,
                         int service_pidfd, Done done)
    : loop_(loop),
      client_(client),
      spec_(std::move(spec)),
      service_(std::move(service)),
      url_(url_of(spec_)),
      done_(std::move(done)),
      interval_(kFirstInterval) {
  target_ = spec_.kind == HealthcheckSpec::Kind::Http ? url_ : url_.substr(std::string("tcp://").size());
  if (service_pidfd >= 0) {
    pidfd_.reset(::fcntl(service_pidfd, F_DUPFD_CLOEXEC, 0));
    if (!pidfd_) throw EnvironmentError(errno_message("duplicating the service's pidfd", errno));
  }
  started_ = EventLoop::Clock::now();
  deadline_ = started_ + spec_.timeout;
  try {
    if (pidfd_) loop_.watch(pidfd_.get(), EPOLLIN, [this](uint32_t) { on_service_exit(); });
    deadline_timer_ = loop_.at(deadline_, [this] {
      deadline_timer_ = 0;
      on_deadline();
    });
    attempt();
  } catch (...) {
    stop();  // no destructor runs: the loop must not keep callbacks into this object
    throw;
  }
}

Healthcheck::~Healthcheck() { stop(); }

void Healthcheck::stop() {
  if (request_) client_.cancel(std::exchange(request_, 0));
  if (retry_timer_) loop_.cancel(std::exchange(retry_timer_, 0));
  if (deadline_timer_) loop_.cancel(std::exchange(deadline_timer_, 0));
  if (pidfd_) loop_.unwatch(pidfd_.get());
}

void Healthcheck::attempt() {
  retry_timer_ = 0;
  auto remaining = std::chrono::ceil<milliseconds>(deadline_ - EventLoop::Clock::now());
  auto timeout = std::clamp(remaining, milliseconds(1), kAttemptTimeout);
  ++attempts_;
  auto on_done = [this](HttpResponse r) { on_answer(r); };
  if (spec_.kind == HealthcheckSpec::Kind::Http) {
    HttpRequest req;
    req.url = target_;
    req.timeout = timeout;
    req.connect_to = spec_.connect_to;
    request_ = client_.start(std::move(req), std::move(on_done));
  } else {
    request_ = client_.check_connect(spec_.connect_to.empty() ? target_ : spec_.connect_to, timeout,
                                     std::move(on_done));
  }
}

void Healthcheck::on_answer(const HttpResponse& r) {
  request_ = 0;
  if (r.ok) {
    HealthcheckResult passed;
    passed.passed = true;
    finish(std::move(passed));
    return;
  }
  last_error_ = !r.error.empty() ? r.error : "status " + std::to_string(r.status);
  // The next attempt, unless the deadline comes first (its timer then fails us).
  retry_timer_ = loop_.after(interval_, [this] { attempt(); });
  interval_ = std::min(interval_ * 2, kMaxInterval);
}

void Healthcheck::on_deadline() {
  HealthcheckResult failed;
  failed.cause = "healthcheck " + url_ + " did not pass within " + format_duration(spec_.timeout) + ": " +
                 (!last_error_.empty() ? last_error_ : "no answer yet");
  if (!clean_exit_.empty()) {
    failed.service_exited = true;
    failed.cause += " (" + service_ + " " + clean_exit_ + " before)";
  }
  finish(std::move(failed));
}

void Healthcheck::on_service_exit() {
  Ending ending = how_it_ended(pidfd_.get());
  if (ending.clean) {
    // Status 0 may be a daemon's launcher that forked the real server and
    // left: keep polling, and say so if the healthcheck still fails.
    loop_.unwatch(pidfd_.get());
    clean_exit_ = ending.text;
    return;
  }
  HealthcheckResult exited;
  exited.service_exited = true;
  exited.cause = service_ + " " + ending.text + " before its healthcheck passed";
  finish(std::move(exited));
}

void Healthcheck::finish(HealthcheckResult result) {
  stop();
  finished_ = true;
  result.attempts = attempts_;
  result.elapsed = std::chrono::duration_cast<milliseconds>(EventLoop::Clock::now() - started_);
  Done done = std::move(done_);
  done(result);  // last: it may destroy this object
}

}  // namespace faultbox::engine
