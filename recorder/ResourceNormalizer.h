// The resource part of an event identity (DESIGN.md §4): a file path or a
// socket peer written so that the same resource gets the same text in every
// run — never a pid, an fd number, a temporary name or an ephemeral port.
//
// A fold (two texts becoming one) merges two resources into one identity:
// safe for replay and exploration (identities only get coarser; the
// occurrence index still tells events apart), while a missed fold makes a
// resource look different in the next run and replay diverge. So the rules
// below fold what is certainly run-specific and little else.
//
// Paths (path()):
//   1. The run's temporary directory (given; absolute) → "$RUN", when the
//      path is that directory or lies under it. Its name is random per run.
//   2. In every component after that, a run of digits that is exactly the
//      decimal text of a pid of this run's processes (given through
//      add_pid: threads' ids too if the caller wants them) → "$PID" — when
//      it is a whole component ("/proc/4711/status") or delimited by '.',
//      '-', '_' or the component's ends ("temp-4711.rdb", redis's own
//      naming; "app.4711"). Digits glued to letters ("v4711") or with
//      leading zeros are never folded. Known limit: a container's pid 1
//      would fold "app.log.1" to "app.log.$PID" — coarser, not wrong.
//   3. In every component, a trailing run of exactly 6 ASCII letters and
//      digits right after '.', '-' or '_' ("sess-a8Zk3q", "dump.Q1w2E3") →
//      "XXXXXX", when it mixes at least two of {digit, lower, upper} and is
//      not a capitalised word ("Backup"). mkstemp/mkdtemp draw those 6 from
//      [A-Za-z0-9]: requiring a digit AND a letter would miss about a third
//      of real names (all six letters happens with p ≈ 0.35), requiring two
//      classes misses about 1%; one-class words ("backup", "BACKUP",
//      "123456") never fold. Directories are checked too (mkdtemp).
//      glibc tmpfile()'s fallback name "tmpf" + 6 is folded the same way.
//      Not folded: other random-name schemes (Python's 8 lowercase chars,
//      SQLite's 16): too close to real names to recognise safely.
//   4. Whitespace → '_' (an identity field is one token on the trace line).
//
// Peers (peer()), from an endpoint as "127.0.0.1:6379", "[::1]:80" or
// "unix:/path":
//   - a client end registered with add_client for this connection: a
//     service's outbound socket → its service name;
//   - a declared interface → "service.interface": an exact address+port
//     registration first (container mode: services share port numbers),
//     then a port-only one (binary mode: everything on loopback);
//   - anything else → "ext:IP:PORT", or "ext:IP" when the port is
//     ephemeral (>= first_ephemeral_port, the low end of
//     /proc/sys/net/ipv4/ip_local_port_range, read by the caller: this
//     class reads no files). IPv6 addresses keep their brackets:
//     "ext:[::1]:6379", "ext:[::1]".
//   - "unix:" + the path normalized as above.
//
// Plain data, no I/O; the caller keeps pids, interfaces and clients
// current as processes start and connections open.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <optional>
#include <utility>

namespace faultbox::recorder {

class ResourceNormalizer {
 public:
  static constexpr uint16_t kDefaultFirstEphemeralPort = 32768;  // Linux's default range starts here

  ResourceNormalizer() = default;
  // `run_dir`: the run's temporary directory, absolute, or "" for none.
  // Throws std::invalid_argument for a relative run_dir or "/".
  explicit ResourceNormalizer(std::string run_dir, uint16_t first_ephemeral_port = kDefaultFirstEphemeralPort);

  void add_pid(pid_t pid);
  // A declared interface on `port` at any address / at this address only.
  void add_interface(uint16_t port, std::string name);
  void add_interface(const std::string& ip, uint16_t port, std::string name);
  // A connecting socket's local endpoint ("127.0.0.1:41234") and its host,
  // for its one connection to `remote`. Linux gives one local port to
  // several connections when their remote ends differ (shop→stock and the
  // driver→shop may both leave from 127.0.0.1:41234), so an endpoint alone
  // names no one.
  void add_client(const std::string& endpoint, const std::string& remote, std::string host);

  const std::string& run_dir() const { return run_dir_; }

  std::string path(std::string_view path) const;
  // Throws std::invalid_argument for an endpoint that is not one of the
  // three forms above.
  // `seen_from`: the other end of the connection ("" when `endpoint` is
  // the destination of a connect, not a connection's peer): a client
  // registered for that very connection is named by its host.
  std::string peer(std::string_view endpoint, std::string_view seen_from = {}) const;
  // The declared interface listening at `endpoint` ("stock.main"), ignoring
  // clients; nullopt when none or the endpoint is malformed.
  std::optional<std::string> interface_at(std::string_view endpoint) const;

 private:
  std::string component(std::string_view c) const;
  std::string fold_pids(std::string_view c) const;

  std::string run_dir_;
  uint16_t first_ephemeral_port_ = kDefaultFirstEphemeralPort;
  std::set<std::string, std::less<>> pids_;  // decimal text
  std::map<uint16_t, std::string> interfaces_by_port_;
  std::map<std::pair<std::string, uint16_t>, std::string> interfaces_by_address_;
  std::map<std::pair<std::string, std::string>, std::string> clients_;  // (endpoint, remote) → host
};

}  // namespace faultbox::recorder
