/* The handover between faultbox-shim (inside a container) and the engine
 * (engine/ShimHandover), over the unix socket the engine listens on and
 * bind-mounts into the container (DESIGN.md §3, "Container mode"; the full
 * story is in shim/README.md).
 *
 * Both ends run on the same machine, so numbers travel in host byte order.
 * Every message is a faultbox_shim_header followed by `length` payload bytes.
 * Every header carries the protocol version: a shim from another build is
 * refused with both versions named instead of misreading a payload.
 *
 *   shim   → engine  HELLO       (the program resolved and checked)
 *                    or FAILURE  (and the shim exits 127/126)
 *   engine → shim    PROGRAM     (the BPF program and the seccomp flags)
 *                    or EOF      (refused: the shim exits 126, no exec)
 *   shim   → engine  INSTALLING  (sent BEFORE the filter: after it, every
 *                                 filtered syscall blocks until the engine
 *                                 holds the listener)
 *                    or FAILURE  (a bad PROGRAM; exit 126)
 *   shim:            NO_NEW_PRIVS, seccomp(), dup3(listener, 1000)
 *                    or FAILURE  (the install failed: no filter, so the shim
 *                                 can still talk; exit 126)
 *   engine:          pidfd_getfd(shim, FAULTBOX_SHIM_LISTENER_FD)
 *   engine → shim    EOF         (the go-ahead; the shim execs)
 *
 * C, not C++: the shim is a small static C program; the engine includes this
 * header too. */
#ifndef FAULTBOX_SHIM_SHIMPROTOCOL_H
#define FAULTBOX_SHIM_SHIMPROTOCOL_H

#include <stdint.h>

#define FAULTBOX_SHIM_PROTOCOL_VERSION 1
/* "FBSH" read as a little-endian word: a stray client that writes to the
 * socket is told apart from a shim. */
#define FAULTBOX_SHIM_MAGIC 0x48534246u

/* Where the shim parks its listener for pidfd_getfd, O_CLOEXEC so the
 * program never inherits it (the same number binary mode uses). */
#define FAULTBOX_SHIM_LISTENER_FD 1000

/* BPF_MAXINSNS: the kernel refuses longer programs anyway. */
#define FAULTBOX_SHIM_MAX_INSNS 4096
/* Longest FAILURE text and HELLO program path. */
#define FAULTBOX_SHIM_MAX_TEXT 1024

enum faultbox_shim_message {
  FAULTBOX_SHIM_HELLO = 1,
  FAULTBOX_SHIM_PROGRAM = 2,
  FAULTBOX_SHIM_INSTALLING = 3,
  FAULTBOX_SHIM_FAILURE = 4,
};

struct faultbox_shim_header {
  uint32_t magic;    /* FAULTBOX_SHIM_MAGIC */
  uint16_t version;  /* FAULTBOX_SHIM_PROTOCOL_VERSION of the sender */
  uint16_t type;     /* enum faultbox_shim_message */
  uint32_t length;   /* payload bytes after the header */
};

/* HELLO payload: who the program will run as, then the resolved path of
 * the program (no NUL; length - sizeof(struct faultbox_shim_hello) bytes). */
struct faultbox_shim_hello {
  uint32_t uid, euid, gid, egid;
};

/* PROGRAM payload: this, then `count` struct sock_filter (8 bytes each:
 * u16 code, u8 jt, u8 jf, u32 k). `flags` are passed to
 * seccomp(SECCOMP_SET_MODE_FILTER) as they are and must include
 * SECCOMP_FILTER_FLAG_NEW_LISTENER. */
struct faultbox_shim_program {
  uint32_t flags;
  uint32_t count;
};

/* Where the shim was when it gave up. */
enum faultbox_shim_step {
  FAULTBOX_SHIM_STEP_USAGE = 1,      /* no program after "--" */
  FAULTBOX_SHIM_STEP_RESOLVE = 2,    /* the program is missing or not executable */
  FAULTBOX_SHIM_STEP_IDENTITY = 3,   /* setuid/setgid/file capabilities lost under NO_NEW_PRIVS */
  FAULTBOX_SHIM_STEP_PROTOCOL = 4,   /* a message the shim could not accept */
  FAULTBOX_SHIM_STEP_NO_NEW_PRIVS = 5,
  FAULTBOX_SHIM_STEP_SECCOMP = 6,    /* installing the filter */
};

/* FAILURE payload: this, then a one-line text for a human (no NUL). The
 * shim writes the same text on its stderr (the container's log). */
struct faultbox_shim_failure {
  int32_t step;       /* enum faultbox_shim_step */
  int32_t err;        /* errno, 0 when none applies */
  int32_t exit_code;  /* what the shim exits with: 127 missing program, 126 otherwise */
  int32_t reserved;
};

#endif
