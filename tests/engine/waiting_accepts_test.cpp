// engine/WaitingAccepts on real processes: a child blocked in accept() is
// counted, one blocked in read() on a pipe is not.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "engine/WaitingAccepts.h"

namespace faultbox::engine {
namespace {

// A forked child that blocks forever in the syscall `block` makes; killed
// and reaped at scope end.
class BlockedChild {
 public:
  template <typename F>
  explicit BlockedChild(F block) {
    pid_ = ::fork();
    if (pid_ == 0) {
      block();
      ::_exit(0);
    }
  }
  ~BlockedChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// Waits (bounded) until /proc shows the child asleep in a syscall.
bool wait_until_sleeping(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    std::string stat;
    FILE* f = ::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
    if (f) {
      char buf[512] = {};
      size_t n = ::fread(buf, 1, sizeof buf - 1, f);
      ::fclose(f);
      stat.assign(buf, n);
      const size_t paren = stat.rfind(')');
      if (paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'S') return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(WaitingAccepts, AThreadBlockedInAcceptIsCountedAndOneInReadIsNot) {
  BlockedChild accepting([] {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s, 4) != 0) ::_exit(1);
    ::accept(s, nullptr, nullptr);
  });
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  BlockedChild reading([&] {
    char c;
    ::close(fds[1]);
    (void)::read(fds[0], &c, 1);
  });
  ASSERT_TRUE(wait_until_sleeping(accepting.pid()));
  ASSERT_TRUE(wait_until_sleeping(reading.pid()));
  EXPECT_TRUE(blocked_in_accept(accepting.pid()));
  EXPECT_FALSE(blocked_in_accept(reading.pid()));
  EXPECT_FALSE(blocked_in_accept(0));  // no such thread

  std::vector<scheduler::ThreadInfo> threads(3);
  threads[0].tid = accepting.pid();
  threads[0].service = "store";
  threads[1].tid = reading.pid();
  threads[1].service = "client";
  threads[2].tid = accepting.pid();  // the same thread listed twice counts twice: per entry, not per tid
  threads[2].service = "store";
  const auto counts = count_waiting_accepts(threads);
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].first, "store");
  EXPECT_EQ(counts[0].second, 2u);
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace faultbox::engine
