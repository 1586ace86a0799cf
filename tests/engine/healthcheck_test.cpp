// Healthchecks against real processes in a run's network namespace: they
// poll until the service answers, fail with the last cause when it never
// does, and fail at once when the service exits first.
#include "engine/Healthcheck.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>

#include "engine/EventLoop.h"
#include "engine/HttpClient.h"
#include "engine/NetworkNamespace.h"
#include "http_fixture_process.h"

using namespace faultbox::engine;
using faultbox::engine::testing::HttpFixtureProcess;
using namespace std::chrono_literals;

namespace {

class HealthcheckTest : public ::testing::Test {
 protected:
  HealthcheckResult check(HealthcheckSpec spec, int pidfd = -1) {
    std::optional<HealthcheckResult> got;
    Healthcheck hc(loop, client, std::move(spec), "api", pidfd, [&](const HealthcheckResult& r) { got = r; });
    EXPECT_TRUE(loop.run_until([&] { return got.has_value(); }, EventLoop::Clock::now() + 60s))
        << "the healthcheck never finished";
    EXPECT_TRUE(hc.finished());
    return got.value_or(HealthcheckResult{});
  }

  EventLoop loop;
  NetworkNamespace ns = NetworkNamespace::create();
  HttpClient client{loop, &ns};
};

HealthcheckSpec http(std::string target, std::chrono::milliseconds timeout) {
  return {HealthcheckSpec::Kind::Http, std::move(target), timeout, {}};
}
HealthcheckSpec tcp(std::string target, std::chrono::milliseconds timeout) {
  return {HealthcheckSpec::Kind::Tcp, std::move(target), timeout, {}};
}

}  // namespace

TEST_F(HealthcheckTest, HttpPassesOnceTheServiceListens) {
  // Not listening for its first 500 ms: the check has to poll.
  HttpFixtureProcess server(&ns, 8080, {"--listen-after", "500"}, /*wait_listening=*/false);
  HealthcheckResult r = check(http("localhost:8080/health", 20s), server.pidfd());
  EXPECT_TRUE(r.passed) << r.cause;
  EXPECT_EQ(r.cause, "");
  EXPECT_FALSE(r.service_exited);
  EXPECT_GT(r.attempts, 1);
}

TEST_F(HealthcheckTest, HttpThatNeverPassesNamesTheLastCause) {
  HttpFixtureProcess server(&ns, 8080, {"--health", "503"});
  HealthcheckResult r = check(http("localhost:8080/health", 600ms), server.pidfd());
  EXPECT_FALSE(r.passed);
  EXPECT_FALSE(r.service_exited);
  EXPECT_EQ(r.cause, "healthcheck http://localhost:8080/health did not pass within 600ms: status 503");
  EXPECT_GT(r.attempts, 1);
}

TEST_F(HealthcheckTest, RedirectPasses) {
  HttpFixtureProcess server(&ns, 8080);
  HealthcheckResult r = check(http("localhost:8080/status/301", 10s), server.pidfd());
  EXPECT_TRUE(r.passed) << r.cause;
}

TEST_F(HealthcheckTest, NothingListeningTimesOutWithConnectionRefused) {
  HealthcheckResult r = check(http("localhost:8080/health", 400ms));
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.cause, "healthcheck http://localhost:8080/health did not pass within 400ms: connection refused");
  EXPECT_GE(r.elapsed, 350ms);  // it kept trying until the timeout (loosely)
}

TEST_F(HealthcheckTest, TcpPasses) {
  HttpFixtureProcess server(&ns, 8080);
  HealthcheckResult r = check(tcp("localhost:8080", 10s), server.pidfd());
  EXPECT_TRUE(r.passed) << r.cause;
  EXPECT_EQ(r.attempts, 1);
}

TEST_F(HealthcheckTest, TcpThatNeverPasses) {
  HealthcheckResult r = check(tcp("127.0.0.1:5432", 300ms));
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.cause, "healthcheck tcp://127.0.0.1:5432 did not pass within 300ms: connection refused");
}

TEST_F(HealthcheckTest, AServiceThatExitsFailsAtOnce) {
  HttpFixtureProcess server(&ns, 8080, {"--exit-after", "100", "1"}, /*wait_listening=*/false);
  HealthcheckResult r = check(http("localhost:8080/health", 30s), server.pidfd());
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(r.service_exited);
  EXPECT_EQ(r.cause, "api exited with status 1 before its healthcheck passed");
  EXPECT_LT(r.elapsed, 20s) << "waited for the timeout instead of the exit";
}

