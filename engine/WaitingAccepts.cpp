#include "engine/WaitingAccepts.h"

#include <sys/syscall.h>

#include <cstdint>
#include <charconv>
#include <string_view>

#include "scheduler/ThreadSample.h"

namespace faultbox::engine {

std::optional<int> accept_fd(pid_t tid) {
  std::string text;
  // "43 0x3 0x7ffc… …" while in a syscall (number, then the arguments in
  // hex); "running" or "-1 …" otherwise.
  if (!scheduler::read_small_file("/proc/" + std::to_string(tid) + "/syscall", text)) return std::nullopt;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  long nr = -1;
  auto r = std::from_chars(p, end, nr);
  if (r.ec != std::errc() || r.ptr == p) return std::nullopt;
#ifdef SYS_accept
  const bool accepting = nr == SYS_accept || nr == SYS_accept4;
#else
  const bool accepting = nr == SYS_accept4;
#endif
  if (!accepting) return std::nullopt;
  p = r.ptr;
  while (p < end && *p == ' ') ++p;
  if (end - p > 2 && p[0] == '0' && p[1] == 'x') p += 2;
  unsigned long fd = 0;
  r = std::from_chars(p, end, fd, 16);
  if (r.ec != std::errc() || r.ptr == p || fd > static_cast<unsigned long>(INT32_MAX)) return std::nullopt;
  return static_cast<int>(fd);
}

std::vector<WaitingAccept> find_waiting_accepts(const std::vector<scheduler::ThreadInfo>& threads) {
  std::vector<WaitingAccept> out;
  for (const scheduler::ThreadInfo& t : threads) {
    // Entered, but held at the syscall's entry by its seccomp notification
    // (the census's last sample says where each thread sleeps): once
    // answered it becomes an event, so it is not one of the accepts that
    // began before the body.
    if (scheduler::is_seccomp_wait(t.wchan)) continue;
    if (std::optional<int> fd = accept_fd(t.tid)) out.push_back({t.service, t.tid, t.tgid, *fd});
  }
  return out;
}

}  // namespace faultbox::engine
