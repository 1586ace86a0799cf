#include "engine/TargetInspector.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <filesystem>

#include "engine/TargetMemory.h"

namespace faultbox::engine {

namespace {

// Only what identifies the file (and, when describing it, its type): a
// fuller mask or a synced statx makes network filesystems refresh
// attributes, even write back dirty pages, for numbers we never look at.
constexpr int kStatxFlags = AT_STATX_DONT_SYNC;

dev_t dev_of(const struct statx& sx) { return makedev(sx.stx_dev_major, sx.stx_dev_minor); }

std::string readlink_str(const char* link) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink(link, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

int int_sockopt(int fd, int opt) {
  int v = 0;
  socklen_t len = sizeof v;
  return ::getsockopt(fd, SOL_SOCKET, opt, &v, &len) == 0 ? v : 0;
}

std::optional<SocketAddress> endpoint(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
                : ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (rc < 0) return std::nullopt;  // ENOTCONN for an unconnected peer
  return SocketAddress::parse(&ss, std::min<size_t>(len, sizeof ss));
}

std::string normalized(const std::filesystem::path& p) {
  std::string s = p.lexically_normal().string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

const FdFacts* TargetInspector::fd(pid_t tgid, int fd) {
  if (fd < 0) return nullptr;
  sweep_if_grown();
  if (Process* p = live_process(tgid)) {
    auto& fds = p->fds;
    if (auto fit = fds.find(fd); fit != fds.end()) {
      Entry& e = fit->second;
      const bool stable = e.facts.kind != FdKind::Socket || e.facts.socket.endpoints_stable();
      if (e.trusted && trustable(tgid, fd)) {
        if (stable) {
          ++stats_.trusted_hits;
          return &e.facts;
        }
        // Same socket, endpoints may have moved (connect in progress, UDP
        // re-connect): read them again below.
      } else if (still_names(*p, fd, e.facts)) {
        if (stable) {
          ++stats_.checked_hits;
          // Out of flux now and it names what we learnt: from here on only
          // a notification we see can change it.
          e.trusted = trustable(tgid, fd);
          return &e.facts;
        }
      } else {
        ++stats_.cache_stale;
      }
      fds.erase(fit);
    }
  }
  FdFacts facts;
  if (!inspect(tgid, fd, facts)) return nullptr;
  // inspect() made the process entry (duplicate() opens the pidfd).
  Entry& e = procs_[tgid].fds.insert_or_assign(fd, Entry{std::move(facts), false}).first->second;
  e.trusted = trustable(tgid, fd);
  return &e.facts;
}

TargetInspector::Process* TargetInspector::live_process(pid_t tgid) {
  auto it = procs_.find(tgid);
  if (it == procs_.end()) return nullptr;
  Process& p = it->second;
  if (!watching_ || watch_.births().unchanged_since(p.alive_at)) return &p;
  // Something was born since we last knew this process alive: if the
  // process has exited, its pid may name the newborn. (Without the watch
  // every hit is re-checked through fd_dir, which is bound to the process.)
  ++stats_.liveness_polls;
  pollfd pfd{p.pidfd.get(), POLLIN, 0};
  // A pidfd polls readable once its process has exited.
  if (!p.pidfd || ::poll(&pfd, 1, 0) != 0) {
    procs_.erase(it);
    return nullptr;
  }
  p.alive_at = watch_.births().now();
  return &p;
}

void TargetInspector::observe(const SyscallEvent& ev) {
  if (!watching_) return;
  FdTableWatch::Change c = watch_.observe(ev);
  if (c.kind == FdTableWatch::Change::Kind::None) return;
  auto pit = procs_.find(c.tgid);
  if (pit == procs_.end()) return;
  auto& fds = pit->second.fds;
  if (c.kind == FdTableWatch::Change::Kind::WholeTable) {
    stats_.flux_drops += fds.size();
    fds.clear();
  } else if (c.lo == c.hi) {
    stats_.flux_drops += fds.erase(static_cast<int>(c.lo));
  } else {
    stats_.flux_drops += std::erase_if(fds, [&c](const auto& kv) {
      const auto n = static_cast<unsigned>(kv.first);
      return c.lo <= n && n <= c.hi;
    });
  }
}

bool TargetInspector::still_names(const Process& p, int fd, const FdFacts& cached) {
  if (!p.fd_dir) return false;  // cannot tell: describe it afresh
  char name[16];
  auto [end, ec] = std::to_chars(name, name + sizeof name - 1, fd);
  if (ec != std::errc()) return false;
  *end = '\0';
  // No AT_SYMLINK_NOFOLLOW: the entry is a magic link to the open file.
  struct statx sx {};
  if (::statx(p.fd_dir.get(), name, kStatxFlags, STATX_INO, &sx) != 0) return false;  // closed, or the process is gone
  return (sx.stx_mask & STATX_INO) && dev_of(sx) == cached.dev && sx.stx_ino == cached.ino;
}

UniqueFd TargetInspector::duplicate(pid_t tgid, int fd) {
  // Two attempts: a cached pidfd of a process that has exited answers ESRCH;
  // the pid may by now name a new process, so reopen once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    Process& p = procs_[tgid];
    if (!p.pidfd) {
      int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, tgid, 0));
      if (pidfd < 0) {
        procs_.erase(tgid);  // no such process
        return {};
      }
      ++stats_.pidfd_opens;
      p.pidfd.reset(pidfd);
      // Alive now (pidfd_getfd below says so for sure): no poll needed until
      // the next birth.
      p.alive_at = watch_.births().now();
      // Opened after the pidfd: a cache entry exists only once pidfd_getfd
      // found the process alive, so both then name the same process (a pid
      // is not reused while its process lives). Without it (no /proc),
      // every hit is described afresh.
      char dir[64];
      std::snprintf(dir, sizeof dir, "/proc/%d/fd", tgid);
      p.fd_dir.reset(::open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
    }
    // The duplicate comes with FD_CLOEXEC set, so processes faultbox starts
    // meanwhile never inherit it.
    int dup = static_cast<int>(::syscall(SYS_pidfd_getfd, p.pidfd.get(), fd, 0));
    if (dup >= 0) return UniqueFd(dup);
    if (errno != ESRCH) return {};  // EBADF: the fd is not open
    procs_.erase(tgid);
  }
  return {};
}

bool TargetInspector::inspect(pid_t tgid, int fd, FdFacts& out) {
  UniqueFd dup = duplicate(tgid, fd);
  if (!dup) return false;
  ++stats_.inspections;
  // statx like the re-check, so both spell (dev, ino) the same way.
  struct statx sx {};
  if (::statx(dup.get(), "", AT_EMPTY_PATH | kStatxFlags, STATX_TYPE | STATX_INO, &sx) != 0) return false;
  if ((sx.stx_mask & (STATX_TYPE | STATX_INO)) != (STATX_TYPE | STATX_INO)) return false;
  out.kind = fd_kind_of_mode(sx.stx_mode);
  out.dev = dev_of(sx);
  out.ino = sx.stx_ino;
  if (out.kind == FdKind::RegularFile || out.kind == FdKind::Directory) {
    char link[64];
    std::snprintf(link, sizeof link, "/proc/%d/fd/%d", tgid, fd);
    out.path = readlink_str(link);
  } else if (out.kind == FdKind::Socket) {
    SocketFacts& s = out.socket;
    s.domain = int_sockopt(dup.get(), SO_DOMAIN);
    s.type = int_sockopt(dup.get(), SO_TYPE);
    s.listening = int_sockopt(dup.get(), SO_ACCEPTCONN) != 0;
    s.local = endpoint(dup.get(), false);
    s.peer = endpoint(dup.get(), true);
  }
  return true;
}

std::optional<std::string> TargetInspector::string_at(pid_t tgid, uint64_t addr) {
  ++stats_.memory_reads;
  return read_target_string(tgid, addr, PATH_MAX);
}

std::optional<SocketAddress> TargetInspector::sockaddr_at(pid_t tgid, uint64_t addr, uint64_t len) {
  ++stats_.memory_reads;
  sockaddr_storage ss{};
  size_t want = static_cast<size_t>(std::min<uint64_t>(len, sizeof ss));
  size_t got = read_target_bytes(tgid, addr, &ss, want);
  if (got < want) return std::nullopt;
  return SocketAddress::parse(&ss, got);
}

std::optional<std::string> TargetInspector::absolute(pid_t tid, pid_t tgid, int dirfd, const std::string& path) {
  if (!path.empty() && path[0] == '/') return normalized(path);
  char link[64];
  // The cwd is per thread in principle (a thread may unshare CLONE_FS), so
  // ask for the calling thread's; a dirfd belongs to the fd table.
  if (dirfd == AT_FDCWD) std::snprintf(link, sizeof link, "/proc/%d/cwd", tid);
  else std::snprintf(link, sizeof link, "/proc/%d/fd/%d", tgid, dirfd);
  std::string base = readlink_str(link);
  if (base.empty() || base[0] != '/') return std::nullopt;  // gone, or not a directory path
  if (path.empty()) return normalized(base);                // AT_EMPTY_PATH: the dirfd itself
  return normalized(std::filesystem::path(base) / path);
}

void TargetInspector::forget_process(pid_t tgid) { procs_.erase(tgid); }

void TargetInspector::sweep_if_grown() {
  if (procs_.size() < sweep_at_) return;
  for (auto it = procs_.begin(); it != procs_.end();) {
    pollfd p{it->second.pidfd.get(), POLLIN, 0};
    // A pidfd polls readable once its process has exited.
    bool gone = !it->second.pidfd || ::poll(&p, 1, 0) > 0;
    it = gone ? procs_.erase(it) : std::next(it);
  }
  sweep_at_ = std::max<size_t>(64, 2 * procs_.size());
}

}  // namespace faultbox::engine
