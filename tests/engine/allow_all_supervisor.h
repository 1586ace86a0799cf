// Answers every notification of one listener with CONTINUE on a background
// thread: for engine tests about something other than faults (HTTP, netns,
// the SYN queue). Shared so the three suites use one loop.
#pragma once

#include <poll.h>

#include <atomic>
#include <thread>

#include "engine/SeccompSupervisor.h"

namespace faultbox::engine::testing {

class AllowAllSupervisor {
 public:
  explicit AllowAllSupervisor(UniqueFd listener) : sup_(std::move(listener)) {
    thread_ = std::thread([this] {
      auto allow = [](const SyscallEvent&) { return Decision::allow(); };
      while (!stop_) {
        pollfd p{sup_.fd(), POLLIN, 0};
        int n = ::poll(&p, 1, 20);
        if (n > 0 && (p.revents & POLLIN)) {
          if (!sup_.handle_one(allow)) break;
        } else if (n > 0 && (p.revents & (POLLHUP | POLLERR))) {
          break;
        }
      }
    });
  }
  ~AllowAllSupervisor() {
    stop_ = true;
    thread_.join();
  }

 private:
  SeccompSupervisor sup_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace faultbox::engine::testing
