#include "engine/HttpClient.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <new>
#include <string_view>

#include "engine/CurlGlobal.h"
#include "engine/EngineError.h"
#include "engine/NetworkNamespace.h"

namespace faultbox::engine {

namespace {

using std::chrono::milliseconds;

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

void append(Slist& list, const std::string& line) {
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (!head) throw std::bad_alloc();
  (void)list.release();  // `head` is the same list, or a new one if it was empty
  list.reset(head);
}

void check(CURLcode rc, const char* what) {
  if (rc != CURLE_OK)
    throw EnvironmentError(std::string("libcurl refused ") + what + ": " + curl_easy_strerror(rc));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool has_header(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return lower(h.first) == name; });
}

}  // namespace

struct HttpClient::Transfer {
  RequestId id = 0;
  bool connect_only = false;
  HttpRequest request;  // curl keeps pointers into url and body: they live here
  HttpResponse response;
  Callback done;
  EventLoop::Clock::time_point started;
  std::string last_header;  // for obsolete folded header lines
  char errbuf[CURL_ERROR_SIZE] = {};
  Slist headers;
  Slist connect_to;
  // Declared last, destroyed first: the handle must go before what it points to.
  std::unique_ptr<CURL, EasyDeleter> easy;
};

namespace {

// curl's write and header callbacks: C frames sit between us and curl, so
// nothing may escape as an exception; returning 0 makes curl fail the
// transfer (CURLE_WRITE_ERROR) instead.
size_t on_body(char* data, size_t size, size_t n, void* userp) {
  try {
    static_cast<std::string*>(userp)->append(data, size * n);
    return size * n;
  } catch (...) {
    return 0;
  }
}

// A template only because Transfer is private to HttpClient: start()
// instantiates it with the type it may name.
template <typename T>
size_t on_header_line(char* data, size_t size, size_t n, void* userp) {
  auto* t = static_cast<T*>(userp);
  size_t total = size * n;
  try {
    std::string_view line(data, total);
    auto& headers = t->response.headers;
    if (line.starts_with("HTTP/")) {
      // A new status line: an interim 1xx response's headers are not the
      // final response's.
      headers.clear();
      t->last_header.clear();
      return total;
    }
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      auto it = headers.find(t->last_header);
      if (it != headers.end()) it->second += " " + std::string(trim(line));
      return total;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return total;  // the blank line ending the headers
    std::string name = lower(trim(line.substr(0, colon)));
    std::string value(trim(line.substr(colon + 1)));
    auto [it, inserted] = headers.emplace(name, value);
    if (!inserted) it->second += ", " + value;
    t->last_header = std::move(name);
    return total;
  } catch (...) {
    return 0;
  }
}

// "Connection refused" → "connection refused": it reads as the tail of a
// sentence ("healthcheck … did not pass: connection refused").
std::string errno_text(long err) {
  std::string s = std::strerror(static_cast<int>(err));
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::string transport_error(CURLcode code, long os_errno, const char* errbuf, milliseconds timeout,
                            const std::string& url) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timed out after " + std::to_string(timeout.count()) + " ms";
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
      if (os_errno != 0) return errno_text(os_errno);
      break;
    case CURLE_GOT_NOTHING:
      return "the server closed the connection without a response";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "cannot resolve the host of " + url;
    case CURLE_URL_MALFORMAT:
      return "malformed URL " + url;
    default:
      break;
  }
  std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(code);
  detail.erase(std::find(detail.begin(), detail.end(), '\n'), detail.end());
  return detail;
}

}  // namespace

HttpClient::HttpClient(EventLoop& loop, const NetworkNamespace* netns) : loop_(loop), netns_(netns) {
  ensure_curl_initialized();
  multi_.reset(curl_multi_init());
  if (!multi_) throw EnvironmentError("cannot create a libcurl multi handle");
  CURLM* m = multi_.get();
  if (curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, &HttpClient::on_socket) != CURLM_OK ||
      curl_multi_setopt(m, CURLMOPT_SOCKETDATA, this) != CURLM_OK ||
      curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, &HttpClient::on_timer) != CURLM_OK ||
      curl_multi_setopt(m, CURLMOPT_TIMERDATA, this) != CURLM_OK)
    throw EnvironmentError("libcurl refused the event-loop callbacks of a multi handle");
}

