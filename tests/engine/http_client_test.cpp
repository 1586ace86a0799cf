// HttpClient against a real server process (tests/fixtures/http_fixture.c)
// running under the seccomp filter inside a run's network namespace: the
// requests go through the event loop, never block it, and every failure is a
// response with ok=false and a one-line error, not an exception.
#include "engine/HttpClient.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/EventLoop.h"
#include "engine/NetworkNamespace.h"
#include "http_fixture_process.h"

using namespace faultbox::engine;
using faultbox::engine::testing::HttpFixtureProcess;
using namespace std::chrono_literals;

namespace {

constexpr int kPort = 8080;  // inside the run's own namespace: never collides

// Runs the loop until `done`, with a generous cap so a hang fails instead of
// blocking the suite.
void run_until(EventLoop& loop, const std::function<bool()>& done) {
  ASSERT_TRUE(loop.run_until(done, EventLoop::Clock::now() + 30s)) << "the loop did not finish in 30 s";
}

HttpResponse fetch(EventLoop& loop, HttpClient& client, HttpRequest req) {
  std::optional<HttpResponse> got;
  client.start(std::move(req), [&](HttpResponse r) { got = std::move(r); });
  run_until(loop, [&] { return got.has_value(); });
  return got.value_or(HttpResponse{});
}

HttpRequest get(const std::string& url, std::chrono::milliseconds timeout = 10s) {
  HttpRequest r;
  r.url = url;
  r.timeout = timeout;
  return r;
}

class HttpClientTest : public ::testing::Test {
 protected:
  EventLoop loop;
  NetworkNamespace ns = NetworkNamespace::create();
};

}  // namespace

TEST_F(HttpClientTest, GetInsideTheRunsNamespace) {
  HttpFixtureProcess server(&ns, kPort);
  HttpClient client(loop, &ns);
  HttpResponse r = fetch(loop, client, get("http://localhost:8080/health"));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.headers["x-fixture"], "http_fixture");  // names lower-cased
  EXPECT_EQ(r.headers["x-method"], "GET");
  EXPECT_EQ(r.headers["content-length"], "2");
  EXPECT_GE(r.duration_ms, 0);
  EXPECT_EQ(client.pending(), 0u);
}

TEST_F(HttpClientTest, OkMeans2xxOr3xx) {
  HttpFixtureProcess server(&ns, kPort);
  HttpClient client(loop, &ns);
  HttpResponse unavailable = fetch(loop, client, get("http://127.0.0.1:8080/status/503"));
  EXPECT_FALSE(unavailable.ok);
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(unavailable.error, "") << "the service answered: no transport error";

  HttpResponse redirect = fetch(loop, client, get("http://127.0.0.1:8080/status/302"));
  EXPECT_TRUE(redirect.ok);
  EXPECT_EQ(redirect.status, 302) << "redirects are not followed";
  EXPECT_EQ(redirect.headers["location"], "/health");

  HttpResponse missing = fetch(loop, client, get("http://127.0.0.1:8080/nowhere"));
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.status, 404);
}

TEST_F(HttpClientTest, MethodsBodiesAndHeaders) {
  HttpFixtureProcess server(&ns, kPort);
  HttpClient client(loop, &ns);
  for (std::string method : {"POST", "PUT", "PATCH", "DELETE"}) {
    HttpRequest req = get("http://localhost:8080/orders");
    req.method = method;
    req.body = R"({"item": "book", "method": ")" + method + "\"}";
    req.headers = {{"X-Echo", "abc-" + method}, {"Content-Type", "application/json"}};
    HttpResponse r = fetch(loop, client, req);
    EXPECT_TRUE(r.ok) << method << ": " << r.error;
    EXPECT_EQ(r.body, req.body) << method;
    EXPECT_EQ(r.headers["x-method"], method);
    EXPECT_EQ(r.headers["x-echo"], "abc-" + method);
  }
  // A POST without a body still is a POST (with Content-Length: 0).
  HttpRequest empty_post = get("http://localhost:8080/orders");
  empty_post.method = "POST";
  HttpResponse r = fetch(loop, client, empty_post);
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.headers["x-method"], "POST");
  EXPECT_EQ(r.body, "");
}

