/* The program of bench_containers.sh's per-syscall cost measurement: the
 * same static binary runs as a local binary service, as the only program of
 * a FROM scratch image, and bare (no faultbox), so the three differ only in
 * how they are run.
 *
 *   loop_server PORT        listens on 0.0.0.0:PORT; per connection reads one
 *                           line "MODE N", makes N calls of MODE, answers the
 *                           mean cost in ns ("123.4\n") and closes (so the
 *                           step's reply ends at once, not after an idle gap)
 *   loop_server MODE N      the same loop once, printed on stdout: bare runs
 *
 * MODE write: one byte to /dev/null (in the faultable vocabulary: every call
 * is a seccomp notification the supervisor answers; a disk-full rule
 * inspects the fd and lets a character device through). MODE getppid:
 * outside the vocabulary (the filter runs, nobody is notified). Timed with
 * clock_gettime, a vDSO call that never enters the kernel, so never
 * intercepted. Same loop as tests/fixtures/syscall_loop.c. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Mean ns per call, or -1 for an unknown mode or a failed call. */
static double loop(const char* mode, long n) {
  int is_write = strcmp(mode, "write") == 0;
  if (!is_write && strcmp(mode, "getppid") != 0) return -1;
  int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long sink = 0;
  double start = now_ns();
  for (long i = 0; i < n; ++i) sink += is_write ? write(fd, "x", 1) : getppid();
  double elapsed = now_ns() - start;
  close(fd);
  if (is_write && sink != n) return -1;
  return elapsed / (double)n;
}

static void stop(int sig) {
  (void)sig;
  _exit(0);
}

static int serve(int port) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = stop;
  sigaction(SIGTERM, &sa, NULL); /* PID 1 of a container ignores default actions */
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  if (bind(ls, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(ls, 16) != 0) {
    fprintf(stderr, "loop_server: listen on port %d: %s\n", port, strerror(errno));
    return 1;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("listening on 0.0.0.0:%d\n", port);
  for (;;) {
    int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) continue;
    char line[128];
    size_t used = 0;
    while (used < sizeof line - 1) {
      ssize_t got = read(c, line + used, sizeof line - 1 - used);
      if (got <= 0) break;
      used += (size_t)got;
      if (memchr(line, '\n', used)) break;
    }
    line[used] = '\0';
    char mode[32];
    long n = 0;
    char answer[64];
    if (sscanf(line, "%31s %ld", mode, &n) == 2 && n > 0)
      snprintf(answer, sizeof answer, "%.1f\n", loop(mode, n));
    else
      snprintf(answer, sizeof answer, "usage: MODE N\n");
    if (write(c, answer, strlen(answer)) < 0) { /* the client left */ }
    close(c);
  }
}

int main(int argc, char** argv) {
  if (argc == 2) return serve(atoi(argv[1]));
  if (argc == 3) {
    double ns = loop(argv[1], atol(argv[2]));
    printf("%.1f\n", ns);
    return ns < 0;
  }
  fprintf(stderr, "usage: loop_server PORT | loop_server write|getppid N\n");
  return 2;
}