TEST_F(HealthcheckTest, AServiceKilledBySignal) {
  HttpFixtureProcess server(&ns, 8080, {"--listen-after", "60000"}, /*wait_listening=*/false);
  loop.after(200ms, [&] { ::kill(server.pid(), SIGKILL); });
  HealthcheckResult r = check(tcp("localhost:8080", 30s), server.pidfd());
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(r.service_exited);
  EXPECT_EQ(r.cause, "api was killed by SIGKILL before its healthcheck passed");
}

TEST_F(HealthcheckTest, ADaemonizingServicePasses) {
  // The launched process forks the server and exits 0 before the server
  // listens: that exit is not a failure.
  HttpFixtureProcess server(&ns, 8080, {"--daemonize", "--listen-after", "300"}, /*wait_listening=*/false);
  HealthcheckResult r = check(http("localhost:8080/health", 20s), server.pidfd());
  EXPECT_TRUE(r.passed) << r.cause;
  EXPECT_FALSE(r.service_exited);
  server.await_listening();  // learns the daemon's pid, so teardown kills it
}

TEST_F(HealthcheckTest, ACleanExitThatNeverServesIsNamedInTheCause) {
  HttpFixtureProcess server(&ns, 8080, {"--exit-after", "50", "0"}, /*wait_listening=*/false);
  HealthcheckResult r = check(http("localhost:8080/health", 600ms), server.pidfd());
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(r.service_exited);
  EXPECT_EQ(r.cause,
            "healthcheck http://localhost:8080/health did not pass within 600ms: connection refused "
            "(api exited with status 0 before)");
}

TEST_F(HealthcheckTest, DoneMayDestroyTheHealthcheck) {
  HttpFixtureProcess server(&ns, 8080);
  std::optional<HealthcheckResult> got;
  std::unique_ptr<Healthcheck> hc;
  hc = std::make_unique<Healthcheck>(loop, client, http("localhost:8080/health", 10s), "api", server.pidfd(),
                                     [&](const HealthcheckResult& r) {
                                       got = r;
                                       hc.reset();
                                     });
  ASSERT_TRUE(loop.run_until([&] { return got.has_value(); }, EventLoop::Clock::now() + 30s));
  EXPECT_TRUE(got->passed) << got->cause;
  EXPECT_EQ(hc, nullptr);
}

TEST_F(HealthcheckTest, DestroyingStopsPolling) {
  bool called = false;
  {
    Healthcheck hc(loop, client, http("localhost:8080/health", 10s), "api", -1, [&](const HealthcheckResult&) {
      called = true;
    });
    loop.run_until([] { return false; }, EventLoop::Clock::now() + 200ms);
  }
  loop.run_until([] { return false; }, EventLoop::Clock::now() + 300ms);
  EXPECT_FALSE(called);
  EXPECT_EQ(loop.pending_timers(), 0u);
  EXPECT_EQ(client.pending(), 0u);
}

TEST(HealthcheckTarget, UrlsAndSpecErrors) {
  using K = HealthcheckSpec::Kind;
  EXPECT_EQ(Healthcheck::url_of({K::Http, "localhost:8080/health", 1s, {}}), "http://localhost:8080/health");
  EXPECT_EQ(Healthcheck::url_of({K::Http, "http://localhost:8080/", 1s, {}}), "http://localhost:8080/");
  EXPECT_EQ(Healthcheck::url_of({K::Tcp, "localhost:5432", 1s, {}}), "tcp://localhost:5432");
  EXPECT_EQ(Healthcheck::url_of({K::Tcp, "[::1]:5432", 1s, {}}), "tcp://[::1]:5432");
  EXPECT_THROW(Healthcheck::url_of({K::Tcp, "localhost", 1s, {}}), std::invalid_argument);
  EXPECT_THROW(Healthcheck::url_of({K::Tcp, "localhost:5432/x", 1s, {}}), std::invalid_argument);
  EXPECT_THROW(Healthcheck::url_of({K::Tcp, "tcp://localhost:5432", 1s, {}}), std::invalid_argument);
  EXPECT_THROW(Healthcheck::url_of({K::Http, "ftp://localhost:21/", 1s, {}}), std::invalid_argument);
  EXPECT_THROW(Healthcheck::url_of({K::Http, "", 1s, {}}), std::invalid_argument);
  try {
    Healthcheck::url_of({K::Tcp, "localhost", 1s, {}});
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "tcp healthcheck \"localhost\": want host:port, the port is missing");
  }
}

TEST(HealthcheckTarget, DurationsInCauses) {
  EXPECT_EQ(format_duration(300ms), "300ms");
  EXPECT_EQ(format_duration(1s), "1s");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(10s), "10s");
  EXPECT_EQ(format_duration(1234ms), "1.234s");
}
