// A serialized run's decision point (DESIGN.md §4): from the moment the test
// body starts, every syscall of interest of every service stays parked in
// its seccomp notification, and the run advances one decision at a time:
//
//   1. settle: run the event loop (which receives and parks notifications)
//      and the driver's fibers until the services are quiescent by kernel
//      state (scheduler::QuiescenceDetector) and every fiber is blocked;
//   2. record what the previous decision did, now that it is complete (a
//      receive's byte range is known only after it returned);
//   3. the enabled set: parked events that can proceed (a blocking
//      read/recv/accept only when data or a connection waits), the
//      driver steps that are ready to start, and held SYNs whose delay is
//      up (a connect delayed on the wire: the SYN queue is gated while the
//      body runs, so where the connection lands is a decision too);
//   4. the Strategy picks one; it is released (fault rules decide its
//      outcome at this moment) and becomes decision N of the trace.
//
// The syscalls of interest are those that move data between services or
// touch files and threads: connect, accept, the read/write/send/recv
// families on TCP sockets and regular files, open/rename/unlink/truncate/
// fsync on files, and clone/fork (so a new thread is named by the clone
// that made it). Everything else — pipes to faultbox's log drain, epoll,
// mmap — is answered at once: it cannot change what another service sees.
//
// Free runs (--free) use the same object with nothing parked: it records
// the driver's steps and the faults that fired, and the trace says it
// cannot be replayed.
//
// Lives on the loop thread; destroy it before the Run it watches.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/FaultOutcome.h"
#include "engine/Run.h"
#include "engine/ServiceInstance.h"
#include "engine/UniqueFd.h"
#include "recorder/Recorder.h"
#include "scheduler/QuiescenceDetector.h"
#include "scheduler/Strategy.h"
#include "scheduler/ThreadCensus.h"
#include "scheduler/ThreadOrdinals.h"
#include "traces/TraceFile.h"

namespace faultbox::engine {

// What the decision loop needs from the driver (engine/Driver implements it):
// which fibers wait to start a step, and the means to let one go.
class DriverControl {
 public:
  struct PendingStep {
    std::string fiber;      // "test", "test/1", …
    std::string method;     // "GET", "POST", …, "send"
    std::string target;     // "api.http"
  };
  virtual ~DriverControl() = default;
  virtual std::vector<PendingStep> pending_steps() const = 0;
  // Lets `fiber`'s pending step start; the fiber runs until it blocks again.
  virtual void release_step(const std::string& fiber) = 0;
  // Resumes fibers whose wait is satisfied; how many ran.
  virtual int resume_ready() = 0;
  // The test body (every fiber) has finished.
  virtual bool finished() const = 0;
};

class DecisionLoop final : public NotificationSink {
 public:
  struct Options {
    bool serialized = true;
    // Longest wait for quiescence before deciding anyway (a determinism
    // warning in the trace).
    std::chrono::milliseconds quiescence_cap{5000};
    // Longest wait with nothing enabled before a warning (timers normally
    // produce an event long before: a step's own timeout does).
    std::chrono::milliseconds idle_cap{30000};
    // The pause between two quiescence samples (QuiescenceDetector's own
    // default unless a caller — bench/bench_decision_cost — tries another).
    std::chrono::nanoseconds quiescence_interval = scheduler::QuiescenceOptions{}.interval;
    // `faultbox explore`: the strategy places the faults of rules with
    // times=/probability= (FaultRules::set_explored_placements): each
    // parked event such a rule could hit is offered to it.
    bool explored_placements = false;
  };

  // Where a serialized advance() spent its time (bench/bench_decision_cost
  // reads these). Off unless a caller passes a sink to record_timings();
  // then two clock reads per phase and one push_back, nothing else changes.
  // An advance() that throws records nothing.
  struct Timing {
    uint64_t step = 0;  // the decision this advance() made; 0 when none (nothing enabled, or the body ended)
    std::chrono::nanoseconds settle{0};      // settle(): ready work, fibers, quiescence
    std::chrono::nanoseconds quiescence{0};  // of which QuiescenceDetector::await
    int samples = 0;                         // the samples that await took
    std::chrono::nanoseconds decide{0};      // record the previous decision, the enabled set, choose, release
    size_t enabled = 0;                      // the enabled set's size
  };

