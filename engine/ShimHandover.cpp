#include "engine/ShimHandover.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

#include "engine/EngineError.h"
#include "engine/OneLine.h"
#include "engine/ProcessEnding.h"
#include "shim/ShimProtocol.h"


namespace faultbox::engine {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// One number for both modes' handovers: nothing else may sit there.
static_assert(FAULTBOX_SHIM_LISTENER_FD == ProcessLauncher::kListenerFd);

// How often `still_alive` is asked: it may be a call to the Docker daemon.
constexpr milliseconds kAliveInterval{50};
// fd 1000 appears microseconds after INSTALLING; poll for it often at
// first, then back off.
constexpr milliseconds kFirstListenerPoll{1};
constexpr milliseconds kMaxListenerPoll{10};
// HELLO carries a path, FAILURE a line: anything bigger is not a shim.
constexpr size_t kMaxPayload = 64 * 1024;
// What /proc/self/fd/N of a seccomp listener reads.
constexpr const char* kListenerLink = "anon_inode:seccomp notify";

std::string shim_name(pid_t pid) { return "faultbox-shim (pid " + std::to_string(pid) + ")"; }

// " (exit status 127)", " (killed by signal 9)", or "" when that cannot be
// learned (not our child, or reaped). Does not reap (WNOWAIT).
std::string how_it_ended(int pidfd) {
  std::optional<ProcessEnding> end = process_ending(pidfd);
  if (!end) return "";
  return end->exited ? " (exit status " + std::to_string(end->code) + ")"
                     : " (killed by signal " + std::to_string(end->code) + ")";
}

// The text of a FAILURE among the frames a gone shim left unread on
// `conn` (non-blocking). A shim reports, then exits: its exit may be seen
// before its report, and Docker may have reaped it already.
std::optional<std::string> unread_failure(int conn) {
  std::string buf;
  char chunk[4096];
  for (;;) {
    ssize_t n = ::recv(conn, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || buf.size() > 2 * kMaxPayload) break;
    buf.append(chunk, static_cast<size_t>(n));
  }
  faultbox_shim_header h{};
  for (size_t off = 0; buf.size() - off >= sizeof h; off += sizeof h + h.length) {
    std::memcpy(&h, buf.data() + off, sizeof h);
    if (h.magic != FAULTBOX_SHIM_MAGIC || h.version != FAULTBOX_SHIM_PROTOCOL_VERSION ||
        buf.size() - off - sizeof h < h.length)
      break;
    if (h.type == FAULTBOX_SHIM_FAILURE && h.length >= sizeof(faultbox_shim_failure))
      return one_line(buf.substr(off + sizeof h + sizeof(faultbox_shim_failure),
                                 h.length - sizeof(faultbox_shim_failure)));
  }
  return std::nullopt;
}

// The same for a shim that reported before we accepted its connection:
// SO_PEERCRED still names a pid that is gone. Connections from other pids
// are closed, as accept_from() does.
std::optional<std::string> queued_failure(int listen_fd, pid_t pid) {
  for (;;) {
    UniqueFd conn(::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!conn) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return std::nullopt;
    }
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(conn.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid == pid)
      return unread_failure(conn.get());
  }
}

// Every wait of one await(): bounded by one deadline, ended early by the
// shim's exit (its pidfd) or by `still_alive` saying no.
class HandoverClock {
 public:
  HandoverClock(pid_t pid, int pidfd, int listen_fd, milliseconds timeout, const std::function<bool()>& still_alive)
      : pid_(pid),
        pidfd_(pidfd),
        listen_fd_(listen_fd),
        timeout_(timeout),
        deadline_(Clock::now() + timeout),
        still_alive_(still_alive) {}

  // The shim's connection once accepted: where its last words are.
  void connected(int conn) { conn_ = conn; }

  // Waits up to `slice` for `events` on `fd`. True when they came — even if
  // the shim exited meanwhile: what it sent before exiting (a FAILURE)
  // explains more than its exit. Throws when the shim is gone or the
  // deadline passed; `waiting_for` completes "did not … within N ms".
  bool wait(int fd, short events, milliseconds slice, const std::string& waiting_for) {
    check_alive();
    auto now = Clock::now();
    if (now >= deadline_) throw timed_out(waiting_for);
    auto left = std::chrono::duration_cast<milliseconds>(deadline_ - now) + milliseconds(1);
    int ms = static_cast<int>(std::min({slice, left, kAliveInterval}).count());
    pollfd fds[2] = {{fd, events, 0}, {pidfd_, POLLIN, 0}};
    int n = ::poll(fds, 2, ms);
    if (n < 0 && errno != EINTR) throw EnvironmentError(errno_message("poll during the shim handover", errno));
    if (n > 0 && (fds[0].revents & (events | POLLHUP | POLLERR))) return true;
    if (n > 0 && (fds[1].revents & POLLIN)) throw exited();
    return false;
  }

