#include "scheduler/QuiescenceDetector.h"

#include <algorithm>

namespace faultbox::scheduler {

namespace {

using Clock = std::chrono::steady_clock;

std::string name_thread(const ThreadSample& t) {
  return t.service + " thread " + std::to_string(t.tid) + " (" + t.comm + ")";
}

bool same_thread(const ThreadSample& a, const ThreadSample& b) {
  return a.tid == b.tid && a.start_time == b.start_time;
}

bool by_tid(const ThreadSample& a, const ThreadSample& b) {
  return a.tid < b.tid || (a.tid == b.tid && a.start_time < b.start_time);
}

}  // namespace

bool settled(const std::vector<ThreadSample>& before, const std::vector<ThreadSample>& after) {
  if (before.size() != after.size()) return false;
  for (size_t i = 0; i < after.size(); ++i) {
    const ThreadSample& b = before[i];
    const ThreadSample& a = after[i];
    if (!same_thread(a, b)) return false;
    if (a.runnable() || b.runnable()) return false;
    if (a.run_ns != b.run_ns) return false;
  }
  return true;
}

std::vector<std::string> unsettled_threads(const std::vector<ThreadSample>& before,
                                           const std::vector<ThreadSample>& after) {
  std::vector<std::string> out;
  // Both are sorted by (tid, start time): merge them.
  size_t i = 0, j = 0;
  while (i < before.size() || j < after.size()) {
    if (j == after.size() || (i < before.size() && by_tid(before[i], after[j]))) {
      out.push_back(name_thread(before[i++]) + " exited");
    } else if (i == before.size() || by_tid(after[j], before[i])) {
      out.push_back(name_thread(after[j++]) + " appeared");
    } else {
      const ThreadSample& b = before[i++];
      const ThreadSample& a = after[j++];
      if (a.on_runqueue && !is_runnable_state(a.state)) {
        out.push_back(name_thread(a) + " still on a runqueue (state " + a.state + ", wchan 0)");
      } else if (a.in_kernel_wait) {
        out.push_back(name_thread(a) + " still waiting in the kernel (state D, wchan " + a.wchan + ")");
      } else if (a.runnable() || b.runnable()) {
        out.push_back(name_thread(a) + " still runnable");
      } else if (a.run_ns != b.run_ns) {
        uint64_t ran = a.run_ns > b.run_ns ? a.run_ns - b.run_ns : 0;
        out.push_back(name_thread(a) + " ran " + std::to_string(ran / 1000) + " µs between samples");
      }
    }
  }
  return out;
}

QuiescenceDetector::QuiescenceDetector(ThreadCensus& census, QuiescenceOptions options)
    : census_(census), options_(options) {}

void QuiescenceDetector::restart() {
  has_previous_ = false;
  has_latest_ = false;
  previous_.clear();
  latest_.clear();
}

bool QuiescenceDetector::sample() {
  ThreadCensus::Sample now = census_.sample();
  previous_ = std::move(latest_);
  has_previous_ = has_latest_;
  latest_ = std::move(now.threads);
  has_latest_ = true;
  // A thread that vanished mid-sample means the set was changing: not yet.
  return has_previous_ && now.complete && settled(previous_, latest_);
}

QuiescenceDetector::Result QuiescenceDetector::await(const std::function<void(std::chrono::nanoseconds)>& pump) {
  restart();
  Result r;
  const auto start = Clock::now();
  const auto deadline = start + options_.cap;
  for (;;) {
    ++r.samples;
    if (sample()) {
      r.reached = true;
      r.waited = Clock::now() - start;
      return r;
    }
    const auto sampled = Clock::now();
    if (sampled >= deadline) break;
    const auto due = std::min(sampled + options_.interval, deadline);
    for (auto now = sampled; now < due; now = Clock::now()) pump(due - now);
  }
  r.waited = Clock::now() - start;
  auto busy = unsettled_threads(previous_, latest_);
  std::string who;
  for (const auto& b : busy) who += (who.empty() ? "" : ", ") + b;
  if (who.empty()) who = "threads kept exiting mid-sample";  // only incomplete samples
  r.warning = who + " after " +
              std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(options_.cap).count()) + " ms";
  return r;
}

}  // namespace faultbox::scheduler