HttpClient::~HttpClient() {
  *alive_ = false;
  std::vector<std::unique_ptr<Transfer>> cancelled;
  for (auto& [id, t] : transfers_) {
    curl_multi_remove_handle(multi_.get(), t->easy.get());
    cancelled.push_back(std::move(t));
  }
  transfers_.clear();
  multi_.reset();  // may still call on_socket/on_timer: every member is alive here
  for (int fd : watched_) loop_.unwatch(fd);
  watched_.clear();
  if (timer_) loop_.cancel(timer_);
  // In the order they were started, so the callers see a deterministic order.
  std::sort(cancelled.begin(), cancelled.end(), [](const auto& a, const auto& b) { return a->id < b->id; });
  for (auto& t : cancelled) {
    HttpResponse r = std::move(t->response);
    r.ok = false;
    r.error = "cancelled: the HTTP client was shut down";
    r.duration_ms = std::chrono::duration_cast<milliseconds>(EventLoop::Clock::now() - t->started).count();
    Callback done = std::move(t->done);
    t.reset();
    try {
      done(std::move(r));
    } catch (...) {
      // A destructor has nowhere to report it; the other callers still get theirs.
    }
  }
}

void HttpClient::configure_common(Transfer& t) {
  CURL* e = t.easy.get();
  check(curl_easy_setopt(e, CURLOPT_PRIVATE, &t), "CURLOPT_PRIVATE");
  check(curl_easy_setopt(e, CURLOPT_URL, t.request.url.c_str()), "CURLOPT_URL");
  check(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf), "CURLOPT_ERRORBUFFER");
  // No signals (SIGALRM for resolver timeouts) in a multi-threaded faultbox.
  check(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L), "CURLOPT_NOSIGNAL");
  check(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(t.request.timeout.count())), "CURLOPT_TIMEOUT_MS");
  // A run's services are reached directly: an http_proxy in faultbox's
  // environment must not send requests for the run's loopback elsewhere.
  check(curl_easy_setopt(e, CURLOPT_PROXY, ""), "CURLOPT_PROXY");
  check(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR");
  // A fresh connection per request: each step sees the service as it is now
  // (restarted for every test, under the faults of this moment), and no
  // socket of one test lingers into the next.
  check(curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L), "CURLOPT_FRESH_CONNECT");
  check(curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L), "CURLOPT_FORBID_REUSE");
  check(curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &HttpClient::open_socket), "CURLOPT_OPENSOCKETFUNCTION");
  check(curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, this), "CURLOPT_OPENSOCKETDATA");
  check(curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &HttpClient::close_socket), "CURLOPT_CLOSESOCKETFUNCTION");
  check(curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this), "CURLOPT_CLOSESOCKETDATA");
  // A request's own target comes first: curl uses the first entry that
  // matches, and "::IP:PORT" matches any host and port.
  if (!t.request.connect_to.empty()) append(t.connect_to, "::" + t.request.connect_to);
  for (const auto& m : connect_to_) append(t.connect_to, m);
  if (t.connect_to) check(curl_easy_setopt(e, CURLOPT_CONNECT_TO, t.connect_to.get()), "CURLOPT_CONNECT_TO");
}

