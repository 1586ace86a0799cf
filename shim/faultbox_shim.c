/* faultbox-shim: the entrypoint of every container Faultbox starts
 * (DESIGN.md §3, "Container mode"; shim/README.md).
 *
 *   faultbox-shim SOCKET -- PROGRAM [ARGS...]
 *
 * Connects to the engine's socket, checks PROGRAM as execvp would find it,
 * receives the seccomp program, installs it with a listener, parks the
 * listener on fd FAULTBOX_SHIM_LISTENER_FD for the engine to take with
 * pidfd_getfd, waits for the go-ahead (the engine closes the connection) and
 * execs PROGRAM. Docker has already applied the image's user, env and
 * working dir, so PROGRAM runs exactly as `docker run` would run it — plus
 * the filter.
 *
 * Rules this file keeps:
 * - PROGRAM never runs without the filter: every failure exits non-zero, and
 *   the only execve is after a successful install and the go-ahead.
 * - Between installing the filter and the engine holding the listener, no
 *   filtered syscall (write, read, close, mmap, ... — the whole faultable
 *   vocabulary): nobody could answer it. Only dup3 runs there (onto
 *   FAULTBOX_SHIM_LISTENER_FD, the one number the filter lets dup3 reach
 *   unnotified: engine/FdTableWatch.h); the ppoll
 *   that follows is filtered, but the engine answers it once it holds the
 *   listener, which it can only do after dup3.
 * - No files needed (FROM scratch images), no allocation, static binary.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "shim/ShimProtocol.h"

/* Debian 12's headers predate some of these (DESIGN.md §3). */
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif

extern char** environ;

enum { EXIT_CANNOT_RUN = 126, EXIT_NOT_FOUND = 127 };

/* glibc's execvp default when PATH is unset. */
static const char kDefaultPath[] = "/bin:/usr/bin";

/* ---- output ------------------------------------------------------------ */

static void write_all(int fd, const void* data, size_t len) {
  const char* p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    len -= (size_t)n;
  }
}

