#include "engine/ProcessEnding.h"

#include <sys/wait.h>

namespace faultbox::engine {

namespace {

// waitid's P_PIDFD (Linux 5.4); glibc's idtype_t may predate it.
constexpr idtype_t kPidfdIdType = static_cast<idtype_t>(3);

}  // namespace

std::optional<ProcessEnding> process_ending(int pidfd) {
  siginfo_t info{};
  if (::waitid(kPidfdIdType, static_cast<id_t>(pidfd), &info, WEXITED | WNOHANG | WNOWAIT) < 0 || info.si_pid == 0)
    return std::nullopt;
  return ProcessEnding{info.si_code == CLD_EXITED, info.si_status};
}

}  // namespace faultbox::engine
