// The http_fixture server (tests/fixtures/http_fixture.c) as a real service:
// launched under the seccomp filter via ProcessLauncher, optionally in a
// network namespace, every notification allowed by a background thread (as
// in netns_test.cpp). Killed and reaped when the object goes.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/NetworkNamespace.h"
#include "engine/ProcessLauncher.h"
#include "engine/SeccompSupervisor.h"
#include "tests/engine/allow_all_supervisor.h"

namespace faultbox::engine::testing {

class HttpFixtureProcess {
 public:
  // `port` 0 picks a free one (use it in the host namespace, which other
  // tests share). `extra` are the fixture's options (--health 503, ...).
  // With `wait_listening`, returns once the fixture accepts connections.
  HttpFixtureProcess(const NetworkNamespace* netns, int port, std::vector<std::string> extra = {},
                     bool wait_listening = true) {
    LaunchSpec spec;
    spec.path = std::string(FAULTBOX_FIXTURE_DIR) + "/http_fixture";
    spec.argv = {spec.path, std::to_string(port)};
    spec.argv.insert(spec.argv.end(), extra.begin(), extra.end());
    spec.netns_fd = netns ? netns->fd() : -1;
    proc_ = ProcessLauncher(program()).launch(spec);
    sup_ = std::make_unique<AllowAllSupervisor>(std::move(proc_.listener));
    server_pid_ = proc_.pid;
    if (wait_listening) await_listening();
  }
  ~HttpFixtureProcess() {
    if (server_pid_ != proc_.pid) ::kill(server_pid_, SIGKILL);  // a daemonized server
    ::kill(proc_.pid, SIGKILL);
    ::waitpid(proc_.pid, nullptr, 0);
  }
  // Reads the fixture's "listening PORT PID" line.
  void await_listening() {
    std::string line = read_line(proc_.stdout_pipe.get());
    int port = 0, pid = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "listening %d %d", &port, &pid), 2) << "fixture said: " << line;
    port_ = port;
    server_pid_ = pid;
  }
  HttpFixtureProcess(const HttpFixtureProcess&) = delete;
  HttpFixtureProcess& operator=(const HttpFixtureProcess&) = delete;

  int port() const { return port_; }
  int pidfd() const { return proc_.pidfd.get(); }
  pid_t pid() const { return proc_.pid; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  static const SeccompProgram& program() {
    static const SeccompProgram prog = SeccompProgram::build_standard();
    return prog;
  }
  static std::string read_line(int fd) {
    std::string s;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n') s += c;
    return s;
  }

  LaunchedProcess proc_;
  std::unique_ptr<AllowAllSupervisor> sup_;
  int port_ = 0;
  pid_t server_pid_ = -1;  // the listening process: proc_.pid unless daemonized
};

}  // namespace faultbox::engine::testing