/* One line on stderr, for a human reading the container's log. */
static void say(const char* text) {
  char line[FAULTBOX_SHIM_MAX_TEXT + 32];
  int n = snprintf(line, sizeof line, "faultbox-shim: %s\n", text);
  if (n > 0) write_all(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static const char* errno_name(int err) {
  const char* name = strerrorname_np(err);
  return name ? name : "errno";
}

/* ---- the connection ----------------------------------------------------- */

static int send_message(int conn, uint16_t type, const void* a, size_t alen, const void* b, size_t blen) {
  struct faultbox_shim_header h = {FAULTBOX_SHIM_MAGIC, FAULTBOX_SHIM_PROTOCOL_VERSION, type,
                                   (uint32_t)(alen + blen)};
  struct iovec iov[3] = {{&h, sizeof h}, {(void*)a, alen}, {(void*)b, blen}};
  struct msghdr msg = {0};
  msg.msg_iov = iov;
  msg.msg_iovlen = 3;
  size_t total = sizeof h + alen + blen;
  /* One sendmsg: the engine reads messages whole, and a short write on a
   * unix stream socket this small does not happen. */
  ssize_t n;
  do n = sendmsg(conn, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t)total ? 0 : -1;
}

/* 1: got `len` bytes; 0: EOF first; -1: error. */
static int read_full(int conn, void* buf, size_t len) {
  char* p = buf;
  while (len > 0) {
    ssize_t n = recv(conn, p, len, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return 0;
    p += n;
    len -= (size_t)n;
  }
  return 1;
}

/* Reports to the engine and to stderr, then exits: never returns to a
 * path that could exec. `conn` may be -1 (nobody to tell). */
static void fail(int conn, int step, int err, int exit_code, const char* fmt, ...)
    __attribute__((noreturn, format(printf, 5, 6)));
static void fail(int conn, int step, int err, int exit_code, const char* fmt, ...) {
  char text[FAULTBOX_SHIM_MAX_TEXT];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof text) n = (int)sizeof text - 1;
  say(text);
  if (conn >= 0) {
    struct faultbox_shim_failure f = {step, err, exit_code, 0};
    (void)send_message(conn, FAULTBOX_SHIM_FAILURE, &f, sizeof f, text, (size_t)n);
  }
  _exit(exit_code);
}

static int connect_to(const char* path) {
  struct sockaddr_un addr = {0};
  addr.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int rc;
  do rc = connect(fd, (struct sockaddr*)&addr, sizeof addr);
  while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* ---- the program: found as execvp would, checked before the filter ---- */

/* Whether `path` could be exec'd by us; on false, *why is the errno
 * execve would give (ENOENT, EACCES, ...). */
static int executable(const char* path, struct stat* st, int* why) {
  if (stat(path, st) != 0) {
    *why = errno;
    return 0;
  }
  if (!S_ISREG(st->st_mode) || faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) != 0) {
    *why = EACCES;
    return 0;
  }
  return 1;
}

/* Resolves `name` into `out` like execvp: a name with '/' as it is, else
 * each PATH entry in turn (an empty entry is the working directory); one
 * that exists but cannot be executed is remembered and reported only when
 * nothing later works. Reports and exits when nothing does. */
static void resolve(int conn, const char* name, char* out, size_t cap, struct stat* st) {
  int why = 0;
  if (name[0] == '\0') fail(conn, FAULTBOX_SHIM_STEP_RESOLVE, ENOENT, EXIT_NOT_FOUND, "the program to run is an empty string");
  if (strchr(name, '/')) {
    if (strlen(name) >= cap)
      fail(conn, FAULTBOX_SHIM_STEP_RESOLVE, ENAMETOOLONG, EXIT_NOT_FOUND, "cannot run %.200s...: path too long", name);
    strcpy(out, name);
    if (executable(out, st, &why)) return;
    if (why == EACCES)
      fail(conn, FAULTBOX_SHIM_STEP_RESOLVE, why, EXIT_CANNOT_RUN,
           "cannot run %s: not an executable file for uid %u (EACCES)", name, (unsigned)geteuid());
    fail(conn, FAULTBOX_SHIM_STEP_RESOLVE, why, EXIT_NOT_FOUND, "cannot run %s: %s (%s)", name, strerror(why),
         errno_name(why));
  }
  const char* path = getenv("PATH");
  if (!path) path = kDefaultPath;
  size_t name_len = strlen(name);
  int denied = 0;
  char first_denied[PATH_MAX] = "";
  for (const char* p = path;; ) {
    const char* end = strchrnul(p, ':');
    size_t dir_len = (size_t)(end - p);
    if (dir_len == 0) dir_len = 1, p = ".";  /* an empty entry: the working directory */
    if (dir_len + 1 + name_len < cap) {
      memcpy(out, p, dir_len);
      out[dir_len] = '/';
      memcpy(out + dir_len + 1, name, name_len + 1);
      struct stat cand;
      if (executable(out, &cand, &why)) {
        *st = cand;
        return;
      }
      if (why == EACCES && !denied) {
        denied = 1;
        strcpy(first_denied, out);
      }
    }
    if (*end == '\0') break;
    p = end + 1;
  }
  if (denied)
    fail(conn, FAULTBOX_SHIM_STEP_RESOLVE, EACCES, EXIT_CANNOT_RUN,
         "cannot run %s: %s is not an executable file for uid %u (EACCES)", name, first_denied, (unsigned)geteuid());
  fail(conn, FAULTBOX_SHIM_STEP_RESOLVE, ENOENT, EXIT_NOT_FOUND, "cannot run %s: not found in PATH=%s", name, path);
}

/* A "#!" script whose interpreter is missing would fail only at execve,
 * after the handover, with a bare ENOENT; say which file is missing now.
 * An unreadable script is left to the kernel. */
static void check_interpreter(int conn, const char* program) {
  int fd = open(program, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char head[256];
  ssize_t n;
  do n = read(fd, head, sizeof head - 1);
  while (n < 0 && errno == EINTR);
  close(fd);
  if (n < 3 || head[0] != '#' || head[1] != '!') return;
  head[n] = '\0';
  char* interp = head + 2;
  while (*interp == ' ' || *interp == '\t') ++interp;
  size_t len = strcspn(interp, " \t\n");
  if (interp[len] == '\0' && (size_t)n == sizeof head - 1) return;  /* truncated line: leave it to the kernel */
  interp[len] = '\0';
  if (len == 0) return;
  struct stat st;
  int why = 0;
  if (!executable(interp, &st, &why))
    fail(conn, FAULTBOX_SHIM_STEP_RESOLVE, why, why == EACCES ? EXIT_CANNOT_RUN : EXIT_NOT_FOUND,
         "cannot run %s: its interpreter %s (from its #! line): %s (%s)", program, interp, strerror(why),
         errno_name(why));
}

/* NO_NEW_PRIVS makes execve ignore setuid/setgid bits and file
 * capabilities: the program would run, silently, without the identity or
 * privileges it was built to get. Refuse instead. A nosuid mount already
 * ignores them, so nothing changes there. */
static void check_identity(int conn, const char* program, const struct stat* st) {
  struct statvfs fs;
  if (statvfs(program, &fs) == 0) {
    if (fs.f_flag & ST_NOEXEC)
      fail(conn, FAULTBOX_SHIM_STEP_RESOLVE, EACCES, EXIT_CANNOT_RUN, "cannot run %s: it is on a noexec mount",
           program);
    if (fs.f_flag & ST_NOSUID) return;
  }
  uid_t euid = geteuid();
  gid_t egid = getegid();
  if ((st->st_mode & S_ISUID) && st->st_uid != euid)
    fail(conn, FAULTBOX_SHIM_STEP_IDENTITY, EPERM, EXIT_CANNOT_RUN,
         "cannot run %s: it is setuid (owner uid %u, running as uid %u) and no_new_privs, which the seccomp "
         "filter needs, would make it run silently without that identity",
         program, (unsigned)st->st_uid, (unsigned)euid);
  /* setgid without group-exec marks mandatory locking, not an identity. */
  if ((st->st_mode & S_ISGID) && (st->st_mode & S_IXGRP) && st->st_gid != egid)
    fail(conn, FAULTBOX_SHIM_STEP_IDENTITY, EPERM, EXIT_CANNOT_RUN,
         "cannot run %s: it is setgid (group gid %u, running as gid %u) and no_new_privs, which the seccomp "
         "filter needs, would make it run silently without that identity",
         program, (unsigned)st->st_gid, (unsigned)egid);
  /* Root keeps its capabilities under no_new_privs; anyone else would lose
   * the file's. */
  if (euid != 0 && getxattr(program, "security.capability", NULL, 0) > 0)
    fail(conn, FAULTBOX_SHIM_STEP_IDENTITY, EPERM, EXIT_CANNOT_RUN,
         "cannot run %s: it has file capabilities and no_new_privs, which the seccomp filter needs, would make "
         "it run silently without them (running as uid %u)",
         program, (unsigned)euid);
}

/* A supervisor that turns us away (another pid's turn, a protocol it
 * refuses) closes the connection: whatever we send next fails. */
static void send_failed(int err, const char* what) __attribute__((noreturn));
static void send_failed(int err, const char* what) {
  if (err == EPIPE || err == ECONNRESET)
    fail(-1, FAULTBOX_SHIM_STEP_PROTOCOL, err, EXIT_CANNOT_RUN,
         "the supervisor closed the connection before sending the filter: not starting the program");
  fail(-1, FAULTBOX_SHIM_STEP_PROTOCOL, err, EXIT_CANNOT_RUN, "telling the supervisor %s: %s", what, strerror(err));
}

/* ---- the filter --------------------------------------------------------- */

static const char* seccomp_cause(int err) {
  switch (err) {
    case EBUSY:
      return "another seccomp listener is already installed on this process's filter chain (is it already "
             "running under a supervisor, e.g. another faultbox?)";
    case EPERM:
    case EACCES:
    case ENOSYS:
      return "the container's seccomp profile forbids installing seccomp filters (give it a profile that "
             "allows seccomp(2))";
    case EINVAL:
      return "the kernel refused the filter or its flags (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs "
             "Linux 5.19)";
    case ENOMEM:
      return "the filters already on this process plus faultbox's exceed the kernel's limit";
    case EFAULT:
      return "the filter program is malformed";
  }
  return "unexpected error";
}

/* Receives PROGRAM into `insns` (room for FAULTBOX_SHIM_MAX_INSNS). */
static void receive_program(int conn, struct sock_filter* insns, struct sock_fprog* prog, uint32_t* flags) {
  struct faultbox_shim_header h;
  int rc = read_full(conn, &h, sizeof h);
  /* A supervisor that refuses us may close without reading our HELLO,
   * which a unix stream socket reports as a reset rather than EOF. */
  if (rc == 0 || (rc < 0 && errno == ECONNRESET))
    fail(-1, FAULTBOX_SHIM_STEP_PROTOCOL, 0, EXIT_CANNOT_RUN,
         "the supervisor closed the connection before sending the filter: not starting the program");
  if (rc < 0)
    fail(-1, FAULTBOX_SHIM_STEP_PROTOCOL, errno, EXIT_CANNOT_RUN, "reading the filter from the supervisor: %s",
         strerror(errno));
  if (h.magic != FAULTBOX_SHIM_MAGIC)
    fail(conn, FAULTBOX_SHIM_STEP_PROTOCOL, 0, EXIT_CANNOT_RUN,
         "the supervisor's reply is not a faultbox handover message (magic %#x)", (unsigned)h.magic);
  if (h.version != FAULTBOX_SHIM_PROTOCOL_VERSION)
    fail(conn, FAULTBOX_SHIM_STEP_PROTOCOL, 0, EXIT_CANNOT_RUN,
         "this faultbox-shim speaks handover protocol version %d but the engine sent version %u (the shim "
         "binary is from another faultbox build)",
         FAULTBOX_SHIM_PROTOCOL_VERSION, (unsigned)h.version);
  struct faultbox_shim_program p;
  if (h.type != FAULTBOX_SHIM_PROGRAM || h.length < sizeof p)
    fail(conn, FAULTBOX_SHIM_STEP_PROTOCOL, 0, EXIT_CANNOT_RUN,
         "expected the filter program from the supervisor, got message type %u of %u bytes", (unsigned)h.type,
         (unsigned)h.length);
  if (read_full(conn, &p, sizeof p) != 1)
    fail(-1, FAULTBOX_SHIM_STEP_PROTOCOL, 0, EXIT_CANNOT_RUN, "the connection ended inside the filter program");
  if (p.count == 0 || p.count > FAULTBOX_SHIM_MAX_INSNS ||
      h.length != sizeof p + (uint64_t)p.count * sizeof(struct sock_filter))
    fail(conn, FAULTBOX_SHIM_STEP_PROTOCOL, EINVAL, EXIT_CANNOT_RUN,
         "the filter program has %u instructions in %u bytes (1 to %d expected)", (unsigned)p.count,
         (unsigned)h.length, FAULTBOX_SHIM_MAX_INSNS);
  if (!(p.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
    fail(conn, FAULTBOX_SHIM_STEP_PROTOCOL, EINVAL, EXIT_CANNOT_RUN,
         "the filter flags %#x lack SECCOMP_FILTER_FLAG_NEW_LISTENER: nobody could take the listener",
         (unsigned)p.flags);
  if (read_full(conn, insns, p.count * sizeof(struct sock_filter)) != 1)
    fail(-1, FAULTBOX_SHIM_STEP_PROTOCOL, 0, EXIT_CANNOT_RUN, "the connection ended inside the filter program");
  prog->len = (unsigned short)p.count;
  prog->filter = insns;
  *flags = p.flags;
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char** argv) {
  if (argc < 3 || strcmp(argv[2], "--") != 0) {
    say("usage: faultbox-shim SOCKET -- PROGRAM [ARGS...] (the entrypoint Faultbox gives its containers)");
    return EXIT_CANNOT_RUN;
  }
  int conn = connect_to(argv[1]);
  if (conn < 0)
    fail(-1, 0, errno, EXIT_CANNOT_RUN, "cannot connect to the supervisor's socket %s: %s", argv[1], strerror(errno));
  if (argc < 4)
    fail(conn, FAULTBOX_SHIM_STEP_USAGE, 0, EXIT_NOT_FOUND,
         "nothing to run: the image has no entrypoint or cmd and the service gives no args=");

  char program[PATH_MAX];
  struct stat st;
  resolve(conn, argv[3], program, sizeof program, &st);
  check_interpreter(conn, program);
  check_identity(conn, program, &st);

  struct faultbox_shim_hello hello = {(uint32_t)getuid(), (uint32_t)geteuid(), (uint32_t)getgid(),
                                      (uint32_t)getegid()};
  if (send_message(conn, FAULTBOX_SHIM_HELLO, &hello, sizeof hello, program, strlen(program)) != 0)
    send_failed(errno, "hello");

  struct sock_filter insns[FAULTBOX_SHIM_MAX_INSNS];
  struct sock_fprog prog;
  uint32_t flags = 0;
  receive_program(conn, insns, &prog, &flags);

  /* Whatever sits on the listener's number (inherited) goes now, while
   * close is still free: the engine must find only our listener there. */
  (void)close(FAULTBOX_SHIM_LISTENER_FD);
  /* Said BEFORE installing: afterwards sendmsg is filtered, and nobody
   * holds the listener yet to answer it. */
  if (send_message(conn, FAULTBOX_SHIM_INSTALLING, NULL, 0, NULL, 0) != 0) send_failed(errno, "installing");

  /* No filter yet if either fails, so fail() may still talk. */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    int e = errno;
    fail(conn, FAULTBOX_SHIM_STEP_NO_NEW_PRIVS, e, EXIT_CANNOT_RUN, "setting no_new_privs failed: %s (%s)",
         errno_name(e), strerror(e));
  }
  long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned long)flags, &prog);
  if (listener < 0) {
    int e = errno;
    fail(conn, FAULTBOX_SHIM_STEP_SECCOMP, e, EXIT_CANNOT_RUN, "installing the seccomp filter failed: %s (%s): %s",
         errno_name(e), strerror(e), seccomp_cause(e));
  }

  /* The filter is on. Until the engine holds the listener, only dup3 onto
   * this number (not notified). The kernel made the listener O_CLOEXEC; so
   * is the copy. */
  if (listener != FAULTBOX_SHIM_LISTENER_FD &&
      dup3((int)listener, FAULTBOX_SHIM_LISTENER_FD, O_CLOEXEC) != FAULTBOX_SHIM_LISTENER_FD)
    _exit(EXIT_CANNOT_RUN);  /* cannot say why: write is filtered and unanswered */

  /* The go-ahead is EOF on the connection. This ppoll is filtered: it waits
   * in its notification until the engine, holding the listener, answers. */
  for (;;) {
    struct pollfd p = {conn, POLLIN | POLLRDHUP, 0};
    int n = ppoll(&p, 1, NULL, NULL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(-1, FAULTBOX_SHIM_STEP_PROTOCOL, errno, EXIT_CANNOT_RUN, "waiting for the go-ahead: %s", strerror(errno));
    if (p.revents & POLLNVAL) fail(-1, FAULTBOX_SHIM_STEP_PROTOCOL, EBADF, EXIT_CANNOT_RUN, "waiting for the go-ahead: the connection is gone");
    if (p.revents) break;
  }
  char extra;
  ssize_t got;
  do got = recv(conn, &extra, 1, 0);
  while (got < 0 && errno == EINTR);
  if (got != 0)
    fail(-1, FAULTBOX_SHIM_STEP_PROTOCOL, got < 0 ? errno : 0, EXIT_CANNOT_RUN,
         "expected the supervisor's go-ahead (the connection closing), got %s: not starting the program",
         got < 0 ? strerror(errno) : "more data");

  /* Our copies of the listener and the connection close on exec. */
  execve(program, argv + 3, environ);
  int e = errno;
  fail(-1, FAULTBOX_SHIM_STEP_RESOLVE, e, e == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, "execve %s: %s (%s)",
       program, strerror(e), errno_name(e));
}