TEST_F(HttpClientTest, LargeBodiesBothWays) {
  HttpFixtureProcess server(&ns, kPort);
  HttpClient client(loop, &ns);
  HttpRequest req = get("http://localhost:8080/echo");
  req.method = "POST";
  for (int i = 0; i < 100'000; ++i) req.body += static_cast<char>('a' + i % 26);
  HttpResponse r = fetch(loop, client, req);
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.body.size(), req.body.size());
  EXPECT_EQ(r.body, req.body);
}

TEST_F(HttpClientTest, ConnectionRefusedIsAResponse) {
  HttpClient client(loop, &ns);  // nothing listens in the fresh namespace
  HttpResponse r = fetch(loop, client, get("http://localhost:8080/health"));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, "connection refused");
}

TEST_F(HttpClientTest, TimeoutIsAResponse) {
  HttpFixtureProcess server(&ns, kPort);
  HttpClient client(loop, &ns);
  HttpResponse r = fetch(loop, client, get("http://localhost:8080/slow/10000", 300ms));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "timed out after 300 ms");
  EXPECT_GE(r.duration_ms, 250);  // it did wait (loosely: no tight timing)
  EXPECT_LT(r.duration_ms, 10'000) << "the timeout was not applied";
}

TEST_F(HttpClientTest, ConcurrentRequestsOverlap) {
  HttpFixtureProcess server(&ns, kPort);
  HttpClient client(loop, &ns);
  constexpr int kRequests = 6;
  std::vector<std::optional<HttpResponse>> got(kRequests);
  auto t0 = EventLoop::Clock::now();
  for (int i = 0; i < kRequests; ++i)
    client.start(get("http://localhost:8080/slow/1000"), [&got, i](HttpResponse r) { got[i] = std::move(r); });
  EXPECT_EQ(client.pending(), static_cast<size_t>(kRequests));
  run_until(loop, [&] {
    for (auto& g : got)
      if (!g) return false;
    return true;
  });
  auto elapsed = EventLoop::Clock::now() - t0;
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(got[i].has_value());
    EXPECT_TRUE(got[i]->ok) << i << ": " << got[i]->error;
    EXPECT_EQ(got[i]->body, "slept");
  }
  // One after the other they would take 6 s; overlapping, about 1 s. The
  // bound is loose on purpose: the machine is shared.
  EXPECT_LT(elapsed, 4500ms);
}

TEST_F(HttpClientTest, TheLoopKeepsRunningDuringARequest) {
  HttpFixtureProcess server(&ns, kPort);
  HttpClient client(loop, &ns);
  std::optional<HttpResponse> got;
  bool timer_fired_first = false;
  client.start(get("http://localhost:8080/slow/1500"), [&](HttpResponse r) { got = std::move(r); });
  loop.after(50ms, [&] { timer_fired_first = !got.has_value(); });
  run_until(loop, [&] { return got.has_value(); });
  EXPECT_TRUE(timer_fired_first) << "a timer due during the request waited for it";
  EXPECT_TRUE(got->ok) << got->error;
}

TEST_F(HttpClientTest, CheckConnect) {
  HttpFixtureProcess server(&ns, kPort);
  HttpClient client(loop, &ns);
  std::optional<HttpResponse> open, closed;
  client.check_connect("localhost:8080", 5s, [&](HttpResponse r) { open = std::move(r); });
  client.check_connect("localhost:8081", 5s, [&](HttpResponse r) { closed = std::move(r); });
  run_until(loop, [&] { return open && closed; });
  EXPECT_TRUE(open->ok) << open->error;
  EXPECT_EQ(open->status, 0);
  EXPECT_FALSE(closed->ok);
  EXPECT_EQ(closed->error, "connection refused");
}

TEST_F(HttpClientTest, MapAddressRedirectsConnections) {
  HttpFixtureProcess server(&ns, kPort);
  HttpClient client(loop, &ns);
  // As a container interface will be reached: the URL names one address,
  // the connection goes to another, no DNS involved.
  client.map_address("api.invalid", 80, "127.0.0.1", kPort);
  HttpResponse r = fetch(loop, client, get("http://api.invalid/health"));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.body, "ok");
}

