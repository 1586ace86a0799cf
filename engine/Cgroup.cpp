#include "engine/Cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/EngineError.h"

namespace faultbox::engine {

namespace {

constexpr const char* kRunPrefix = "faultbox-run-";

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool write_file(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return false;
  return ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

std::vector<std::string> child_dirs(const std::string& path) {
  std::vector<std::string> out;
  DIR* d = ::opendir(path.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    if (e->d_type == DT_DIR) out.push_back(n);
  }
  ::closedir(d);
  return out;
}

bool populated(const std::string& path) {
  std::string events = read_file(path + "/cgroup.events");
  return events.find("populated 1") != std::string::npos;
}

// Depth-first rmdir of a group tree (only empty groups can be removed).
void remove_tree(const std::string& path) {
  for (const auto& c : child_dirs(path)) remove_tree(path + "/" + c);
  ::rmdir(path.c_str());
}

}  // namespace

std::optional<std::string> cgroup2_mount_from_mountinfo(const std::string& mountinfo) {
  std::istringstream in(mountinfo);
  std::string line;
  while (std::getline(in, line)) {
    // id parent major:minor root mountpoint options [optional...] - fstype source superopts
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string fstype;
    tail >> fstype;
    if (fstype != "cgroup2") continue;
    std::istringstream head(line.substr(0, dash));
    std::string id, parent, devno, root, mountpoint;
    head >> id >> parent >> devno >> root >> mountpoint;
    if (!mountpoint.empty()) return mountpoint;
  }
  return std::nullopt;
}

CgroupLocation locate_cgroup2() {
  auto mount = cgroup2_mount_from_mountinfo(read_file("/proc/self/mountinfo"));
  if (!mount)
    throw EnvironmentError("no cgroup v2 hierarchy is mounted (needed to kill services whole); mount cgroup2");
  std::string self_rel;
  std::istringstream in(read_file("/proc/self/cgroup"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) self_rel = line.substr(3);
  }
  if (self_rel.empty()) throw EnvironmentError("cannot find faultbox's own cgroup v2 group in /proc/self/cgroup");
  CgroupLocation loc;
  loc.mount = *mount;
  loc.self = *mount + (self_rel == "/" ? "" : self_rel);
  if (::access((loc.self + "/cgroup.procs").c_str(), F_OK) != 0)
    throw EnvironmentError("faultbox's cgroup " + loc.self + " is not visible (is cgroup2 mounted from another namespace?)");
  return loc;
}

Cgroup Cgroup::create(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) < 0 && errno != EEXIST)
    throw EnvironmentError(errno_message("cannot create cgroup " + path, errno));
  Cgroup g;
  g.path_ = path;
  g.procs_.reset(::open((path + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
  if (!g.procs_) {
    int e = errno;
    ::rmdir(path.c_str());
    throw EnvironmentError(errno_message("cannot open " + path + "/cgroup.procs", e));
  }
  if (::access((path + "/cgroup.kill").c_str(), W_OK) != 0) {
    ::rmdir(path.c_str());
    throw EnvironmentError("cgroup.kill is missing in " + path + " (needs Linux 5.14)");
  }
  return g;
}

Cgroup& Cgroup::operator=(Cgroup&& o) noexcept {
  if (this != &o) {
    destroy();
    path_ = std::move(o.path_);
    procs_ = std::move(o.procs_);
    o.path_.clear();
  }
  return *this;
}

Cgroup::~Cgroup() { destroy(); }

std::vector<pid_t> Cgroup::pids() const {
  std::vector<pid_t> out;
  std::istringstream in(read_file(path_ + "/cgroup.procs"));
  pid_t p;
  while (in >> p) out.push_back(p);
  return out;
}

bool Cgroup::kill_all() {
  if (path_.empty()) return true;
  if (!write_file(path_ + "/cgroup.kill", "1")) return false;
  // cgroup.kill is asynchronous: wait for the group to empty, bounded.
  for (int i = 0; i < 500; ++i) {
    if (!populated(path_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return !populated(path_);
}

void Cgroup::destroy() {
  if (path_.empty()) return;
  procs_.reset();
  kill_all();
  remove_tree(path_);
  path_.clear();
}

int sweep_dead_runs(const std::string& parent) {
  int swept = 0;
  for (const auto& name : child_dirs(parent)) {
    if (name.rfind(kRunPrefix, 0) != 0) continue;
    // faultbox-run-<pid>-<n>
    std::string rest = name.substr(std::char_traits<char>::length(kRunPrefix));
    pid_t owner = static_cast<pid_t>(std::atol(rest.c_str()));
    if (owner > 0 && (::kill(owner, 0) == 0 || errno == EPERM)) continue;  // still alive
    std::string path = parent + "/" + name;
    write_file(path + "/cgroup.kill", "1");
    for (int i = 0; i < 500 && populated(path); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    remove_tree(path);
    ++swept;
  }
  return swept;
}

RunCgroups::RunCgroups(const CgroupLocation& loc) {
  swept_ = sweep_dead_runs(loc.self);
  // Unique per process and per run within it: pid plus a counter found by
  // trying names (no global counter).
  for (int n = 0;; ++n) {
    std::string path = loc.self + "/" + kRunPrefix + std::to_string(::getpid()) + "-" + std::to_string(n);
    if (::access(path.c_str(), F_OK) == 0) continue;
    run_ = Cgroup::create(path);
    break;
  }
}

RunCgroups::~RunCgroups() {
  services_.clear();
  run_.destroy();
}

Cgroup& RunCgroups::add_service(const std::string& name) {
  services_.push_back(std::make_unique<Cgroup>(Cgroup::create(run_.path() + "/" + name)));
  return *services_.back();
}

}  // namespace faultbox::engine
