#include "engine/PortProbe.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/NetworkNamespace.h"
#include "engine/UniqueFd.h"

namespace faultbox::engine {

namespace {

bool bind_in_use(const NetworkNamespace* netns, int family, uint16_t port) {
  UniqueFd s(netns ? netns->socket_in(family, SOCK_STREAM, 0) : ::socket(family, SOCK_STREAM, 0));
  if (!s) return false;
  int one = 1;
  ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc;
  if (family == AF_INET) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    rc = ::bind(s.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a);
  } else {
    // v6-only: the IPv4 probe already covers dual-stack listeners' v4 side;
    // this one finds listeners on :: or ::1 that the v4 bind cannot see.
    ::setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    a.sin6_addr = in6addr_any;
    rc = ::bind(s.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a);
  }
  return rc < 0 && errno == EADDRINUSE;
}

}  // namespace

bool tcp_port_taken(const NetworkNamespace* netns, uint16_t port) {
  return bind_in_use(netns, AF_INET, port) || bind_in_use(netns, AF_INET6, port);
}

std::vector<ino_t> listening_inodes(pid_t pid, uint16_t port) {
  std::vector<ino_t> out;
  for (const char* table : {"tcp", "tcp6"}) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/net/" + table);
    std::string line;
    std::getline(f, line);  // header
    while (std::getline(f, line)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      std::istringstream in(line);
      std::string sl, local, remote, state, txrx, trwhen, retr, uid, timeout;
      unsigned long inode = 0;
      if (!(in >> sl >> local >> remote >> state >> txrx >> trwhen >> retr >> uid >> timeout >> inode)) continue;
      if (state != "0A") continue;  // TCP_LISTEN
      size_t colon = local.rfind(':');
      if (colon == std::string::npos) continue;
      if (std::strtoul(local.c_str() + colon + 1, nullptr, 16) != port) continue;
      out.push_back(static_cast<ino_t>(inode));
    }
  }
  return out;
}

bool holds_any_socket(pid_t pid, const std::vector<ino_t>& inodes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string target = fs::read_symlink(it->path(), ec).string();
    if (ec) {
      ec.clear();
      continue;
    }
    // "socket:[12345]"
    if (target.rfind("socket:[", 0) != 0) continue;
    ino_t ino = static_cast<ino_t>(std::strtoul(target.c_str() + 8, nullptr, 10));
    if (std::find(inodes.begin(), inodes.end(), ino) != inodes.end()) return true;
  }
  return false;
}

}  // namespace faultbox::engine
