#include "engine/SocketAddress.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace faultbox::engine {

namespace {

constexpr uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::optional<SocketAddress> SocketAddress::parse(const void* data, size_t len) {
  if (len < sizeof(sa_family_t)) return std::nullopt;
  sa_family_t family;
  std::memcpy(&family, data, sizeof family);
  SocketAddress a;
  a.family = family;
  switch (family) {
    case AF_UNSPEC:
      return a;  // connect(AF_UNSPEC) dissolves an association
    case AF_INET: {
      if (len < sizeof(sockaddr_in)) return std::nullopt;
      sockaddr_in in;
      std::memcpy(&in, data, sizeof in);
      std::memcpy(a.addr.data(), &in.sin_addr, 4);
      a.port = ntohs(in.sin_port);
      return a;
    }
    case AF_INET6: {
      if (len < sizeof(sockaddr_in6)) return std::nullopt;
      sockaddr_in6 in6;
      std::memcpy(&in6, data, sizeof in6);
      a.port = ntohs(in6.sin6_port);
      if (std::memcmp(&in6.sin6_addr, kV4MappedPrefix, sizeof kV4MappedPrefix) == 0) {
        a.family = AF_INET;
        std::memcpy(a.addr.data(), reinterpret_cast<const uint8_t*>(&in6.sin6_addr) + 12, 4);
      } else {
        std::memcpy(a.addr.data(), &in6.sin6_addr, 16);
      }
      return a;
    }
    case AF_UNIX: {
      // sun_path is not necessarily NUL-terminated; the length bounds it.
      size_t off = offsetof(sockaddr_un, sun_path);
      if (len <= off) return a;  // unnamed
      const char* p = static_cast<const char*>(data) + off;
      size_t n = std::min(len - off, sizeof(sockaddr_un::sun_path));
      if (p[0] == '\0') {
        a.unix_path = "@" + std::string(p + 1, n - 1);
      } else {
        a.unix_path.assign(p, strnlen(p, n));
      }
      return a;
    }
    default:
      return std::nullopt;
  }
}

std::optional<SocketAddress> SocketAddress::from_numeric(std::string_view ip, uint16_t port) {
  std::string s(ip);
  sockaddr_in in{};
  if (::inet_pton(AF_INET, s.c_str(), &in.sin_addr) == 1) {
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    return parse(&in, sizeof in);
  }
  sockaddr_in6 in6{};
  if (::inet_pton(AF_INET6, s.c_str(), &in6.sin6_addr) == 1) {
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    return parse(&in6, sizeof in6);
  }
  return std::nullopt;
}

bool SocketAddress::is_loopback() const {
  if (family == AF_INET) return addr[0] == 127;
  if (family == AF_INET6) {
    for (int i = 0; i < 15; ++i)
      if (addr[i] != 0) return false;
    return addr[15] == 1;
  }
  return false;
}

bool SocketAddress::is_unspecified() const {
  if (family == AF_INET) return addr[0] == 0 && addr[1] == 0 && addr[2] == 0 && addr[3] == 0;
  if (family == AF_INET6) {
    for (uint8_t b : addr)
      if (b != 0) return false;
    return true;
  }
  return false;
}

std::string SocketAddress::ip() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == AF_INET) ::inet_ntop(AF_INET, addr.data(), buf, sizeof buf);
  else if (family == AF_INET6) ::inet_ntop(AF_INET6, addr.data(), buf, sizeof buf);
  return buf;
}

std::string SocketAddress::str() const {
  switch (family) {
    case AF_INET: return ip() + ":" + std::to_string(port);
    case AF_INET6: return "[" + ip() + "]:" + std::to_string(port);
    case AF_UNIX: return "unix:" + unix_path;
    default: return "unspec";
  }
}

}  // namespace faultbox::engine