  // What a syscall of interest does, for the enabled set and pairing.
  enum class Kind { Connect, Accept, Read, Write, File, Clone };

  DecisionLoop(Run& run, scheduler::Strategy* strategy, Options options);
  ~DecisionLoop() override;
  DecisionLoop(const DecisionLoop&) = delete;
  DecisionLoop& operator=(const DecisionLoop&) = delete;

  // The test body starts now: number the threads, start parking.
  void activate(DriverControl& driver);
  // One decision (serialized) or one loop iteration (free). The driver's
  // run loop calls it until the body finished. Throws Divergence (replay)
  // and Interrupted.
  void advance();
  // The body finished (or threw): record what is still pending, tell the
  // strategy (a replay that expected more decisions diverges), stop parking
  // and let every parked syscall go.
  void finish();

  // The fiber whose step in flight has local port `port` (EngineHost's
  // fiber_of_local_port): pairs a service's receive with the right step.
  void set_driver_lookup(std::function<std::optional<std::string>(uint16_t)> lookup) {
    driver_lookup_ = std::move(lookup);
  }
  // Replay: the outcome text each decision must have (index = step - 1).
  void expect_outcomes(std::vector<std::string> outcomes) { expected_outcomes_ = std::move(outcomes); }

  // Driver-side events the driver reports (host = fiber name).
  void step_finished(const std::string& fiber, const std::string& target, const std::string& outcome);
  void assertion_failed(const std::string& fiber, const std::string& where_and_message);
  // The body returned ("pass") or failed: the driver's last event, so every
  // trace has at least one.
  void test_ended(const std::string& fiber, const std::string& verdict);

