/* The entrypoint of faultbox-test/hello, /nonroot and /setuid (see README.md).
 * Built with gcc -static by build_test_images.sh: the images are FROM scratch
 * and hold nothing else, so this is also the "no shell, no libc" case.
 *
 *   /hello               prints "hello-stdout" on stdout and "hello-stderr" on
 *                        stderr, then sleeps until SIGTERM/SIGINT (exit 0) or
 *                        SIGKILL
 *   /hello exit N        prints the same two lines, then exits with status N
 *   /hello id            prints the same two lines, then "uid=U euid=E gid=G
 *                        egid=H cwd=PATH" on stdout, then sleeps
 *   /hello env NAME...   prints the same two lines, then "NAME=VALUE" (or
 *                        "NAME unset") per name on stdout, then sleeps
 *
 * `id` and `env` let a test see that the image's user, working directory and
 * environment reached the program through faultbox's shim unchanged.
 *
 * A container's main process is PID 1 of its namespace, and the kernel drops
 * signals whose action is the default for PID 1: without handlers, `docker
 * stop` would wait out its grace period before SIGKILL. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void stop(int sig) {
  (void)sig;
  _exit(0);
}

static void sleep_until_killed(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  for (;;) pause();
}

static int parse_status(const char* text) {
  char* end = NULL;
  long value = strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || value < 0 || value > 255) {
    fprintf(stderr, "hello: exit status must be 0..255, got \"%s\"\n", text);
    return 2;
  }
  return (int)value;
}

int main(int argc, char** argv) {
  /* Unbuffered lines, so a test reading the logs sees each one as soon as it
   * is written even when stdout is a pipe. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("hello-stdout\n");
  fprintf(stderr, "hello-stderr\n");

  if (argc == 1) sleep_until_killed();
  if (strcmp(argv[1], "exit") == 0 && argc == 3) {
    fflush(NULL);
    return parse_status(argv[2]);
  }
  if (strcmp(argv[1], "id") == 0 && argc == 2) {
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) == NULL) strcpy(cwd, "?");
    printf("uid=%u euid=%u gid=%u egid=%u cwd=%s\n", (unsigned)getuid(), (unsigned)geteuid(),
           (unsigned)getgid(), (unsigned)getegid(), cwd);
    sleep_until_killed();
  }
  if (strcmp(argv[1], "env") == 0 && argc >= 3) {
    for (int i = 2; i < argc; ++i) {
      const char* value = getenv(argv[i]);
      if (value != NULL)
        printf("%s=%s\n", argv[i], value);
      else
        printf("%s unset\n", argv[i]);
    }
    sleep_until_killed();
  }
  fprintf(stderr, "usage: %s [exit N | id | env NAME...]\n", argv[0]);
  return 2;
}
