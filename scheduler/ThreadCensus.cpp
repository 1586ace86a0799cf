#include "scheduler/ThreadCensus.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <unordered_set>

#include "scheduler/ThreadSample.h"

namespace faultbox::scheduler {

namespace {

std::vector<pid_t> parse_tid_list(const std::string& text) {
  std::vector<pid_t> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    if (eol > pos) out.push_back(static_cast<pid_t>(std::strtol(text.c_str() + pos, nullptr, 10)));
    pos = eol + 1;
  }
  return out;
}

std::vector<std::string> child_groups(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;  // removed while we walk: its threads are gone too
  while (dirent* e = ::readdir(d)) {
    if (e->d_type != DT_DIR) continue;
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    out.push_back(dir + "/" + e->d_name);
  }
  ::closedir(d);
  return out;
}

// The parent of process `tgid`, or 0 when it is gone.
pid_t parent_of(pid_t tgid) {
  std::string status;
  if (!read_small_file("/proc/" + std::to_string(tgid) + "/status", status)) return 0;
  return static_cast<pid_t>(parse_status_field(status, "PPid").value_or(0));
}

}  // namespace

ThreadCensus::ThreadCensus(std::vector<ServiceCgroup> services) : services_(std::move(services)) {}

void ThreadCensus::add_service(ServiceCgroup service) {
  remove_service(service.service);
  services_.push_back(std::move(service));
}

void ThreadCensus::remove_service(const std::string& service) {
  std::erase_if(services_, [&](const ServiceCgroup& s) { return s.service == service; });
  std::erase_if(known_, [&](const auto& kv) { return kv.second.info.service == service; });
}

void ThreadCensus::forget(pid_t tid) { known_.erase(tid); }

void ThreadCensus::list_tids(const std::string& dir, const std::string& service, std::vector<pid_t>& out) const {
  std::string text;
  if (!read_small_file(dir + "/cgroup.threads", text)) {
    int err = errno;
    throw std::runtime_error("thread census of service " + service + ": cannot read " + dir +
                             "/cgroup.threads: " + std::strerror(err));
  }
  auto tids = parse_tid_list(text);
  out.insert(out.end(), tids.begin(), tids.end());
  for (const auto& child : child_groups(dir)) {
    try {
      list_tids(child, service, out);
    } catch (const std::runtime_error&) {
      // A child group removed between readdir and the read: nothing to list.
    }
  }
}

bool ThreadCensus::first_sight(pid_t tid, const std::string& service, Entry& out) const {
  std::string status;
  if (!read_small_file("/proc/" + std::to_string(tid) + "/status", status)) return false;
  auto tgid = parse_status_field(status, "Tgid");
  if (!tgid) return false;  // exiting: the file reads empty
  out.files = ThreadFiles::open(static_cast<pid_t>(*tgid), tid);
  out.wchan_readable = wchan_readable(tid);
  std::string stat;
  if (!out.files.stat.read(stat)) return false;
  auto st = parse_proc_stat(stat);
  if (!st) return false;
  out.info.tid = tid;
  out.info.tgid = static_cast<pid_t>(*tgid);
  out.info.service = service;
  out.info.comm = std::move(st->comm);
  out.info.state = st->state;
  out.info.start_time = st->start_time;
  return true;
}

const std::vector<ThreadInfo>& ThreadCensus::refresh() {
  std::vector<ThreadInfo> next;
  std::unordered_set<pid_t> listed;
  std::string stat;
  for (const auto& svc : services_) {
    std::vector<pid_t> tids;
    list_tids(svc.directory, svc.service, tids);
    std::sort(tids.begin(), tids.end());
    tids.erase(std::unique(tids.begin(), tids.end()), tids.end());

    const size_t first = next.size();
    std::unordered_map<pid_t, Entry> fresh;  // first seen in this refresh
    for (pid_t tid : tids) {
      listed.insert(tid);
      auto it = known_.find(tid);
      if (it != known_.end()) {
        Entry& e = it->second;
        std::optional<ProcStat> st;
        if (e.info.service == svc.service && e.files.stat.read(stat)) st = parse_proc_stat(stat);
        if (st && st->start_time == e.info.start_time) {
          e.info.comm = std::move(st->comm);
          e.info.state = st->state;
          next.push_back(e.info);
          continue;
        }
        // The thread we knew exited; the tid listed now is a new one.
        known_.erase(it);
      }
      Entry e;
      if (!first_sight(tid, svc.service, e)) continue;  // exited already
      next.push_back(e.info);
      fresh.emplace(tid, std::move(e));
    }

    if (fresh.empty()) continue;
    // Depth: walk up the process tree while the parent is a process of this
    // service, i.e. has a thread listed in the service's groups; faultbox
    // (or a process moved into another group) ends the walk.
    std::unordered_set<pid_t> members;
    for (size_t i = first; i < next.size(); ++i) members.insert(next[i].tgid);
    std::unordered_map<pid_t, int> depth_of;  // tgid → depth, for this refresh
    for (size_t i = first; i < next.size(); ++i) {
      auto f = fresh.find(next[i].tid);
      if (f == fresh.end()) continue;
      const pid_t tgid = next[i].tgid;
      auto cached = depth_of.find(tgid);
      if (cached == depth_of.end()) {
        int depth = 0;
        pid_t p = parent_of(tgid);
        // Bounded by the member count: a parent chain cannot loop, but a pid
        // reused mid-walk must not make us spin.
        while (p > 0 && members.count(p) && depth < static_cast<int>(members.size())) {
          ++depth;
          p = parent_of(p);
        }
        cached = depth_of.emplace(tgid, depth).first;
      }
      next[i].depth = cached->second;
      f->second.info.depth = cached->second;
      known_.emplace(next[i].tid, std::move(f->second));
    }
  }
  std::erase_if(known_, [&](const auto& kv) { return !listed.count(kv.first); });
  current_ = std::move(next);
  return current_;
}

ThreadCensus::Sample ThreadCensus::sample() {
  refresh();
  Sample out;
  out.threads.reserve(current_.size());
  for (ThreadInfo& info : current_) {
    auto it = known_.find(info.tid);
    if (it == known_.end()) {
      out.complete = false;
      continue;
    }
    ThreadSample s;
    s.tid = info.tid;
    s.tgid = info.tgid;
    s.service = info.service;
    s.comm = info.comm;
    s.state = info.state;
    s.start_time = info.start_time;
    if (!read_wchan_and_run_time(it->second.files, it->second.wchan_readable, s)) {
      out.complete = false;  // exited since the refresh read its stat
      continue;
    }
    info.wchan = s.wchan;
    it->second.info.wchan = s.wchan;
    out.threads.push_back(std::move(s));
  }
  std::sort(out.threads.begin(), out.threads.end(), [](const ThreadSample& a, const ThreadSample& b) {
    return a.tid < b.tid || (a.tid == b.tid && a.start_time < b.start_time);
  });
  return out;
}

}  // namespace faultbox::scheduler
