#include "engine/KernelProbe.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include "engine/Cgroup.h"
#include "engine/EngineError.h"
#include "engine/SeccompProgram.h"
#include "engine/UniqueFd.h"

// Debian 12's headers predate some of these (DESIGN.md §3); the filter
// flags are SeccompProgram.h's.
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS _IOW('!', 4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
// pidfd_open and pidfd_getfd have the same number on every architecture.
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif

namespace faultbox::engine {

namespace {

constexpr KernelVersion kMinimumKernel{5, 19};
// A syscall number no architecture assigns (MIPS numbers start at 4000), so
// the probe filter never catches a call — not even the child's own exit.
constexpr unsigned kUnusedSyscall = 1023;

std::string errno_name(int err) {
  if (err == 0) return "ok";
  const char* name = ::strerrorname_np(err);
  return std::string(name ? name : "errno " + std::to_string(err)) + " (" + std::strerror(err) + ")";
}

// Runs `probe` in a forked child, which writes `n` ints to the pipe it is
// given and exits; returns them (each -1 when the child died first). The
// child makes only raw syscalls: faultbox may already have threads, whose
// locks a forked child must never touch.
template <size_t N, typename Probe>
std::array<int, N> in_child(Probe probe) {
  std::array<int, N> out;
  out.fill(-1);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return out;
  UniqueFd rd(fds[0]), wr(fds[1]);
  pid_t pid = ::fork();
  if (pid < 0) return out;
  if (pid == 0) {
    std::array<int, N> result;
    result.fill(-1);
    probe(result);
    (void)!::write(wr.get(), result.data(), sizeof result);
    ::_exit(0);
  }
  wr.reset();
  std::array<int, N> got;
  ssize_t n;
  do n = ::read(rd.get(), got.data(), sizeof got);
  while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof got)) out = got;
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return out;
}

// [0] errno of installing the filter with NEW_LISTENER | WAIT_KILLABLE_RECV,
// [1] with NEW_LISTENER alone (tried only when [0] failed: a second
// listener on one filter chain would fail with EBUSY), [2] errno of turning
// on SYNC_WAKE_UP on the listener (-1 when there was none).
std::array<int, 3> probe_seccomp() {
  return in_child<3>([](std::array<int, 3>& r) {
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kUnusedSyscall, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
      r[0] = r[1] = errno;
      return;
    }
    long fd = ::syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER,
                        SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
    r[0] = fd >= 0 ? 0 : errno;
    if (fd < 0) {
      fd = ::syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
      r[1] = fd >= 0 ? 0 : errno;
    } else {
      r[1] = 0;
    }
    if (fd >= 0) {
      __u64 flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
      r[2] = ::ioctl(static_cast<int>(fd), SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) == 0 ? 0 : errno;
    }
  });
}

// [0] errno of pidfd_open on ourselves, [1] of pidfd_getfd through it.
std::array<int, 2> probe_pidfd() {
  std::array<int, 2> r{-1, -1};
  long pidfd = ::syscall(__NR_pidfd_open, ::getpid(), 0);
  r[0] = pidfd >= 0 ? 0 : errno;
  if (pidfd < 0) return r;
  UniqueFd owned(static_cast<int>(pidfd));
  long copy = ::syscall(__NR_pidfd_getfd, pidfd, pidfd, 0);
  r[1] = copy >= 0 ? 0 : errno;
  if (copy >= 0) UniqueFd closed(static_cast<int>(copy));
  return r;
}

// "" when a group made under `parent` has cgroup.kill; the cause otherwise.
// The root group has no cgroup.kill, so the probe makes a throwaway child.
std::string probe_cgroup_kill(std::string parent) {
  if (parent.empty()) {
    try {
      parent = locate_cgroup2().self;
    } catch (const EnvironmentError& e) {
      return e.what();
    }
  }
  std::string group = parent + "/faultbox-probe-" + std::to_string(::getpid());
  if (::mkdir(group.c_str(), 0755) != 0 && errno != EEXIST) {
    int err = errno;
    return errno_message("cannot create a cgroup in " + parent, err) +
           (err == EACCES || err == EPERM ? " (faultbox test needs root)" : "");
  }
  bool has_kill = ::access((group + "/cgroup.kill").c_str(), F_OK) == 0;
  ::rmdir(group.c_str());
  return has_kill ? "" : "no cgroup.kill in " + group;
}

