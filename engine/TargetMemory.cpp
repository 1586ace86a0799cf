#include "engine/TargetMemory.h"

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace faultbox::engine {

namespace {

uint64_t page_size() {
  static const uint64_t kPage = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  return kPage;
}

}  // namespace

size_t read_target_bytes(pid_t pid, uint64_t addr, void* buf, size_t len) {
  if (len == 0 || addr == 0) return 0;
  const uint64_t page = page_size();
  // One remote element per page touched (see the header: an element that
  // crosses into an unmapped page would fail whole).
  std::vector<iovec> remote;
  uint64_t at = addr;
  size_t left = len;
  while (left > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(left, page - (at % page)));
    remote.push_back({reinterpret_cast<void*>(at), chunk});
    at += chunk;
    left -= chunk;
  }
  iovec local{buf, len};
  ssize_t n = ::process_vm_readv(pid, &local, 1, remote.data(), remote.size(), 0);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

std::optional<std::string> read_target_string(pid_t pid, uint64_t addr, size_t max_len) {
  if (addr == 0) return std::nullopt;
  const uint64_t page = page_size();
  std::string out;
  char buf[8192];
  uint64_t at = addr;
  // Up to the end of the current page first: most paths are short and sit
  // well inside one page, so this is usually the only read.
  while (out.size() <= max_len) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(page - (at % page), sizeof buf));
    want = std::min(want, max_len + 1 - out.size());
    size_t got = read_target_bytes(pid, at, buf, want);
    if (const void* nul = std::memchr(buf, '\0', got)) {
      out.append(buf, static_cast<size_t>(static_cast<const char*>(nul) - buf));
      return out;
    }
    if (got < want) return std::nullopt;  // unreadable before the NUL
    out.append(buf, got);
    at += got;
  }
  return std::nullopt;  // longer than max_len
}

}  // namespace faultbox::engine