  // Waits for `events` on `fd` for as long as the deadline allows.
  void until(int fd, short events, const std::string& waiting_for) {
    while (!wait(fd, events, kAliveInterval, waiting_for)) {
    }
  }

  // The shim is gone: what it reported before going, else how it ended.
  EnvironmentError exited() const {
    std::optional<std::string> words = conn_ >= 0 ? unread_failure(conn_) : queued_failure(listen_fd_, pid_);
    if (words) return EnvironmentError("faultbox-shim: " + *words);
    return EnvironmentError(shim_name(pid_) + " exited before the handover" +
                            (pidfd_ >= 0 ? how_it_ended(pidfd_) : ""));
  }

 private:
  void check_alive() {
    auto now = Clock::now();
    if (!still_alive_ || now < next_alive_check_) return;
    next_alive_check_ = now + kAliveInterval;
    if (!still_alive_()) throw exited();
  }
  EnvironmentError timed_out(const std::string& waiting_for) const {
    return EnvironmentError(shim_name(pid_) + " did not " + waiting_for + " within " +
                            std::to_string(timeout_.count()) + " ms");
  }

  pid_t pid_;
  int pidfd_;
  int listen_fd_;
  int conn_ = -1;
  milliseconds timeout_;
  Clock::time_point deadline_;
  const std::function<bool()>& still_alive_;
  Clock::time_point next_alive_check_{};
};

struct Message {
  bool eof = false;  // the connection ended cleanly before a header
  faultbox_shim_header header{};
  std::string payload;
};

// Reads exactly `len` bytes; false on EOF before the first byte when
// `eof_ok`. Throws on a connection cut mid-message.
bool read_exact(int conn, void* buf, size_t len, bool eof_ok, HandoverClock& clock, pid_t pid,
                const std::string& waiting_for) {
  char* p = static_cast<char*>(buf);
  size_t got = 0;
  while (got < len) {
    ssize_t n = ::recv(conn, p + got, len - got, 0);
    if (n > 0) {
      got += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) {
      if (got == 0 && eof_ok) return false;
      throw EnvironmentError(shim_name(pid) + " cut the connection in the middle of a message");
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      if (errno == ECONNRESET && got == 0 && eof_ok) return false;
      throw EnvironmentError(errno_message("reading from " + shim_name(pid), errno));
    }
    clock.until(conn, POLLIN, waiting_for);
  }
  return true;
}

Message read_message(int conn, HandoverClock& clock, pid_t pid, const std::string& waiting_for) {
  Message m;
  if (!read_exact(conn, &m.header, sizeof m.header, true, clock, pid, waiting_for)) {
    m.eof = true;
    return m;
  }
  if (m.header.magic != FAULTBOX_SHIM_MAGIC)
    throw EnvironmentError("the process connecting as pid " + std::to_string(pid) +
                           " does not speak faultbox-shim's handover protocol (is the entrypoint faultbox-shim?)");
  if (m.header.version != FAULTBOX_SHIM_PROTOCOL_VERSION)
    throw EnvironmentError(shim_name(pid) + " speaks handover protocol version " +
                           std::to_string(m.header.version) + " but this faultbox speaks version " +
                           std::to_string(FAULTBOX_SHIM_PROTOCOL_VERSION) +
                           " (the shim binary is from another faultbox build)");
  if (m.header.length > kMaxPayload)
    throw EnvironmentError(shim_name(pid) + " sent a message of " + std::to_string(m.header.length) +
                           " bytes (at most " + std::to_string(kMaxPayload) + " expected)");
  m.payload.resize(m.header.length);
  if (m.header.length > 0) read_exact(conn, m.payload.data(), m.payload.size(), false, clock, pid, waiting_for);
  return m;
}

// FAILURE → the shim's own one-line text.
[[noreturn]] void throw_failure(const Message& m, pid_t pid) {
  // The text says it all (cause and errno name); step and errno are there
  // for the shim's stderr twin and for readers of the wire.
  if (m.payload.size() < sizeof(faultbox_shim_failure))
    throw EnvironmentError(shim_name(pid) + " reported a failure it could not describe");
  throw EnvironmentError("faultbox-shim: " + one_line(m.payload.substr(sizeof(faultbox_shim_failure))));
}