int probe_unshare_net() {
  return in_child<1>([](std::array<int, 1>& r) { r[0] = ::unshare(CLONE_NEWNET) == 0 ? 0 : errno; })[0];
}

KernelFeature feature(std::string name, std::string needed, bool required, int err) {
  KernelFeature f{std::move(name), std::move(needed), required, err == 0, ""};
  if (err != 0) f.detail = err < 0 ? "the probe could not run" : errno_name(err);
  // Without privileges the feature may well be there but out of reach; say
  // which of the two it is.
  if (err == EPERM || err == EACCES) f.detail += " (faultbox test needs root)";
  return f;
}

}  // namespace

KernelVersion parse_kernel_release(const std::string& release) {
  KernelVersion v;
  if (std::sscanf(release.c_str(), "%d.%d", &v.major, &v.minor) != 2) return {};
  return v;
}

bool KernelProbeResult::ok() const {
  for (const auto& f : features)
    if (f.required && !f.present) return false;
  return true;
}

std::vector<std::string> KernelProbeResult::missing_lines() const {
  std::vector<std::string> out;
  for (const auto& f : features)
    if (f.required && !f.present)
      out.push_back("missing kernel feature: " + f.name + " (needed for " + f.needed + ")" +
                    (f.detail.empty() ? "" : ": " + f.detail));
  return out;
}

std::vector<std::string> KernelProbeResult::optional_lines() const {
  std::vector<std::string> out;
  for (const auto& f : features)
    if (!f.required)
      out.push_back("kernel feature " + f.name + ": " + (f.present ? "present" : "absent") + " (" + f.needed +
                    ")");
  return out;
}

KernelProbeResult probe_kernel(const std::string& cgroup_parent) {
  KernelProbeResult r;
  struct utsname u {};
  if (::uname(&u) == 0) r.release = u.release;
  KernelVersion v = parse_kernel_release(r.release);
  KernelFeature version{"Linux >= 5.19", "the seccomp and pidfd features faultbox uses", true, v >= kMinimumKernel,
                        ""};
  if (!version.present) version.detail = "running " + (r.release.empty() ? std::string("an unknown kernel") : r.release);
  r.features.push_back(std::move(version));

  auto seccomp = probe_seccomp();
  r.features.push_back(feature("seccomp user notification (SECCOMP_FILTER_FLAG_NEW_LISTENER, 5.0)",
                               "intercepting the services' syscalls", true, seccomp[0] == 0 ? 0 : seccomp[1]));
  r.features.push_back(feature("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19)",
                               "services killed in an intercepted syscall not to hang", true, seccomp[0]));
  auto pidfd = probe_pidfd();
  r.features.push_back(feature("pidfd_open (5.3)", "watching services and taking their seccomp listeners", true,
                               pidfd[0]));
  r.features.push_back(feature("pidfd_getfd (5.6)", "taking the seccomp listener and the services' fds", true,
                               pidfd[0] == 0 ? pidfd[1] : pidfd[0]));
  KernelFeature cgroup{"cgroup v2 with cgroup.kill (5.14)", "killing each service's whole process tree at teardown",
                       true, false, probe_cgroup_kill(cgroup_parent)};
  cgroup.present = cgroup.detail.empty();
  r.features.push_back(std::move(cgroup));
  r.features.push_back(feature("unshare(CLONE_NEWNET)", "each run's own network namespace", true,
                               probe_unshare_net()));
  r.features.push_back(feature("SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6)",
                               "answering notifications on the waking CPU; optional", false,
                               seccomp[2] == -1 ? EINVAL : seccomp[2]));
  return r;
}

}  // namespace faultbox::engine
