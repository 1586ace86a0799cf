#include "engine/SeccompSupervisor.h"

#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "engine/EngineError.h"

namespace faultbox::engine {

namespace {
// Debian 12's headers predate these (Linux 6.6).
constexpr unsigned long kSetFlagsIoctl = _IOW('!', 4, __u64);  // SECCOMP_IOCTL_NOTIF_SET_FLAGS
constexpr __u64 kSyncWakeUp = 1;                                // SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
}  // namespace

SeccompSupervisor::SeccompSupervisor(UniqueFd listener) : listener_(std::move(listener)) {
  // The kernel's structs may grow; size the buffers as it says.
  seccomp_notif_sizes sizes{};
  if (::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    throw EnvironmentError(errno_message("SECCOMP_GET_NOTIF_SIZES", errno));
  notif_buf_.assign(std::max<size_t>(sizes.seccomp_notif, sizeof(seccomp_notif)), 0);
  resp_buf_.assign(std::max<size_t>(sizes.seccomp_notif_resp, sizeof(seccomp_notif_resp)), 0);
  // Linux 6.6+: wake the target on the supervisor's CPU when we answer, which
  // cuts the cost of every notified syscall. Older kernels say EINVAL; the
  // kernel probe reports the feature as optional, so ignore the failure.
  __u64 flags = kSyncWakeUp;
  sync_wake_up_ = ::ioctl(listener_.get(), kSetFlagsIoctl, flags) == 0;
}

bool SeccompSupervisor::handle_one(const std::function<Decision(const SyscallEvent&)>& decide) {
  SyscallEvent ev;
  switch (receive(ev)) {
    case Received::Gone: return true;
    case Received::Closed: return false;
    case Received::Event: break;
  }
  return respond(ev.id, decide(ev));
}

SeccompSupervisor::Received SeccompSupervisor::receive(SyscallEvent& ev) {
  std::memset(notif_buf_.data(), 0, notif_buf_.size());
  auto* n = reinterpret_cast<seccomp_notif*>(notif_buf_.data());
  while (::ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_RECV, n) < 0) {
    if (errno == EINTR) continue;
    if (errno == ENOENT) return Received::Gone;  // the thread went away before we received it
    return Received::Closed;                     // ENOTCONN etc: no processes left behind the filter
  }
  ev.id = n->id;
  ev.tid = static_cast<pid_t>(n->pid);
  ev.tgid = tgid_of(ev.tid);
  ev.nr = n->data.nr;
  births_.observe(ev.tid, ev.tgid, ev.nr);
  ev.name = name_of(n->data.arch, n->data.nr);
  for (int i = 0; i < 6; ++i) ev.args[i] = n->data.args[i];
  return Received::Event;
}

bool SeccompSupervisor::respond(uint64_t id, Decision d) {
  std::memset(resp_buf_.data(), 0, resp_buf_.size());
  auto* r = reinterpret_cast<seccomp_notif_resp*>(resp_buf_.data());
  r->id = id;
  if (d.kind == Decision::Kind::Continue) {
    r->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  } else {
    r->error = -d.err;
  }
  if (::ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_SEND, r) < 0 && errno != ENOENT) {
    // ENOENT: the target died or was interrupted meanwhile; nothing to answer.
    if (errno != EINTR) return errno != ENOTCONN;
  }
  return true;
}

pid_t SeccompSupervisor::tgid_of(pid_t tid) {
  auto it = tgid_cache_.find(tid);
  if (it != tgid_cache_.end()) {
    KnownThread& k = it->second;
    if (births_.unchanged_since(k.at)) return k.tgid;
    // Something was born since: the tid may be a new thread's. It is still
    // ours if it is, right now, a thread of the group we cached.
    if (thread_alive(k.tgid, tid)) {
      k.at = births_.now();
      return k.tgid;
    }
    tgid_cache_.erase(it);
  }
  pid_t tgid = thread_group_of(tid);
  tgid_cache_.emplace(tid, KnownThread{tgid, births_.now()});
  return tgid;
}

void SeccompSupervisor::forget_thread_group(pid_t tgid) {
  std::erase_if(tgid_cache_, [tgid](const auto& kv) { return kv.second.tgid == tgid; });
}

std::string_view SeccompSupervisor::name_of(uint32_t arch, int nr) {
  if (nr < 0 || nr > 4096) return "?";
  if (static_cast<size_t>(nr) >= names_.size()) names_.resize(static_cast<size_t>(nr) + 1);
  std::string& name = names_[static_cast<size_t>(nr)];
  if (name.empty()) {
    char* resolved = seccomp_syscall_resolve_num_arch(arch, nr);
    name = resolved ? resolved : "?";
    ::free(resolved);
  }
  return name;
}

bool SeccompSupervisor::still_valid(uint64_t id) const {
  return ::ioctl(listener_.get(), SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

pid_t thread_group_of(pid_t tid) {
  std::ifstream status("/proc/" + std::to_string(tid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Tgid:", 0) == 0) return static_cast<pid_t>(std::stol(line.substr(5)));
  }
  return tid;
}

}  // namespace faultbox::engine
