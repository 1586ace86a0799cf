#include "scheduler/ThreadSample.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <utility>

namespace faultbox::scheduler {

namespace {

template <typename T>
std::optional<T> to_number(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// Splits off the next space-separated token of `rest`.
std::string_view next_token(std::string_view& rest) {
  size_t b = rest.find_first_not_of(" \n");
  if (b == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(b);
  size_t e = rest.find_first_of(" \n");
  std::string_view tok = rest.substr(0, e);
  rest.remove_prefix(e == std::string_view::npos ? rest.size() : e);
  return tok;
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  ProcStat st;
  st.comm = std::string(text.substr(open + 1, close - open - 1));
  std::string_view rest = text.substr(close + 1);
  // Fields 3.. follow the comm; field N is token N-3.
  std::string_view state = next_token(rest);
  if (state.size() != 1) return std::nullopt;
  st.state = state[0];
  auto ppid = to_number<pid_t>(next_token(rest));
  if (!ppid) return std::nullopt;
  st.ppid = *ppid;
  for (int field = 5; field < 22; ++field) {
    if (next_token(rest).empty()) return std::nullopt;
  }
  auto start = to_number<uint64_t>(next_token(rest));
  if (!start) return std::nullopt;
  st.start_time = *start;
  return st;
}

std::optional<uint64_t> parse_schedstat_run_ns(std::string_view text) {
  std::string_view rest = text;
  return to_number<uint64_t>(next_token(rest));
}

std::optional<long> parse_status_field(std::string_view status, std::string_view name) {
  size_t pos = 0;
  while (pos < status.size()) {
    size_t eol = status.find('\n', pos);
    std::string_view line = status.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (line.size() > name.size() && line.substr(0, name.size()) == name && line[name.size()] == ':') {
      std::string_view value = line.substr(name.size() + 1);
      size_t b = value.find_first_not_of(" \t");
      if (b == std::string_view::npos) return std::nullopt;
      value.remove_prefix(b);
      return to_number<long>(value.substr(0, value.find_first_of(" \t")));
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return std::nullopt;
}

bool is_runnable_state(char state) {
  switch (state) {
    case 'S':  // interruptible sleep (also a parked notification without WAIT_KILLABLE_RECV)
    case 'D':  // uninterruptible (a killable notification wait shows as D)
    case 'T':  // stopped
    case 't':  // tracing stop
    case 'Z':  // zombie
    case 'X':  // dead
    case 'I':  // idle (kernel threads)
    case 'P':  // parked (kernel threads)
      return false;
    default:
      return true;
  }
}

bool is_seccomp_wait(std::string_view wchan) {
  constexpr std::string_view kPrefix = "seccomp_do_user_notif";
  return wchan.substr(0, kPrefix.size()) == kPrefix;
}

bool is_self_ending_wait(std::string_view wchan) {
  if (wchan.empty() || wchan == "0" || is_seccomp_wait(wchan)) return false;
  // The vfork parent's wait, under the names kernels show it by: its own
  // function, or the one it is inlined into (6.x: kernel_clone; before
  // 5.10: _do_fork) — where a D thread can be in nothing else.
  for (std::string_view vfork : {"wait_for_vfork_done", "kernel_clone", "_do_fork"})
    if (wchan.substr(0, vfork.size()) == vfork) return false;
  return true;
}

bool read_small_file(const std::string& path, std::string& out) {
  out.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  bool ok = true;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;  // ESRCH: the thread exited while we read
      break;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  int saved = errno;
  ::close(fd);
  errno = saved;
  return ok;
}

ProcFile::ProcFile(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);  // -1: read by path (see header)
}

ProcFile::~ProcFile() {
  if (fd_ >= 0) ::close(fd_);
}

ProcFile::ProcFile(ProcFile&& o) noexcept : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)) {}

ProcFile& ProcFile::operator=(ProcFile&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(o.path_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

bool ProcFile::read(std::string& out) const {
  if (fd_ < 0) return read_small_file(path_, out) && !out.empty();
  out.clear();
  char buf[4096];
  for (off_t off = 0;;) {
    ssize_t n = ::pread(fd_, buf, sizeof buf, off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;  // ESRCH: the thread is gone
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    off += n;
  }
  return !out.empty();
}

ThreadFiles ThreadFiles::open(pid_t tgid, pid_t tid) {
  const std::string dir = "/proc/" + std::to_string(tgid) + "/task/" + std::to_string(tid) + "/";
  return ThreadFiles{ProcFile(dir + "stat"), ProcFile(dir + "wchan"), ProcFile(dir + "schedstat")};
}

bool wchan_readable(pid_t tid) {
  if (::access("/proc/kallsyms", F_OK) != 0) return false;
  char target[64];
  return ::readlink(("/proc/" + std::to_string(tid) + "/ns/net").c_str(), target, sizeof target) > 0;
}

bool read_wchan_and_run_time(const ThreadFiles& files, bool readable, ThreadSample& s) {
  std::string text;
  s.on_runqueue = false;
  s.in_kernel_wait = false;
  if (is_runnable_state(s.state)) {
    s.wchan.clear();
  } else {
    if (!files.wchan.read(text)) return false;
    s.wchan = text;
    s.on_runqueue = readable && (s.state == 'S' || s.state == 'D') && s.wchan == "0";
    s.in_kernel_wait = readable && s.state == 'D' && is_self_ending_wait(s.wchan);
  }
  s.parked_in_seccomp = is_seccomp_wait(s.wchan);
  if (!files.schedstat.read(text)) return false;
  auto run = parse_schedstat_run_ns(text);
  if (!run) return false;
  s.run_ns = *run;
  return true;
}

std::optional<ThreadSample> sample_thread(pid_t tgid, pid_t tid, const std::string& service) {
  ThreadFiles files = ThreadFiles::open(tgid, tid);
  std::string text;
  if (!files.stat.read(text)) return std::nullopt;
  auto st = parse_proc_stat(text);
  if (!st) return std::nullopt;
  ThreadSample s;
  s.tid = tid;
  s.tgid = tgid;
  s.service = service;
  s.comm = std::move(st->comm);
  s.state = st->state;
  s.start_time = st->start_time;
  if (!read_wchan_and_run_time(files, wchan_readable(tid), s)) return std::nullopt;
  return s;
}

}  // namespace faultbox::scheduler