// Whatever the shim sent instead of `expected` (or its EOF), as an error.
[[noreturn]] void throw_unexpected(const Message& m, pid_t pid, int pidfd, const std::string& expected) {
  if (m.eof)
    throw EnvironmentError(shim_name(pid) + " closed the connection before " + expected + how_it_ended(pidfd));
  if (m.header.type == FAULTBOX_SHIM_FAILURE) throw_failure(m, pid);
  throw EnvironmentError(shim_name(pid) + " sent message type " + std::to_string(m.header.type) + " instead of " +
                         expected);
}

void send_all(int conn, const void* data, size_t len, HandoverClock& clock, pid_t pid) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = ::send(conn, p, len, MSG_NOSIGNAL);
    if (n > 0) {
      p += n;
      len -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      clock.until(conn, POLLOUT, "read its seccomp program");
      continue;
    }
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      // It hung up: a FAILURE it sent first says why; else it exited.
      throw clock.exited();
    }
    throw EnvironmentError(errno_message("sending the seccomp program to " + shim_name(pid), errno));
  }
}

void send_program(int conn, const SeccompProgram& program, HandoverClock& clock, pid_t pid) {
  sock_fprog prog = program.fprog();
  if (prog.len == 0 || prog.len > FAULTBOX_SHIM_MAX_INSNS)
    throw EnvironmentError("the seccomp program has " + std::to_string(prog.len) + " instructions; the shim takes 1 to " +
                           std::to_string(FAULTBOX_SHIM_MAX_INSNS));
  faultbox_shim_program body{static_cast<uint32_t>(SeccompProgram::kInstallFlags), prog.len};
  size_t insns_bytes = prog.len * sizeof(sock_filter);
  faultbox_shim_header h{FAULTBOX_SHIM_MAGIC, FAULTBOX_SHIM_PROTOCOL_VERSION, FAULTBOX_SHIM_PROGRAM,
                         static_cast<uint32_t>(sizeof body + insns_bytes)};
  std::string wire;
  wire.reserve(sizeof h + sizeof body + insns_bytes);
  wire.append(reinterpret_cast<const char*>(&h), sizeof h);
  wire.append(reinterpret_cast<const char*>(&body), sizeof body);
  wire.append(reinterpret_cast<const char*>(prog.filter), insns_bytes);
  send_all(conn, wire.data(), wire.size(), clock, pid);
}

// The shim's connection: the first one whose SO_PEERCRED pid is `pid`.
// Others are closed at once (their shims see EOF and exit without exec).
UniqueFd accept_from(int listen_fd, pid_t pid, HandoverClock& clock, const std::string& socket_path) {
  const std::string waiting_for = "connect to " + socket_path;
  for (;;) {
    clock.until(listen_fd, POLLIN, waiting_for);
    UniqueFd conn(::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!conn) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) continue;
      throw EnvironmentError(errno_message("accepting on " + socket_path, errno));
    }
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(conn.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid == pid) return conn;
  }
}

// fd FAULTBOX_SHIM_LISTENER_FD of the shim, once it is there. Until then a
// FAILURE (the install failed) or the shim's exit ends the wait.
UniqueFd take_listener(int pidfd, int conn, HandoverClock& clock, pid_t pid) {
  const std::string waiting_for =
      "hand over its seccomp listener (fd " + std::to_string(FAULTBOX_SHIM_LISTENER_FD) + ")";
  milliseconds pause = kFirstListenerPoll;
  for (;;) {
    long fd = ::syscall(SYS_pidfd_getfd, pidfd, FAULTBOX_SHIM_LISTENER_FD, 0);
    if (fd >= 0) {
      UniqueFd listener(static_cast<int>(fd));
      char link[64] = {};
      std::string self = "/proc/self/fd/" + std::to_string(fd);
      ssize_t n = ::readlink(self.c_str(), link, sizeof link - 1);
      std::string what = n > 0 ? std::string(link, static_cast<size_t>(n)) : "unreadable";
      if (what != kListenerLink)
        throw EnvironmentError(shim_name(pid) + " has fd " + std::to_string(FAULTBOX_SHIM_LISTENER_FD) +
                               " but it is not a seccomp listener (" + what + ")");
      return listener;
    }
    if (errno == ESRCH) throw clock.exited();
    if (errno != EBADF)
      throw EnvironmentError(errno_message("pidfd_getfd of " + shim_name(pid) + "'s seccomp listener", errno));
    if (clock.wait(conn, POLLIN, pause, waiting_for)) {
      // It spoke or hung up instead of installing: its install failed.
      Message m = read_message(conn, clock, pid, waiting_for);
      throw_unexpected(m, pid, pidfd, "handing over its seccomp listener");
    }
    pause = std::min(pause * 2, kMaxListenerPoll);
  }
}

}  // namespace