HttpClient::RequestId HttpClient::start(HttpRequest request, Callback done) {
  auto t = std::make_unique<Transfer>();
  t->easy.reset(curl_easy_init());
  if (!t->easy) throw EnvironmentError("cannot create a libcurl handle");
  t->request = std::move(request);
  t->done = std::move(done);
  configure_common(*t);
  CURL* e = t->easy.get();
  const HttpRequest& r = t->request;
  check(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body), "CURLOPT_WRITEFUNCTION");
  check(curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->response.body), "CURLOPT_WRITEDATA");
  check(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header_line<Transfer>), "CURLOPT_HEADERFUNCTION");
  check(curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get()), "CURLOPT_HEADERDATA");
  check(curl_easy_setopt(e, CURLOPT_USERAGENT, "faultbox"), "CURLOPT_USERAGENT");

  bool sends_body = !r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
  if (r.method == "HEAD") {
    check(curl_easy_setopt(e, CURLOPT_NOBODY, 1L), "CURLOPT_NOBODY");
  } else if (r.method != "GET" || sends_body) {
    check(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str()), "CURLOPT_CUSTOMREQUEST");
  }
  if (sends_body) {
    // POSTFIELDS is not copied: the body lives in the Transfer.
    check(curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size())),
          "CURLOPT_POSTFIELDSIZE_LARGE");
    check(curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data()), "CURLOPT_POSTFIELDS");
  }

  for (const auto& [name, value] : r.headers)
    append(t->headers, value.empty() ? name + ";" : name + ": " + value);  // "Name;" sends an empty value
  // What the caller did not ask for is not sent: curl would otherwise label
  // every body a form (x-www-form-urlencoded) and hold large bodies back for
  // an "Expect: 100-continue" that small test servers never answer.
  if (sends_body && !has_header(r.headers, "content-type")) append(t->headers, "Content-Type:");
  if (!has_header(r.headers, "expect")) append(t->headers, "Expect:");
  check(curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers.get()), "CURLOPT_HTTPHEADER");
  return add(std::move(t));
}

HttpClient::RequestId HttpClient::check_connect(const std::string& host_port, milliseconds timeout, Callback done) {
  auto t = std::make_unique<Transfer>();
  t->easy.reset(curl_easy_init());
  if (!t->easy) throw EnvironmentError("cannot create a libcurl handle");
  t->connect_only = true;
  t->request.url = "http://" + host_port + "/";
  t->request.timeout = timeout;
  t->done = std::move(done);
  configure_common(*t);
  // For http URLs curl then stops once connected and reports success.
  check(curl_easy_setopt(t->easy.get(), CURLOPT_CONNECT_ONLY, 1L), "CURLOPT_CONNECT_ONLY");
  return add(std::move(t));
}

HttpClient::RequestId HttpClient::add(std::unique_ptr<Transfer> t) {
  t->id = next_id_++;
  t->started = EventLoop::Clock::now();
  RequestId id = t->id;
  CURL* easy = t->easy.get();
  transfers_.emplace(id, std::move(t));
  // Only arms curl's timer (on_timer): the transfer starts on the loop's next
  // iteration, so `done` never runs inside start().
  if (CURLMcode rc = curl_multi_add_handle(multi_.get(), easy); rc != CURLM_OK) {
    transfers_.erase(id);
    throw EnvironmentError(std::string("libcurl refused a request: ") + curl_multi_strerror(rc));
  }
  return id;
}

void HttpClient::cancel(RequestId id) {
  auto it = transfers_.find(id);
  if (it == transfers_.end()) return;
  curl_multi_remove_handle(multi_.get(), it->second->easy.get());
  transfers_.erase(it);
}

void HttpClient::map_address(const std::string& host, uint16_t port, const std::string& to_host, uint16_t to_port) {
  connect_to_.push_back(host + ":" + std::to_string(port) + ":" + to_host + ":" + std::to_string(to_port));
}