  uint64_t decisions() const { return step_; }
  // Appends one Timing per serialized advance() to `sink` (null: off).
  // `sink` must outlive the loop or be reset first.
  void record_timings(std::vector<Timing>* sink) { timings_ = sink; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // With explored placements: the decisions (1, 2, …) at which the
  // strategy placed a fault — what a replay must place again (the trace
  // header's `# placements:` line).
  const std::vector<uint64_t>& placed_steps() const { return placed_steps_; }
  // Serialized runs: per declared interface ("store.main"), the threads
  // blocked in accept() on it when the body started (engine/WaitingAccepts.h);
  // none in free runs.
  const std::vector<std::pair<std::string, uint64_t>>& waiting_accepts() const { return waiting_accepts_; }
  const recorder::Recorder& recorder() const { return recorder_; }

  // NotificationSink
  bool park(ServiceInstance& from, const SyscallEvent& ev) override;
  void faulted(ServiceInstance& from, const SyscallEvent& ev, const FaultOutcome& outcome) override;

 private:
  enum class Wait { None, Read, Write, Accept };

  struct Parked {
    ServiceInstance* service = nullptr;
    SyscallEvent ev;
    std::string action;    // kernel name (ev.name points into the supervisor)
    std::string resource;  // normalized
    std::string thread;    // ordinal
    Kind kind = Kind::File;
    Wait wait = Wait::None;
    bool dontwait = false;  // MSG_DONTWAIT in the flags argument
    bool stream = false;    // a TCP socket: byte positions pair messages
    std::string local, peer;  // socket endpoints ("127.0.0.1:8080")
    bool peer_is_driver = false;
    std::string driver_fiber;  // which fiber's step connection (set at release)
    UniqueFd dup;  // pidfd_getfd duplicate of the fd, for readiness and positions
    uint64_t pos_before = 0;
    bool have_pos = false;
  };

  struct Released {
    Parked p;
    uint64_t step = 0;
    traces::EventIdentity id;
    FaultOutcome outcome;
  };

  struct Candidate {
    traces::EventIdentity id;
    std::string key;            // id.text(): the canonical order
    size_t parked = SIZE_MAX;   // index into parked_, or
    std::string fiber;          // a driver step, or
    std::string target;
    SynDelayQueue* queue = nullptr;  // a held SYN whose delay is up
    uint64_t syn = 0;                // its SynDelayQueue::DueSyn::id
    std::pair<std::string, std::string> syn_key;  // its (source, destination) in syn_origins_
  };
  // Who sent a held SYN: the connect (or driver step) whose socket had this
  // source endpoint, so its release is named for that thread.
  struct SynOrigin {
    std::string host;      // "api", or a driver fiber "test/1"
    std::string thread;    // the connecting thread's ordinal ("" for a fiber)
    std::string resource;  // "search.main"
  };
  // A held SYN of a known origin as a candidate; SynDelayQueue lets the
  // others through at once (as without the gate).
  void add_due_syns(std::vector<Candidate>& out);
  // The connect just released was delayed on the wire: remember its
  // endpoints for its SYN.
  void note_held_connect(const Parked& p);
  // At the body's start: the threads blocked in accept, per interface.
  void count_waiting_accepts();
  // Replay: the divergence when decision `step` ended otherwise than recorded.
  std::optional<scheduler::Divergence> outcome_mismatch(uint64_t step, const traces::EventIdentity& id,
                                                        const std::string& outcome) const;

  scheduler::QuiescenceDetector::Result settle();
  // advance() after settle(): record, enabled set, choose, release.
  void decide();
  void pump(std::chrono::nanoseconds max_wait);
  // Records the decision released last, if any; true when it held a
  // duplicate of the target's fd (now closed).
  bool record_released();
  // settle(), record the last decision, and settle again when that closed a
  // duplicate (see the .cpp).
  scheduler::QuiescenceDetector::Result settle_and_record();
  std::vector<Candidate> enabled();
  bool is_enabled(Parked& p);
  void release_parked(size_t index, uint64_t step, traces::EventIdentity id);
  void release_all_parked();
  std::optional<Parked> classify(ServiceInstance& from, const SyscallEvent& ev);
  std::string thread_of(const std::string& service, pid_t tid);
  void resolve_peer(Parked& p);
  std::vector<traces::VectorClock> joined(const std::string& fiber);
  std::string peer_name(const std::string& service, const std::string& local, uint16_t local_port,
                        const std::string& peer, uint16_t peer_port, bool* is_driver);
  std::string outcome_text(const FaultOutcome& o) const;
  void warn(std::string line);

  Run& run_;
  scheduler::Strategy* strategy_;
  Options options_;
  DriverControl* driver_ = nullptr;
  bool active_ = false;
  bool finished_ = false;
  uint64_t step_ = 0;
  recorder::Recorder recorder_;
  std::unique_ptr<scheduler::ThreadCensus> census_;
  std::unique_ptr<scheduler::QuiescenceDetector> quiescence_;
  scheduler::ThreadOrdinals ordinals_;
  std::deque<Parked> parked_;
  std::optional<Released> last_;
  // A clone was released: the next new thread of that service is its child.
  std::optional<std::pair<std::string, std::string>> pending_clone_;  // service, creator ordinal
  std::map<std::string, std::string> endpoint_owner_;  // "ip:port" → service
  // Driver sends not yet consumed by a service, per target interface.
  // Driver steps not yet consumed by a service, per fiber: (target, clock).
  std::map<std::string, std::deque<std::pair<std::string, traces::VectorClock>>> driver_sends_;
  // A service's last send to a fiber's connection: what its response merges.
  std::map<std::string, traces::VectorClock> last_send_to_driver_;
  std::function<std::optional<std::string>(uint16_t)> driver_lookup_;
  // (source, destination) endpoint of a held connect → its origin; erased at the SYN's release.
  std::map<std::pair<std::string, std::string>, SynOrigin> syn_origins_;
  std::set<std::string> driver_hosts_;  // fibers that logged events
  // Replay: since when the expected event of the current decision is awaited.
  std::optional<std::chrono::steady_clock::time_point> waiting_since_;
  // A replay's outcome mismatch, found while recording; thrown by the next
  // decision (recording also happens inside a fiber's step).
  std::optional<scheduler::Divergence> divergence_;
  std::vector<std::string> warnings_;
  std::vector<uint64_t> placed_steps_;
  std::vector<std::pair<std::string, uint64_t>> waiting_accepts_;
  std::chrono::steady_clock::duration idle_{};
  bool idle_warned_ = false;
  std::vector<std::string> expected_outcomes_;
  std::vector<Timing>* timings_ = nullptr;
  size_t last_enabled_ = 0;  // the enabled set decide() saw last (for timings_)
};

}  // namespace faultbox::engine
