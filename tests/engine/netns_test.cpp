// Each run gets its own loopback-only network namespace: two services bind
// the same port in two runs without colliding, faultbox reaches each through
// socket_in(), and the host's loopback does not see them.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <thread>

#include "engine/NetworkNamespace.h"
#include "engine/ProcessLauncher.h"
#include "engine/SeccompSupervisor.h"
#include "tests/engine/allow_all_supervisor.h"

using namespace faultbox::engine;
using faultbox::engine::testing::AllowAllSupervisor;

namespace {


std::string read_line(int fd) {
  std::string s;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') s += c;
  return s;
}

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

std::string echo_through(int s, const std::string& msg) {
  if (::write(s, msg.data(), msg.size()) != static_cast<ssize_t>(msg.size())) return "write failed";
  std::string got(msg.size(), '\0');
  size_t have = 0;
  while (have < msg.size()) {
    ssize_t n = ::read(s, got.data() + have, msg.size() - have);
    if (n <= 0) return "read failed";
    have += static_cast<size_t>(n);
  }
  return got;
}

}  // namespace

TEST(NetworkNamespace, RunsBindTheSamePortWithoutColliding) {
  constexpr uint16_t kPort = 47123;
  SeccompProgram prog = SeccompProgram::build_standard();
  ProcessLauncher launcher(prog);
  NetworkNamespace ns[2] = {NetworkNamespace::create(), NetworkNamespace::create()};
  LaunchedProcess procs[2];
  std::unique_ptr<AllowAllSupervisor> sups[2];
  for (int i = 0; i < 2; ++i) {
    LaunchSpec spec;
    spec.path = std::string(FAULTBOX_FIXTURE_DIR) + "/tcp_echo";
    spec.argv = {spec.path, std::to_string(kPort)};
    spec.netns_fd = ns[i].fd();
    procs[i] = launcher.launch(spec);
    sups[i] = std::make_unique<AllowAllSupervisor>(std::move(procs[i].listener));
    ASSERT_EQ(read_line(procs[i].stdout_pipe.get()), "listening") << "service " << i;
  }
  for (int i = 0; i < 2; ++i) {
    UniqueFd s(ns[i].socket_in(AF_INET, SOCK_STREAM, 0));
    ASSERT_TRUE(s.valid());
    sockaddr_in a = loopback(kPort);
    ASSERT_EQ(::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
    std::string msg = "hello run " + std::to_string(i);
    EXPECT_EQ(echo_through(s.get(), msg), msg);
  }
  // The host's loopback has no such listener (or at least not ours).
  UniqueFd host(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = loopback(kPort);
  if (::connect(host.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    EXPECT_NE(echo_through(host.get(), "probe"), "probe") << "the run's service is reachable from the host namespace";
  } else {
    EXPECT_EQ(errno, ECONNREFUSED);
  }
  for (auto& p : procs) {
    ::kill(p.pid, SIGKILL);
    ::waitpid(p.pid, nullptr, 0);
  }
}
