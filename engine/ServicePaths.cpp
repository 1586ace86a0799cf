#include "engine/ServicePaths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

namespace faultbox::engine {

namespace fs = std::filesystem;

std::string resolve_binary(const std::string& spec_dir, const std::string& binary) {
  fs::path p(binary);
  if (p.is_absolute()) return p.lexically_normal().string();
  fs::path local = (fs::path(spec_dir) / p).lexically_normal();
  if (binary.find('/') != std::string::npos || fs::exists(local)) return local.string();
  const char* path_env = std::getenv("PATH");
  std::stringstream dirs(path_env ? path_env : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / p;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return local.string();
}

std::string resolve_cwd(const std::string& spec_dir, const std::string& cwd) {
  fs::path p(cwd);
  return (p.is_absolute() ? p : fs::path(spec_dir) / p).lexically_normal().string();
}

std::string unusable_binary(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) return std::strerror(errno);
  if (!S_ISREG(st.st_mode) || ::access(path.c_str(), X_OK) < 0) return "not an executable file";
  return "";
}

}  // namespace faultbox::engine
