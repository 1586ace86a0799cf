// A socket endpoint as the fault rules compare it: family, address bytes and
// port (or a unix path). Built from the raw sockaddr bytes of a connect/bind
// argument or from getsockname/getpeername on a duplicated fd.
//
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, what a dual-stack socket
// reports) are stored as IPv4, so a service reached over either stack
// compares equal to itself.
#pragma once

#include <sys/socket.h>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultbox::engine {

struct SocketAddress {
  sa_family_t family = AF_UNSPEC;  // AF_INET, AF_INET6, AF_UNIX or AF_UNSPEC
  std::array<uint8_t, 16> addr{};  // AF_INET: the first 4 bytes; AF_INET6: all 16
  uint16_t port = 0;               // host byte order
  std::string unix_path;           // AF_UNIX; an abstract name starts with '@'

  // Parses `len` bytes of a struct sockaddr_*; nullopt when they are too
  // short for their family or the family is not one of the above.
  static std::optional<SocketAddress> parse(const void* data, size_t len);
  // From a numeric address ("127.0.0.1", "::1"); nullopt when unparsable.
  static std::optional<SocketAddress> from_numeric(std::string_view ip, uint16_t port);

  bool is_inet() const { return family == AF_INET || family == AF_INET6; }
  // 127.0.0.0/8 or ::1.
  bool is_loopback() const;
  // 0.0.0.0 or ::, which a connect() reaches as the local host.
  bool is_unspecified() const;
  // Same family and address bytes (ports not compared).
  bool same_host(const SocketAddress& o) const { return family == o.family && addr == o.addr; }

  std::string ip() const;   // numeric; "" for non-inet
  std::string str() const;  // "127.0.0.1:6379", "[::1]:80", "unix:/run/x.sock", "unspec"

  auto operator<=>(const SocketAddress&) const = default;
};

}  // namespace faultbox::engine
