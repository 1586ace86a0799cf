// Helpers shared by the tests that talk to the real Docker daemon
// (docker_client_test.cpp, container_session_test.cpp): what they read back
// from the host side to check what Docker and faultbox did.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include "engine/UniqueFd.h"

namespace faultbox::engine::docker_test {

inline std::string docker_host() {
  const char* v = std::getenv("DOCKER_HOST");
  return v ? v : "";
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Polls `done` until it holds or `limit` passes: a bound against hangs,
// not a timing assertion.
inline bool eventually(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// The value of `key:` in /proc/PID/status, tabs trimmed; "" if absent.
inline std::string status_field(pid_t pid, const std::string& key) {
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(key + ":")) {
      std::string v = line.substr(key.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  return "";
}

// Asks Docker's embedded DNS (127.0.0.11 inside a container on a
// user-defined network) for `name`'s A record from a thread that joined
// container process `pid`'s network namespace. The first address, or
// "error: …".
inline std::string resolve_inside(pid_t pid, const std::string& name) {
  std::string result = "error: no answer";
  std::thread t([&] {
    UniqueFd ns(::open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns || ::setns(ns.get(), CLONE_NEWNET) != 0) {
      result = std::string("error: setns: ") + std::strerror(errno);
      return;
    }
    UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    timeval tv{5, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string q = std::string("\x56\x78\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
    std::istringstream labels(name);
    for (std::string label; std::getline(labels, label, '.');) q += static_cast<char>(label.size()) + label;
    q += std::string("\x00\x00\x01\x00\x01", 5);  // root, type A, class IN
    sockaddr_in dns{};
    dns.sin_family = AF_INET;
    dns.sin_port = htons(53);
    ::inet_pton(AF_INET, "127.0.0.11", &dns.sin_addr);
    if (::sendto(fd.get(), q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&dns), sizeof dns) < 0) {
      result = std::string("error: sendto: ") + std::strerror(errno);
      return;
    }
    unsigned char buf[512];
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 12) {
      result = std::string("error: recv: ") + (n < 0 ? std::strerror(errno) : "short answer");
      return;
    }
    size_t answers = (buf[6] << 8) | buf[7];
    size_t pos = q.size();  // the answer repeats our question
    for (size_t i = 0; i < answers && pos + 12 <= static_cast<size_t>(n); ++i) {
      if ((buf[pos] & 0xc0) == 0xc0) {
        pos += 2;
      } else {
        while (pos < static_cast<size_t>(n) && buf[pos] != 0) pos += buf[pos] + 1;
        pos += 1;
      }
      if (pos + 10 > static_cast<size_t>(n)) break;
      unsigned type = (buf[pos] << 8) | buf[pos + 1];
      size_t len = (buf[pos + 8] << 8) | buf[pos + 9];
      pos += 10;
      if (type == 1 && len == 4 && pos + 4 <= static_cast<size_t>(n)) {
        char text[INET_ADDRSTRLEN];
        ::inet_ntop(AF_INET, buf + pos, text, sizeof text);
        result = text;
        return;
      }
      pos += len;
    }
    result = "error: no A record in " + std::to_string(answers) + " answers";
  });
  t.join();
  return result;
}

}  // namespace faultbox::engine::docker_test
