#include "engine/OwnerTag.h"

#include <signal.h>
#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include "engine/EngineError.h"

namespace faultbox::engine {

namespace fs = std::filesystem;

std::string start_time_of(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');  // comm may hold spaces and parentheses
  if (close == std::string::npos) return "";
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  // After the comm, fields 3..22: the 20th of them is the start time.
  for (int i = 3; i <= 22 && rest >> field; ++i)
    if (i == 22) return field;
  return "";
}

std::string owner_of_self() { return std::to_string(::getpid()) + ":" + start_time_of(::getpid()); }

bool owner_alive(const std::string& owner) {
  size_t colon = owner.find(':');
  if (colon == std::string::npos) return true;
  char* end = nullptr;
  long pid = std::strtol(owner.c_str(), &end, 10);
  if (end != owner.c_str() + colon || pid <= 0) return true;
  std::string start = start_time_of(static_cast<pid_t>(pid));
  return !start.empty() && start == owner.substr(colon + 1);
}

std::string temp_root() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

std::string make_owned_temp_dir(const std::string& prefix) {
  std::string tmpl = temp_root() + "/" + prefix + std::to_string(::getpid()) + "-" + start_time_of(::getpid()) + "-XXXXXX";
  if (!::mkdtemp(tmpl.data()))
    throw EnvironmentError(errno_message("cannot make a folder in " + temp_root() + " (" + prefix + "…)", errno));
  return tmpl;
}

int sweep_owned_temp_dirs(const std::string& prefix) {
  int swept = 0;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(temp_root(), ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    // <prefix><pid>-<start time>-XXXXXX, or <prefix><pid>-XXXXXX (older).
    std::vector<std::string> parts;
    std::istringstream fields(name.substr(prefix.size()));
    for (std::string f; std::getline(fields, f, '-');) parts.push_back(f);
    auto numeric = [](const std::string& t) {
      return !t.empty() && t.find_first_not_of("0123456789") == std::string::npos;
    };
    if (parts.empty() || !numeric(parts[0])) continue;
    if (parts.size() >= 3 && numeric(parts[1])) {
      if (owner_alive(parts[0] + ":" + parts[1])) continue;
    } else {
      long pid = std::strtol(parts[0].c_str(), nullptr, 10);
      if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    }
    std::error_code rm;
    fs::remove_all(e.path(), rm);
    if (!rm) ++swept;
  }
  return swept;
}

}  // namespace faultbox::engine
