// Real processes in a cgroup of their own, for the scheduler's tests.
//
// TestCgroup makes a uniquely named group under this process's own cgroup v2
// group (the mount found in /proc/self/mountinfo: hybrid machines mount it at
// /sys/fs/cgroup/unified) and removes it in its destructor — cgroup.kill,
// wait until empty, rmdir — so nothing is left behind when an assertion
// fails. Groups left by a test binary that was killed -9 are swept by the next
// TestCgroup. FixtureProcess forks a program straight into the group with a
// pipe on its stdin (it is in the group when the constructor returns); its
// destructor kills and reaps it.
//
// This is test code: it links only faultbox_scheduler, so it cannot reuse
// engine/Cgroup (scheduler/ must not depend on the engine, nor its tests).
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace faultbox::scheduler::testing {

inline std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline bool write_text(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// Polls `done` every millisecond until it holds or `limit` passes. For
// waiting on a state a process reaches by itself — never a timing assertion.
inline bool eventually(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// The pump a coordinator would pass: here there is no event loop, so it
// only waits the time it is given.
inline void idle_pump(std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); }

// The cgroup v2 directory this process is in.
inline std::string own_cgroup2_directory() {
  std::string mount;
  std::istringstream mi(slurp("/proc/self/mountinfo"));
  for (std::string line; std::getline(mi, line);) {
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string fstype;
    tail >> fstype;
    if (fstype != "cgroup2") continue;
    std::istringstream head(line.substr(0, dash));
    std::string id, parent, devno, root;
    head >> id >> parent >> devno >> root >> mount;
    break;
  }
  if (mount.empty()) throw std::runtime_error("no cgroup2 mount in /proc/self/mountinfo (the scheduler tests need one)");
  std::string rel;
  std::istringstream cg(slurp("/proc/self/cgroup"));
  for (std::string line; std::getline(cg, line);)
    if (line.rfind("0::", 0) == 0) rel = line.substr(3);
  if (rel.empty()) throw std::runtime_error("no cgroup v2 line in /proc/self/cgroup");
  return rel == "/" ? mount : mount + rel;
}

inline bool group_populated(const std::string& dir) {
  return slurp(dir + "/cgroup.events").find("populated 1") != std::string::npos;
}

// Kill everything in `dir` and below, wait until empty (bounded), rmdir the tree.
inline void destroy_group(const std::string& dir) {
  write_text(dir + "/cgroup.kill", "1");
  for (int i = 0; i < 5000 && group_populated(dir); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (DIR* d = ::opendir(dir.c_str())) {
    std::vector<std::string> children;
    while (dirent* e = ::readdir(d))
      if (e->d_type == DT_DIR && std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, ".."))
        children.push_back(dir + "/" + e->d_name);
    ::closedir(d);
    for (const auto& c : children) destroy_group(c);
  }
  ::rmdir(dir.c_str());
}

class TestCgroup {
 public:
  static constexpr const char* kPrefix = "faultbox-sched-test-";

  TestCgroup() {
    const std::string parent = own_cgroup2_directory();
    sweep_leftovers(parent);
    for (int n = 0;; ++n) {
      std::string path = parent + "/" + kPrefix + std::to_string(::getpid()) + "-" + std::to_string(n);
      if (::mkdir(path.c_str(), 0755) == 0) {
        path_ = path;
        break;
      }
      if (errno != EEXIST) throw std::runtime_error("cannot create cgroup " + path + ": " + std::strerror(errno));
    }
    procs_fd_ = ::open((path_ + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (procs_fd_ < 0) {
      int e = errno;
      ::rmdir(path_.c_str());
      throw std::runtime_error("cannot open " + path_ + "/cgroup.procs: " + std::strerror(e));
    }
  }
  ~TestCgroup() {
    ::close(procs_fd_);
    destroy_group(path_);
  }
  TestCgroup(const TestCgroup&) = delete;
  TestCgroup& operator=(const TestCgroup&) = delete;

  const std::string& path() const { return path_; }
  int procs_fd() const { return procs_fd_; }

 private:
  static void sweep_leftovers(const std::string& parent) {
    DIR* d = ::opendir(parent.c_str());
    if (!d) return;
    std::vector<std::string> dead;
    const std::string prefix = kPrefix;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (e->d_type != DT_DIR || name.rfind(prefix, 0) != 0) continue;
      pid_t owner = static_cast<pid_t>(std::atol(name.c_str() + prefix.size()));
      if (owner > 0 && (::kill(owner, 0) == 0 || errno == EPERM)) continue;
      dead.push_back(parent + "/" + name);
    }
    ::closedir(d);
    for (const auto& g : dead) destroy_group(g);
  }

  std::string path_;
  int procs_fd_ = -1;
};

// A process forked into a group with a pipe on its stdin.
class FixtureProcess {
 public:
  // Runs `argv` (argv[0] is the path). The child is in the group before exec.
  FixtureProcess(int procs_fd, const std::vector<std::string>& argv) {
    std::vector<char*> args;  // built before fork: the child must not allocate
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    start(procs_fd, [&args] {
      ::execv(args[0], args.data());
      ::_exit(127);
    });
  }
  // Runs `body` in the forked child (in the group); the child exits with 0
  // when it returns. `body` may only make raw, async-signal-safe calls.
  FixtureProcess(int procs_fd, const std::function<void()>& body, bool /*no_exec*/) { start(procs_fd, body); }

  ~FixtureProcess() {
    if (stdin_ >= 0) ::close(stdin_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  FixtureProcess(const FixtureProcess&) = delete;
  FixtureProcess& operator=(const FixtureProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Writes to the child's stdin.
  void send(const std::string& bytes) {
    if (::write(stdin_, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()))
      throw std::runtime_error(std::string("cannot write to the fixture's stdin: ") + std::strerror(errno));
  }
  // Closes its stdin (EOF) and reaps it; returns its wait status.
  int finish() {
    ::close(stdin_);
    stdin_ = -1;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  // SIGKILL and reap now.
  void kill_now() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // The threads of the process, from /proc/PID/task.
  std::vector<pid_t> tids() const {
    std::vector<pid_t> out;
    if (DIR* d = ::opendir(("/proc/" + std::to_string(pid_) + "/task").c_str())) {
      while (dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') out.push_back(static_cast<pid_t>(std::atol(e->d_name)));
      ::closedir(d);
    }
    return out;
  }

 private:
  // The parent moves the child into the group and only then lets it go on,
  // so the constructor returns with the child already counted there — a
  // census taken before it joined would see an empty, "quiescent" group.
  void start(int procs_fd, const std::function<void()>& body) {
    int in[2], go[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(go, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid_ == 0) {
      // Only raw syscalls until exec.
      char c;
      if (::read(go[0], &c, 1) != 1) ::_exit(126);
      ::dup2(in[0], 0);
      body();
      ::_exit(0);
    }
    ::close(in[0]);
    ::close(go[0]);
    stdin_ = in[1];
    std::string pid = std::to_string(pid_);
    bool moved = ::write(procs_fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size());
    int err = errno;
    if (!moved) {
      // The constructor throws, so no destructor will: end the child here.
      ::close(go[1]);
      kill_now();
      ::close(stdin_);
      throw std::runtime_error("cannot move pid " + pid + " into its cgroup: " + std::strerror(err));
    }
    (void)!::write(go[1], "g", 1);
    ::close(go[1]);
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
};

inline std::string fixture(const std::string& name) { return std::string(FAULTBOX_FIXTURE_DIR) + "/" + name; }

}  // namespace faultbox::scheduler::testing
