// HTTP from faultbox to the services of a run (driver steps, healthchecks),
// driven by libcurl's multi interface on the run's event loop.
//
// Why the multi interface and never curl_easy_perform: the loop thread also
// answers the seccomp notifications of the very service a request talks to
// (DESIGN.md §1). A blocking request would wait for a response that the
// service can only produce once the loop answers its next intercepted
// syscall — a deadlock on the first one. So curl only says which sockets to
// watch (CURLMOPT_SOCKETFUNCTION → EventLoop::watch) and when to wake it
// (CURLMOPT_TIMERFUNCTION → an EventLoop timer); the loop calls
// curl_multi_socket_action and collects finished transfers.
//
// Sockets are made inside the run's network namespace (socket_in, through
// CURLOPT_OPENSOCKETFUNCTION), or in faultbox's own namespace when there is
// none (`--network host`). map_address() redirects host:port to another
// address as CURLOPT_CONNECT_TO does, so `localhost:PORT` of a container's
// interface can reach the container while the request keeps its Host header.
//
// Callbacks run on the loop thread, never from inside start(). A callback may
// start or cancel requests and may even destroy the client.
//
// Not thread-safe by design, like the EventLoop it runs on.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <curl/curl.h>

#include "engine/DeliveryWatch.h"
#include "engine/EventLoop.h"

namespace faultbox::engine {

class NetworkNamespace;

struct HttpRequest {
  std::string method = "GET";  // any token; GET, HEAD and POST get curl's native handling
  std::string url;             // "http://localhost:8080/path"
  std::vector<std::pair<std::string, std::string>> headers;  // in order, duplicates allowed
  std::string body;            // sent for any method when non-empty; POST/PUT/PATCH always send one
  std::chrono::milliseconds timeout{30'000};  // the whole exchange, connect included
  // "IP:PORT" to connect to instead of the URL's host and port, the URL and
  // Host header unchanged (a container's interface, which `localhost:PORT`
  // names in the spec). Empty: the URL's own address (and map_address()).
  std::string connect_to;
};

struct HttpResponse {
  // A response arrived and its status is 2xx or 3xx. A 4xx/5xx response has
  // ok=false with an empty `error`: the service answered, the transport worked.
  bool ok = false;
  int status = 0;  // 0 when no response arrived
  std::string body;
  // Lower-cased names; repeated headers joined with ", " (RFC 9110 §5.3).
  // Only the final response's headers (no 1xx interim ones).
  std::map<std::string, std::string> headers;
  int64_t duration_ms = 0;  // wall time from start() to completion
  // One line, empty when a response arrived: "connection refused",
  // "timed out after 1000 ms", "cancelled: the HTTP client was shut down".
  std::string error;
};

class HttpClient {
 public:
  using Callback = std::function<void(HttpResponse)>;
  using RequestId = uint64_t;

  // `netns`: the run's namespace, or nullptr for faultbox's own (host mode).
  // Both `loop` and `netns` must outlive the client.
  HttpClient(EventLoop& loop, const NetworkNamespace* netns);
  // Every pending request completes with ok=false and the error
  // "cancelled: the HTTP client was shut down" — from inside the destructor,
  // so those callbacks must not use the client.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts a request; `done` runs exactly once, later, on the loop thread
  // (unless cancel() drops it). Throws EnvironmentError only when curl cannot
  // make a handle at all; every per-request failure arrives in `done`.
  RequestId start(HttpRequest request, Callback done);

  // Whether a TCP connection to `host_port` ("localhost:5432") can be made,
  // through the same namespace and address mapping as requests: ok=true as
  // soon as the connect succeeds (status stays 0), then it is closed.
  RequestId check_connect(const std::string& host_port, std::chrono::milliseconds timeout, Callback done);

  // Stops a pending request; its callback never runs. Unknown ids (already
  // completed) are ignored.
  void cancel(RequestId id);

  // Connections for host:port go to to_host:to_port instead (curl's
  // CONNECT_TO); requests keep their URL and Host header. An IPv6 to_host is
  // written in brackets. Applies to requests started afterwards.
  void map_address(const std::string& host, uint16_t port, const std::string& to_host, uint16_t to_port);

  size_t pending() const { return transfers_.size(); }

  // Whether the peers' kernels have acknowledged everything faultbox sent on
  // the driver's connections, this client's and the raw TCP steps' that
  // registered in delivery(): request bytes and FINs (DeliveryWatch.h says
  // why a serialized run's quiescence waits for it).
  bool delivered() { return delivery_.delivered(); }
  DeliveryWatch& delivery() { return delivery_; }

  // The local port of request `id`'s connection once it is connected (the
  // trace pairs a service's receive with the step that sent it by the
  // connection's ends); nullopt before that or for unknown ids.
  std::optional<uint16_t> local_port(RequestId id) const;

 private:
  struct Transfer;
  struct MultiDeleter {
    void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
  };

  RequestId add(std::unique_ptr<Transfer> t);
  void configure_common(Transfer& t);

  // curl's C callbacks (userp = this).
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* userp, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* userp);
  static curl_socket_t open_socket(void* clientp, curlsocktype purpose, curl_sockaddr* address);
  static int close_socket(void* clientp, curl_socket_t fd);

  // Lets curl act on `fd` (or its timeouts), then delivers finished transfers.
  void drive(int fd, int ev_bitmask);
  void deliver_finished();

  EventLoop& loop_;
  const NetworkNamespace* netns_;
  std::unique_ptr<CURLM, MultiDeleter> multi_;
  std::unordered_map<RequestId, std::unique_ptr<Transfer>> transfers_;
  RequestId next_id_ = 1;
  std::set<int> watched_;  // sockets this client asked the loop to watch
  EventLoop::TimerId timer_ = 0;  // curl's single timeout, 0 when none
  std::vector<std::string> connect_to_;  // "HOST:PORT:TO_HOST:TO_PORT"
  // Sockets curl has open, and closed ones kept until acknowledged.
  DeliveryWatch delivery_;
  // Flipped by the destructor: code that ran a user callback checks it before
  // touching the client again, since the callback may have destroyed it.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace faultbox::engine
