#include "engine/ThreadBirths.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstdio>

namespace faultbox::engine {

namespace {
// How many notifications pass between two looks for creators that are gone.
constexpr uint32_t kReapEvery = 64;
}  // namespace

bool thread_alive(pid_t tgid, pid_t tid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/task/%d", tgid, tid);
  struct statx sx {};
  // Only the lookup matters (it fails with ENOENT for a tid outside the
  // group); ask for no attributes.
  return ::statx(AT_FDCWD, path, AT_STATX_DONT_SYNC, 0, &sx) == 0;
}

bool ThreadBirths::makes_birth(int nr) {
  switch (nr) {
    case SYS_clone:
    case SYS_clone3:
#ifdef SYS_fork
    case SYS_fork:
#endif
#ifdef SYS_vfork
    case SYS_vfork:
#endif
      return true;
    default:
      return false;
  }
}

void ThreadBirths::observe(pid_t tid, pid_t tgid, int nr) {
  if (!creators_.empty()) {
    // The thread is back: whatever its previous call created exists now.
    if (creators_.erase(tid) != 0) ++epoch_;
    if (++since_reap_ >= kReapEvery) reap_gone_creators();
  }
  if (makes_birth(nr)) {
    creators_[tid] = tgid;
    ++epoch_;
  }
}

void ThreadBirths::reap_gone_creators() {
  since_reap_ = 0;
  // A creator that is gone has left its call: the birth happened or never
  // will. (If its id already names a new thread of the same group, it stays
  // listed until that thread's first notification: only slower.)
  for (auto it = creators_.begin(); it != creators_.end();) {
    if (thread_alive(it->second, it->first)) {
      ++it;
    } else {
      it = creators_.erase(it);
      ++epoch_;
    }
  }
}

}  // namespace faultbox::engine