ShimSession::ShimSession(LaunchedProcess process, UniqueFd connection, std::string program, uid_t euid, gid_t egid)
    : process_(std::move(process)),
      connection_(std::move(connection)),
      program_(std::move(program)),
      euid_(euid),
      egid_(egid) {}

ShimListener::ShimListener(std::string dir) : dir_(std::move(dir)) {
  bool created = ::mkdir(dir_.c_str(), 0755) == 0;
  if (!created && errno != EEXIST)
    throw EnvironmentError(errno_message("cannot create the shim socket folder " + dir_, errno));
  struct stat st {};
  if (::stat(dir_.c_str(), &st) != 0)
    throw EnvironmentError(errno_message("cannot use the shim socket folder " + dir_, errno));
  if (!S_ISDIR(st.st_mode)) throw EnvironmentError("the shim socket folder " + dir_ + " is not a directory");
  // Whatever the umask or the folder's maker chose: the image's user, any
  // uid, must reach the socket through the bind mount.
  mode_t want = created ? 0755 : (st.st_mode & 07777) | 0111;
  if ((st.st_mode & 07777) != want && ::chmod(dir_.c_str(), want) != 0)
    throw EnvironmentError(errno_message("cannot open up the shim socket folder " + dir_, errno));

  socket_path_ = dir_ + "/" + kSocketName;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof addr.sun_path)
    throw EnvironmentError("the shim socket path " + socket_path_ + " is longer than a unix socket allows (" +
                           std::to_string(sizeof addr.sun_path - 1) + " bytes)");
  std::memcpy(addr.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
  fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd_) throw EnvironmentError(errno_message("socket for the shim handover", errno));
  ::unlink(socket_path_.c_str());  // a leftover of a killed run
  if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw EnvironmentError(errno_message("cannot bind the shim socket " + socket_path_, errno));
  // connect() needs write permission on the socket: any uid may be the
  // image's user. Who may connect matters little: await() goes by pid.
  if (::chmod(socket_path_.c_str(), 0666) != 0 || ::listen(fd_.get(), 64) != 0) {
    int err = errno;
    ::unlink(socket_path_.c_str());
    throw EnvironmentError(errno_message("cannot listen on the shim socket " + socket_path_, err));
  }
}

ShimListener::~ShimListener() {
  fd_.reset();
  ::unlink(socket_path_.c_str());
}

ShimSession ShimListener::await(pid_t pid, const SeccompProgram& program, std::chrono::milliseconds timeout,
                                const std::function<bool()>& still_alive) {
  // Docker reports pid 0 for a container that is not running any more.
  if (pid <= 0) throw EnvironmentError("faultbox-shim exited before the handover (no process to take over)");
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd && errno != ESRCH) throw EnvironmentError(errno_message("pidfd_open of " + shim_name(pid), errno));
  HandoverClock clock(pid, pidfd.get(), fd_.get(), timeout, still_alive);
  if (!pidfd) throw clock.exited();  // gone (and reaped) already

  UniqueFd conn = accept_from(fd_.get(), pid, clock, socket_path_);
  clock.connected(conn.get());

  // HELLO: the program is found and may run under no_new_privs.
  Message hello = read_message(conn.get(), clock, pid, "say which program it runs");
  if (hello.eof || hello.header.type != FAULTBOX_SHIM_HELLO || hello.payload.size() < sizeof(faultbox_shim_hello))
    throw_unexpected(hello, pid, pidfd.get(), "saying which program it runs");
  faultbox_shim_hello ids{};
  std::memcpy(&ids, hello.payload.data(), sizeof ids);
  std::string resolved = one_line(hello.payload.substr(sizeof ids));

  send_program(conn.get(), program, clock, pid);

  Message installing = read_message(conn.get(), clock, pid, "start installing its seccomp filter");
  if (installing.eof || installing.header.type != FAULTBOX_SHIM_INSTALLING)
    throw_unexpected(installing, pid, pidfd.get(), "installing its seccomp filter");

  UniqueFd listener = take_listener(pidfd.get(), conn.get(), clock, pid);

  LaunchedProcess process;
  process.pid = pid;
  process.pidfd = std::move(pidfd);
  process.listener = std::move(listener);
  return ShimSession(std::move(process), std::move(conn), std::move(resolved), static_cast<uid_t>(ids.euid),
                     static_cast<gid_t>(ids.egid));
}

}  // namespace faultbox::engine
