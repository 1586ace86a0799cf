// engine/WaitingAccepts on real processes: a child blocked in accept() is
// found with the fd it waits on, one blocked in read() on a pipe is not.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
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

TEST(WaitingAccepts, AThreadBlockedInAcceptIsFoundWithItsFdAndOneInReadIsNot) {
  BlockedChild accepting([] {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s, 4) != 0) ::_exit(1);
    if (::dup2(s, 42) != 42) ::_exit(1);  // a known number to find in /proc/PID/syscall
    ::accept(42, nullptr, nullptr);
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
  ASSERT_EQ(accept_fd(accepting.pid()), std::optional<int>(42));
  EXPECT_EQ(accept_fd(reading.pid()), std::nullopt);
  EXPECT_EQ(accept_fd(0), std::nullopt);  // no such thread

  std::vector<scheduler::ThreadInfo> threads(2);
  threads[0].tid = reading.pid();
  threads[0].service = "client";
  threads[1].tid = accepting.pid();
  threads[1].tgid = accepting.pid();
  threads[1].service = "store";
  threads[1].wchan = "inet_csk_accept";
  const std::vector<WaitingAccept> found = find_waiting_accepts(threads);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].service, "store");
  EXPECT_EQ(found[0].tid, accepting.pid());
  EXPECT_EQ(found[0].tgid, accepting.pid());
  EXPECT_EQ(found[0].fd, 42);
  // Held at the accept's entry by its seccomp notification: not counted.
  threads[1].wchan = "seccomp_do_user_notification";
  EXPECT_TRUE(find_waiting_accepts(threads).empty());
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace faultbox::engine
