// Is a TCP port already taken inside a run's network namespace, and by whom?
// (issue 3: "a port already taken → exit 3 with one line of cause").
//
// In a run's own namespace only another service of the same spec can hold a
// port (with --network host, any process of the host can), so Run probes each service's declared ports before starting it: a
// clear "port 8080 is already taken (by service search)" instead of the
// service's own bind error, a crash and a healthcheck timeout.
//
// The probe is a bind, not a connect: a bind sees a listener on any address
// (0.0.0.0, 127.0.0.1, ::), while a connect to 127.0.0.1 misses one bound to
// another address and would also count as a connection to the holder.
// SO_REUSEADDR keeps TIME_WAIT leftovers from looking like a holder.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace faultbox::engine {

class NetworkNamespace;

// True when a TCP bind to `port` fails with EADDRINUSE inside `netns` (IPv4
// any-address, and IPv6 any-address v6-only); null `netns` = faultbox's own
// namespace (--network host). Other failures (no socket) are not "taken":
// the service's own start then says what is wrong.
bool tcp_port_taken(const NetworkNamespace* netns, uint16_t port);

// The socket inodes listening on TCP `port` in the namespace `pid` lives in
// (/proc/PID/net/tcp and tcp6 show that namespace's table).
std::vector<ino_t> listening_inodes(pid_t pid, uint16_t port);

// Whether process `pid` has one of `inodes` open.
bool holds_any_socket(pid_t pid, const std::vector<ino_t>& inodes);

}  // namespace faultbox::engine
