// Quiescence from kernel state (DESIGN.md §4, step 1): the run's services are
// quiescent when, over two consecutive samples taken `interval` apart,
//   - the set of threads is the same (same tids with the same start times),
//   - no thread is runnable in either sample (R; S, D, T, t, Z, X, I count
//     as not runnable — a parked notification is S or D — except an S or D
//     thread still on a runqueue, which wchan 0 gives away: see
//     ThreadSample::on_runqueue; without that check, a thread preempted on
//     its way to sleep looked asleep for milliseconds) or a D thread in a
//     wait that ends on its own (ThreadSample::in_kernel_wait: disk I/O, a
//     kernel lock — an fsync under load outlasted two samples, and the
//     writer's next event missed the decision), and
//   - no thread's run time (schedstat, ns) grew between them.
// Never log silence, never a fixed sleep: a thread that ran between two
// samples only makes the detector take another sample. That is how a
// timer-driven thread (redis's cron wakes 10×/s for ~50 µs) stops blocking
// quiescence: it counts as asleep as soon as a pair of samples falls between
// two of its wake-ups. If it produces an intercepted event instead, it parks,
// and parked threads are asleep too.
//
// What the rule cannot see: a thread that wakes after the last sample (the
// serialization makes the syscalls that matter park, so such a thread shows
// up as a parked event at the next decision) — one in a timed sleep
// (nanosleep) among them. A D thread counts as asleep only where it waits
// for another thread of the run (a seccomp notification, a vfork child) or
// where wchan is unreadable (every D thread looks alike then).
//
// The other half of quiescence — listeners and the packet queue drained,
// driver fibers blocked — is the coordinator's: it passes its event-loop step
// as `pump`, and await() calls it with the time left until the next sample.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "scheduler/ThreadCensus.h"
#include "scheduler/ThreadSample.h"

namespace faultbox::scheduler {

struct QuiescenceOptions {
  // The pause between two samples, from the end of one to the start of the
  // next — so a slow sample (many threads) never turns into back-to-back
  // sampling that takes a CPU from the services. A shorter pause catches no
  // more: a thread woken by a release reports R at once, and one that runs
  // briefly between samples shows as run time gained however long the pause.
  // It only has to be short against what a decision may cost. Measured on the
  // shared 2-core dev VM (-O2, timer_thread waking every 100 ms, 200 awaits
  // of an idle run, the sleep-only pump of the tests): a sample costs
  // 65–105 µs for 2 threads and ~17 µs per further thread (the /proc files
  // are kept open; a stat read alone is ~7 µs here); the median await was
  // 0.9–1.4 ms at 500 µs, 1.5–1.8 ms at 1 ms, ~2.5 ms at 2 ms. bench/ has
  // the figures that count (cost per decision).
  std::chrono::nanoseconds interval = std::chrono::microseconds(500);
  // The longest await() waits; hitting it is a determinism warning.
  std::chrono::nanoseconds cap = std::chrono::seconds(5);
};

// Whether two consecutive samples (each sorted by tid) satisfy the rule.
bool settled(const std::vector<ThreadSample>& before, const std::vector<ThreadSample>& after);
// What kept two samples from settling, one phrase per thread:
// "api thread 4242 (worker) still runnable", "… still on a runqueue (state
// S, wchan 0)", "… ran 1200 µs between samples", "… appeared", "… exited".
// Empty when they settled.
std::vector<std::string> unsettled_threads(const std::vector<ThreadSample>& before,
                                           const std::vector<ThreadSample>& after);

class QuiescenceDetector {
 public:
  using Options = QuiescenceOptions;
  struct Result {
    bool reached = false;
    std::chrono::nanoseconds waited{0};
    int samples = 0;
    // When the cap was hit: one line naming the busy threads, for the trace's
    // determinism warning ("api thread 4242 (worker) still runnable after
    // 5000 ms"). Empty when reached.
    std::string warning;
  };

  // `census` must outlive the detector; it is refreshed on every sample.
  explicit QuiescenceDetector(ThreadCensus& census, QuiescenceOptions options = {});

  // Takes a sample; true when this one and the previous one satisfy the rule
  // (and no listed thread vanished while it was being read). The first
  // sample after construction or restart() is never quiescent. Throws what
  // ThreadCensus::refresh() throws (a service's group is gone).
  bool sample();
  // Forgets the previous sample: what was seen before a release says nothing
  // about the run after it.
  void restart();
  // The latest sample, sorted by tid (state, wchan, parked_in_seccomp per thread).
  const std::vector<ThreadSample>& threads() const { return latest_; }
  const QuiescenceOptions& options() const { return options_; }

  // restart(), then samples, `interval` apart, until quiescent or the cap.
  // Between samples it calls pump(time left until the next sample) — the
  // coordinator's event-loop step, which drains the seccomp listeners and
  // must block at most that long (it may return early; await calls it again
  // until the sample is due). It never sleeps on its own.
  Result await(const std::function<void(std::chrono::nanoseconds)>& pump);

 private:
  ThreadCensus& census_;
  QuiescenceOptions options_;
  std::vector<ThreadSample> previous_;
  std::vector<ThreadSample> latest_;
  bool has_previous_ = false;
  bool has_latest_ = false;
};

}  // namespace faultbox::scheduler