int HttpClient::on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*) {
  auto* self = static_cast<HttpClient*>(userp);
  try {
    if (what == CURL_POLL_REMOVE) {
      if (self->watched_.erase(fd)) self->loop_.unwatch(fd);
      return 0;
    }
    uint32_t events = 0;
    if (what & CURL_POLL_IN) events |= EPOLLIN;
    if (what & CURL_POLL_OUT) events |= EPOLLOUT;
    if (self->watched_.count(fd)) {
      self->loop_.modify(fd, events);
      return 0;
    }
    // A fresh socket of ours. A loop entry under its number can only be a
    // leftover of a closed fd (numbers are reused); replace it.
    if (self->loop_.watching(fd)) self->loop_.unwatch(fd);
    self->loop_.watch(fd, events, [self, fd](uint32_t revents) {
      int mask = 0;
      if (revents & EPOLLIN) mask |= CURL_CSELECT_IN;
      if (revents & EPOLLOUT) mask |= CURL_CSELECT_OUT;
      // On an error or hang-up, let curl find the socket's actual cause
      // (refused, reset) through its own I/O rather than reporting a bare
      // "select/poll returned error".
      if (revents & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_IN | CURL_CSELECT_OUT;
      self->drive(fd, mask);
    });
    self->watched_.insert(fd);
    return 0;
  } catch (...) {
    return -1;  // curl fails the transfers on this socket
  }
}

int HttpClient::on_timer(CURLM*, long timeout_ms, void* userp) {
  auto* self = static_cast<HttpClient*>(userp);
  try {
    if (self->timer_) {
      self->loop_.cancel(self->timer_);
      self->timer_ = 0;
    }
    // Never call curl back from inside its own callback: the timeout (even a
    // 0 ms one) fires from the loop.
    if (timeout_ms >= 0) {
      self->timer_ = self->loop_.after(milliseconds(timeout_ms), [self] {
        self->timer_ = 0;
        self->drive(CURL_SOCKET_TIMEOUT, 0);
      });
    }
    return 0;
  } catch (...) {
    return -1;
  }
}

curl_socket_t HttpClient::open_socket(void* clientp, curlsocktype purpose, curl_sockaddr* a) {
  auto* self = static_cast<HttpClient*>(clientp);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  int fd = self->netns_ ? self->netns_->socket_in(a->family, a->socktype, a->protocol)
                        : ::socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  self->delivery_.opened(fd);
  return fd;
}

int HttpClient::close_socket(void* clientp, curl_socket_t fd) {
  // The loop must forget the fd before its number can be reused.
  auto* self = static_cast<HttpClient*>(clientp);
  if (self->watched_.erase(fd)) self->loop_.unwatch(fd);
  // The FIN leaves now; the watch keeps the fd until it is acknowledged.
  return self->delivery_.close(fd);
}

void HttpClient::drive(int fd, int ev_bitmask) {
  int running = 0;
  curl_multi_socket_action(multi_.get(), fd, ev_bitmask, &running);
  deliver_finished();
}

void HttpClient::deliver_finished() {
  auto alive = alive_;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    CURLcode code = msg->data.result;
    char* priv = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
    auto* raw = reinterpret_cast<Transfer*>(priv);
    auto node = transfers_.extract(raw->id);
    if (node.empty()) continue;  // not ours (cannot happen: every handle is added by add())
    std::unique_ptr<Transfer> t = std::move(node.mapped());

    HttpResponse& r = t->response;
    r.duration_ms = std::chrono::duration_cast<milliseconds>(EventLoop::Clock::now() - t->started).count();
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    r.status = static_cast<int>(status);
    if (code == CURLE_OK) {
      r.ok = t->connect_only || (status >= 200 && status < 400);
    } else {
      long os_errno = 0;
      curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
      r.ok = false;
      r.error = transport_error(code, os_errno, t->errbuf, t->request.timeout, t->request.url);
    }
    curl_multi_remove_handle(multi_.get(), easy);
    HttpResponse response = std::move(r);
    Callback done = std::move(t->done);
    t.reset();  // the connection is closed before the caller hears of it
    done(std::move(response));
    if (!*alive) return;  // the callback destroyed the client
  }
}

std::optional<uint16_t> HttpClient::local_port(RequestId id) const {
  auto it = transfers_.find(id);
  if (it == transfers_.end() || !it->second->easy) return std::nullopt;
  long port = 0;
  if (curl_easy_getinfo(it->second->easy.get(), CURLINFO_LOCAL_PORT, &port) != CURLE_OK || port <= 0 || port > 65535)
    return std::nullopt;
  return static_cast<uint16_t>(port);
}

}  // namespace faultbox::engine