TEST_F(HttpClientTest, HostNetworkMode) {
  HttpFixtureProcess server(nullptr, 0);  // the host's namespace: any free port
  HttpClient client(loop, nullptr);
  HttpResponse r = fetch(loop, client, get(server.base_url() + "/health"));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.body, "ok");
}

TEST_F(HttpClientTest, SocketsAreMadeInTheRunsNamespace) {
  // A server on the host's loopback: the host-mode client reaches it, the
  // run's client (whose namespace has its own, empty loopback) does not.
  HttpFixtureProcess server(nullptr, 0);
  HttpClient host_client(loop, nullptr);
  HttpClient run_client(loop, &ns);
  EXPECT_TRUE(fetch(loop, host_client, get(server.base_url() + "/health")).ok);
  HttpResponse r = fetch(loop, run_client, get(server.base_url() + "/health"));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "connection refused");
}

TEST_F(HttpClientTest, CancelDropsTheCallback) {
  HttpFixtureProcess server(&ns, kPort);
  HttpClient client(loop, &ns);
  bool called = false;
  auto id = client.start(get("http://localhost:8080/slow/2000"), [&](HttpResponse) { called = true; });
  loop.run_until([] { return false; }, EventLoop::Clock::now() + 100ms);
  client.cancel(id);
  EXPECT_EQ(client.pending(), 0u);
  loop.run_until([] { return false; }, EventLoop::Clock::now() + 200ms);
  EXPECT_FALSE(called);
  client.cancel(id);  // already gone: ignored
}

TEST_F(HttpClientTest, DestroyingTheClientCancelsPendingRequests) {
  HttpFixtureProcess server(&ns, kPort);
  auto client = std::make_unique<HttpClient>(loop, &ns);
  std::vector<std::string> order;
  std::optional<HttpResponse> got;
  client->start(get("http://localhost:8080/slow/5000"), [&](HttpResponse r) {
    order.push_back("first");
    got = std::move(r);
  });
  client->start(get("http://localhost:8080/slow/5000"), [&](HttpResponse) { order.push_back("second"); });
  loop.run_until([] { return false; }, EventLoop::Clock::now() + 100ms);  // in flight
  client.reset();
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->ok);
  EXPECT_EQ(got->error, "cancelled: the HTTP client was shut down");
  EXPECT_EQ(order, (std::vector<std::string>{"first", "second"}));
  // Nothing of the client is left on the loop.
  loop.run_until([] { return false; }, EventLoop::Clock::now() + 50ms);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST_F(HttpClientTest, ACallbackMayDestroyTheClient) {
  HttpFixtureProcess server(&ns, kPort);
  auto client = std::make_unique<HttpClient>(loop, &ns);
  std::optional<HttpResponse> fast, slow;
  client->start(get("http://localhost:8080/health"), [&](HttpResponse r) {
    fast = std::move(r);
    client.reset();  // from inside the client's own completion
  });
  client->start(get("http://localhost:8080/slow/5000"), [&](HttpResponse r) { slow = std::move(r); });
  run_until(loop, [&] { return fast.has_value(); });
  EXPECT_TRUE(fast->ok) << fast->error;
  ASSERT_TRUE(slow.has_value());
  EXPECT_EQ(slow->error, "cancelled: the HTTP client was shut down");
  loop.run_until([] { return false; }, EventLoop::Clock::now() + 50ms);  // no stale callback fires
}

TEST_F(HttpClientTest, ACallbackMayStartTheNextRequest) {
  HttpFixtureProcess server(&ns, kPort);
  HttpClient client(loop, &ns);
  int remaining = 5, ok = 0;
  std::function<void(HttpResponse)> again = [&](HttpResponse r) {
    ok += r.ok;
    if (--remaining > 0) client.start(get("http://localhost:8080/health"), again);
  };
  client.start(get("http://localhost:8080/health"), again);
  run_until(loop, [&] { return remaining == 0; });
  EXPECT_EQ(ok, 5);
}
