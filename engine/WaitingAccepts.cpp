#include "engine/WaitingAccepts.h"

#include <sys/syscall.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include "scheduler/ThreadSample.h"

namespace faultbox::engine {

bool blocked_in_accept(pid_t tid) {
  const std::string dir = "/proc/" + std::to_string(tid) + "/";
  std::string text;
  // "43 0x3 0x7ffc… …" while in a syscall; "running" or "-1 …" otherwise.
  if (!scheduler::read_small_file(dir + "syscall", text)) return false;
  long nr = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), nr);
  if (ec != std::errc() || end == text.data()) return false;
#ifdef SYS_accept
  const bool accepting = nr == SYS_accept || nr == SYS_accept4;
#else
  const bool accepting = nr == SYS_accept4;
#endif
  if (!accepting) return false;
  // Entered, but held at the syscall's entry by its seccomp notification:
  // once answered it becomes an event (or runs free), so it is not one of
  // the accepts that began before the body.
  std::string wchan;
  if (scheduler::read_small_file(dir + "wchan", wchan) && scheduler::is_seccomp_wait(wchan)) return false;
  return true;
}

std::vector<std::pair<std::string, uint64_t>> count_waiting_accepts(const std::vector<scheduler::ThreadInfo>& threads) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const scheduler::ThreadInfo& t : threads) {
    if (!blocked_in_accept(t.tid)) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == t.service; });
    if (it == out.end())
      out.emplace_back(t.service, 1);
    else
      ++it->second;
  }
  return out;
}

}  // namespace faultbox::engine
