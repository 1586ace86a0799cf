/* The entrypoint of faultbox-test/echo (see README.md): a TCP line echo
 * server for file-write and connect faults on a container. Static (gcc
 * -static) and single-threaded: one poll loop over the listener and up to
 * kMaxClients connections.
 *
 *   /echo [PORT]   listens on 0.0.0.0:PORT (7000), prints "listening on
 *                  0.0.0.0:PORT" on stdout once bound.
 *
 * Every complete line a client sends is appended to the log file (ECHO_LOG,
 * default /data/echo.log: open O_APPEND, write, close) and then answered:
 *   - logged:          the line itself, unchanged;
 *   - append failed:   "error ERRNO_NAME: strerror" (e.g. "error ENOSPC: No
 *                      space left on device"), and the same on stderr.
 * So one round trip shows both halves of a disk-full fault: the file write
 * failed, the socket write did not. Socket I/O deliberately uses read/write,
 * the same calls as the file, so only the kind of fd tells them apart.
 *
 * One command, for a container's own outbound connects:
 *   "dial HOST:PORT"  connects to HOST:PORT (a name is resolved through
 *                     /etc/hosts and DNS; 3 s timeout) and answers "dial ok"
 *                     or "dial error ERRNO_NAME: strerror". It is not logged.
 *                     The loop waits for the dial, so keep to one client
 *                     while dialling.
 *
 * A line longer than the buffer is handled in buffer-sized pieces. Bytes left
 * without a newline when a client closes count as a last line. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { kMaxClients = 64, kLineMax = 4096, kDialTimeoutMs = 3000 };

struct client {
  int fd; /* -1: slot free */
  size_t used;
  char line[kLineMax];
};

static const char* log_path(void) {
  const char* path = getenv("ECHO_LOG");
  return path != NULL && *path != '\0' ? path : "/data/echo.log";
}

static void stop(int sig) {
  (void)sig;
  _exit(0);
}

static int write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;
    if (n <= 0) return -1;
    data += n;
    size -= (size_t)n;
  }
  return 0;
}

static int reply_errno(int fd, const char* prefix, int err) {
  char text[256];
  const char* name = strerrorname_np(err);
  snprintf(text, sizeof text, "%s%s: %s\n", prefix, name != NULL ? name : "E?", strerror(err));
  return write_all(fd, text, strlen(text));
}

/* 0 on success, else the errno of the step that failed. */
static int append_line(const char* line, size_t size) {
  int fd = open(log_path(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  int err = write_all(fd, line, size) == 0 ? 0 : errno;
  if (close(fd) != 0 && err == 0) err = errno;
  return err;
}

/* 0 when HOST:PORT accepted a connection within the timeout, else an errno. */
static int dial(const char* target) {
  char host[256];
  const char* colon = strrchr(target, ':');
  if (colon == NULL || colon == target || (size_t)(colon - target) >= sizeof host) return EINVAL;
  memcpy(host, target, (size_t)(colon - target));
  host[colon - target] = '\0';

  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  struct addrinfo* found = NULL;
  if (getaddrinfo(host, colon + 1, &hints, &found) != 0 || found == NULL) return EHOSTUNREACH;

  int err = 0;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    err = errno;
  } else if (connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    err = errno;
    if (err == EINPROGRESS) {
      struct pollfd p = {.fd = fd, .events = POLLOUT};
      int ready = poll(&p, 1, kDialTimeoutMs);
      socklen_t len = sizeof err;
      if (ready == 0)
        err = ETIMEDOUT;
      else if (ready < 0)
        err = errno;
      else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    }
  }
  if (fd >= 0) close(fd);
  freeaddrinfo(found);
  return err;
}

/* Answers one line (with its newline, if it had one). -1: drop the client. */
static int handle_line(int fd, const char* line, size_t size) {
  size_t text = size > 0 && line[size - 1] == '\n' ? size - 1 : size;
  if (text > 5 && strncmp(line, "dial ", 5) == 0) {
    char target[300];
    size_t n = text - 5 < sizeof target - 1 ? text - 5 : sizeof target - 1;
    memcpy(target, line + 5, n);
    target[n] = '\0';
    int err = dial(target);
    if (err == 0) return write_all(fd, "dial ok\n", 8);
    return reply_errno(fd, "dial error ", err);
  }
  int err = append_line(line, size);
  if (err == 0) return write_all(fd, line, size);
  fprintf(stderr, "echo: append to %s: %s\n", log_path(), strerror(err));
  return reply_errno(fd, "error ", err);
}

/* Reads what the client sent and answers each complete line. -1: done. */
static int serve(struct client* c) {
  ssize_t n = read(c->fd, c->line + c->used, sizeof c->line - c->used);
  if (n < 0 && errno == EINTR) return 0;
  if (n <= 0) {
    if (c->used > 0) handle_line(c->fd, c->line, c->used);
    return -1;
  }
  c->used += (size_t)n;
  size_t start = 0;
  for (size_t i = 0; i < c->used; ++i) {
    if (c->line[i] != '\n') continue;
    if (handle_line(c->fd, c->line + start, i + 1 - start) != 0) return -1;
    start = i + 1;
  }
  if (start == 0 && c->used == sizeof c->line) {
    if (handle_line(c->fd, c->line, c->used) != 0) return -1;
    start = c->used;
  }
  memmove(c->line, c->line + start, c->used - start);
  c->used -= start;
  return 0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  int port = argc > 1 ? atoi(argv[1]) : 7000;
  if (argc > 2 || port <= 0 || port > 65535) {
    fprintf(stderr, "usage: %s [PORT]\n", argv[0]);
    return 2;
  }
  /* PID 1 of a container: default-action signals are dropped (see hello.c). */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (listener < 0 || bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0 ||
      listen(listener, 64) != 0) {
    fprintf(stderr, "echo: cannot listen on 0.0.0.0:%d: %s\n", port, strerror(errno));
    return 1;
  }
  printf("listening on 0.0.0.0:%d\n", port);

  static struct client clients[kMaxClients];
  for (int i = 0; i < kMaxClients; ++i) clients[i].fd = -1;
  for (;;) {
    struct pollfd fds[kMaxClients + 1];
    int slot_of[kMaxClients + 1];
    nfds_t count = 0;
    fds[count].fd = listener;
    fds[count].events = POLLIN;
    slot_of[count++] = -1;
    for (int i = 0; i < kMaxClients; ++i) {
      if (clients[i].fd < 0) continue;
      fds[count].fd = clients[i].fd;
      fds[count].events = POLLIN;
      slot_of[count++] = i;
    }
    if (poll(fds, count, -1) < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "echo: poll: %s\n", strerror(errno));
      return 1;
    }
    for (nfds_t k = 1; k < count; ++k) {
      if (fds[k].revents == 0) continue;
      struct client* c = &clients[slot_of[k]];
      if (serve(c) != 0) {
        close(c->fd);
        c->fd = -1;
      }
    }
    if (fds[0].revents & POLLIN) {
      int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
      if (fd < 0) continue; /* a refused or reset handshake is the client's problem */
      int i = 0;
      while (i < kMaxClients && clients[i].fd >= 0) ++i;
      if (i == kMaxClients) {
        close(fd);
        continue;
      }
      clients[i].fd = fd;
      clients[i].used = 0;
    }
  }
}
