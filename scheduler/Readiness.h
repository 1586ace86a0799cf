// Whether releasing a parked read/recv/accept/write would block
// (DESIGN.md §4, "the enabled set"). A blocking call is enabled only when it
// can complete now; a non-blocking one always is — event loops drain until
// EAGAIN, and EAGAIN is an outcome like any other.
//
// Everything here works on a pidfd_getfd duplicate of the target's fd, which
// the caller takes and owns. A duplicate names the same open file
// description, so it shares the file status flags (O_NONBLOCK) and the
// socket's queues: what poll() says about it is what the target would find.
//
// Besides O_NONBLOCK, a call is non-blocking when its own flags say so:
// MSG_DONTWAIT in the flags argument of recv, recvfrom, recvmsg, recvmmsg,
// send, sendto, sendmsg and sendmmsg. Those are syscall arguments, so the
// caller checks them; nonblocking() only sees the open file. (accept4's
// SOCK_NONBLOCK does not count: it is for the new fd, not the listener.)
//
// Also the caller's: a blocking socket call with SO_RCVTIMEO/SO_SNDTIMEO
// returns EAGAIN after its timeout; socket_timeout() reports one so the
// coordinator can let a timer event stand for it.
#pragma once

#include <chrono>
#include <optional>

namespace faultbox::scheduler {

enum class Direction {
  Read,    // read, readv, recv*, and a pipe or socket's read side
  Write,   // write, writev, send*
  Accept,  // accept, accept4 on a listening socket
};

// O_NONBLOCK in the open file's status flags. Throws std::system_error when
// `dup` is not an open fd.
bool nonblocking(int dup);

// Whether a call in `direction` would complete without blocking now,
// by poll(…, 0): Read and Accept are ready on POLLIN, POLLHUP, POLLERR or
// POLLRDHUP (data, a pending connection, EOF or an error all return at
// once); Write on POLLOUT, POLLHUP or POLLERR (an error or EPIPE returns at
// once). Regular files and directories are always ready (the page cache may
// make a read sleep in D, but never wait for another party).
//
// For TCP, POLLOUT means a third of the send buffer is free: a blocking
// write larger than that may still copy part and wait for the peer to read.
// That is a partial completion under the peer's control, which the peer's
// events release — not a reason to keep the write out of the enabled set.
// Throws std::system_error when `dup` is not an open fd.
bool ready(int dup, Direction direction);

// SO_RCVTIMEO (Read/Accept) or SO_SNDTIMEO (Write) of a socket, if set;
// nullopt when none is set or `dup` is not a socket.
std::optional<std::chrono::microseconds> socket_timeout(int dup, Direction direction);

}  // namespace faultbox::scheduler
