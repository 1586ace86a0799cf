// faultbox replay TRACE: runs the trace's test again with the recorded
// decisions enforced in order (DESIGN.md §6). Needs the trace, the spec it
// names and the same binaries (a changed sha256 is a warning). At the first
// decision whose expected event is not enabled — or whose outcome differs —
// it stops, prints the expected event and the enabled ones, and exits 4:
// never a silently different run, never a silent repair.
//
// --reverse A:B runs the test again with recorded decision B before decision
// A instead (a targeted reversal, DESIGN.md §5): the optimizer's
// fewest-preemption prefix, followed by scheduler::ScheduleStrategy's
// continuation, then checked — the run must follow the prefix and B's event
// must come before A's — before the new trace is written.
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <variant>

#include "cli/Commands.h"
#include "cli/ExitCodes.h"
#include "cli/ScheduleRun.h"
#include "cli/SpecLoading.h"
#include "cli/TestRun.h"
#include "engine/EngineError.h"
#include "engine/EngineHost.h"
#include "engine/KernelProbe.h"
#include "engine/Run.h"
#include "engine/UniqueFd.h"
#include "explorer/CausalPairs.h"
#include "explorer/OrderConstraints.h"
#include "explorer/ScheduleOptimizer.h"
#include "scheduler/Dependence.h"
#include "scheduler/Schedule.h"
#include "scheduler/Strategy.h"
#include "spec/eval/Render.h"
#include "spec/vocabulary/Spec.h"
#include "traces/TraceReader.h"

namespace faultbox::cli {

namespace {

namespace fs = std::filesystem;
using namespace faultbox::star;

// The spec as the trace names it: relative to the current directory (where
// `faultbox test` ran, usually), else relative to the trace's folder.
std::string locate_spec(const std::string& recorded, const std::string& trace_path) {
  if (fs::exists(recorded)) return recorded;
  if (fs::path(recorded).is_relative()) {
    // Beside the trace, or one folder up: `faultbox test` writes into
    // faultbox-traces/ under the folder it ran in.
    fs::path dir = fs::absolute(fs::path(trace_path)).parent_path();
    for (const fs::path& base : {dir, dir.parent_path()})
      if (fs::exists(base / recorded)) return (base / recorded).string();
  }
  return "";
}

// rr needs the CPU's hardware performance counters; most VMs hide them.
bool hardware_counters_available() {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_HARDWARE;
  attr.config = PERF_COUNT_HW_INSTRUCTIONS;
  attr.disabled = 1;
  attr.exclude_kernel = 1;
  int fd = static_cast<int>(::syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

// "FAIL faultbox.star:23:5 message" → "FAIL faultbox.star:23:5": the part of
// a verdict a replay must reproduce (messages may carry timings).
std::string verdict_core(const std::string& verdict) {
  if (verdict.rfind("FAIL", 0) != 0) return verdict;
  size_t sp = verdict.find(' ', 5);
  std::string loc = verdict.size() > 5 ? verdict.substr(5, sp == std::string::npos ? std::string::npos : sp - 5) : "";
  // A failure without a location (a service that did not start) has a
  // message where the location would be; compare the kind only.
  if (loc.find(':') == std::string::npos) return "FAIL";
  return "FAIL " + loc;
}

// The same event in two runs: the occurrence index and the thread may
// differ (a reversal changes what ran before; a pooled worker may stand in).
bool same_event(const traces::EventIdentity& a, const traces::EventIdentity& b) {
  return a.host == b.host && a.action == b.action && a.resource == b.resource;
}

std::string step_text(const traces::TraceEvent& e) {
  return "step=" + std::to_string(e.step) + " " + e.identity.text();
}

// "A:B" with 1 <= A < B <= decisions; nullopt after printing why.
std::optional<explorer::Reversal> parse_reversal(const std::string& text, size_t decisions, const std::string& trace) {
  size_t a = 0, b = 0;
  char colon = 0;
  std::istringstream in(text);
  const bool digits = !text.empty() && std::isdigit(static_cast<unsigned char>(text.front())) &&
                      text.find_first_not_of("0123456789:") == std::string::npos;
  if (!digits || !(in >> a >> colon >> b) || colon != ':' || !in.eof() || a < 1 || b <= a || b > decisions) {
    std::cerr << "faultbox replay: --reverse wants A:B, two decision steps with 1 <= A < B <= " << decisions
              << " (" << trace << " has " << decisions << " decision" << (decisions == 1 ? "" : "s")
              << "), got \"" << text << "\"\n";
    return std::nullopt;
  }
  return explorer::Reversal{a - 1, b - 1};
}

// What exploration would have recorded of the trace's run: each decision's
// event, and which earlier decision's message it consumed. The trace keeps
// no enabled sets, so add_enablers() has nothing to read: an accept enabled
// by a connect is linked only when the recorder paired them. Faulted flags
// are the trace's placed steps (`# placements:`, an explored run): the
// reversed run places those faults again and leaves the other rules as
// written; without the line no placements are explored, so a rule faults
// the reversed run where it hits.
scheduler::RunRecord record_of_trace(const traces::TraceFile& trace,
                                     const std::vector<const traces::TraceEvent*>& decisions) {
  scheduler::RunRecord record;
  const std::vector<uint64_t> none;
  const std::vector<uint64_t>& placed = trace.header.placed ? *trace.header.placed : none;
  for (const traces::TraceEvent* e : decisions) {
    const bool faulted = std::binary_search(placed.begin(), placed.end(), static_cast<uint64_t>(e->step));
    record.decisions.push_back({scheduler::event_ref(e->identity), faulted});
  }
  explorer::add_causes(record, trace);
  return record;
}

// `faultbox replay TRACE --reverse A:B` once the trace, the spec and the
// test are known.
int replay_reversed(const ReplayOptions& options, const traces::TraceFile& trace,
                    const std::vector<const traces::TraceEvent*>& decisions, explorer::Reversal reversal, Spec& spec,
                    engine::EngineHost& host, const std::string& spec_path, const std::string& spec_dir,
                    const TestSpec& test) {
  const traces::TraceHeader& h = trace.header;
  const traces::TraceEvent& earlier = *decisions[reversal.earlier];
  const traces::TraceEvent& later = *decisions[reversal.later];
  const scheduler::RunRecord record = record_of_trace(trace, decisions);
  explorer::OptimizeOutcome outcome;
  try {
    outcome = explorer::ScheduleOptimizer().reverse(record, {reversal});
  } catch (const std::invalid_argument& e) {
    std::cerr << "faultbox replay: " << options.trace << ": " << e.what() << "\n";
    return kExitUsage;
  }
  if (const auto* no = std::get_if<explorer::InfeasibleOrder>(&outcome)) {
    // Each step as the trace names it, so the user can find it there.
    std::cout << "infeasible: decision " << later.step << " cannot run before decision " << earlier.step
              << "; these orders form a cycle: ";
    for (const explorer::CycleStep& c : no->cycle) {
      std::cout << step_text(*decisions[c.decision]) << " -[" << explorer::to_string(c.reason)
                << (c.detail.empty() ? "" : ": " + c.detail) << "]-> ";
    }
    if (!no->cycle.empty()) std::cout << step_text(*decisions[no->cycle.front().decision]);
    std::cout << "\n";
    // A dependent link of the chain is a race of its own: reversing it
    // first is the request that can be realized.
    for (size_t i = 0; i < no->cycle.size(); ++i) {
      const explorer::CycleStep& c = no->cycle[i];
      const size_t next = no->cycle[(i + 1) % no->cycle.size()].decision;
      if (c.reason == explorer::OrderReason::Dependent && c.decision < next)
        std::cout << "hint: the chain goes through decisions " << c.decision + 1 << " and " << next + 1
                  << ", ordered only by the run: try --reverse " << c.decision + 1 << ":" << next + 1 << "\n";
    }
    return kExitUsage;
  }
  const explorer::OptimizedSchedule& m = std::get<explorer::OptimizedSchedule>(outcome);
  std::cout << "reversal: decision " << later.step << " (" << later.identity.text() << ") before decision "
            << earlier.step << " (" << earlier.identity.text() << "): " << m.preemptions << " preemption"
            << (m.preemptions == 1 ? "" : "s") << " (" << (m.proven_minimal ? "proven minimal" : "greedy")
            << (m.solver_note.empty() ? "" : ", " + m.solver_note) << "), a prefix of " << m.order.size() << " of "
            << decisions.size() << " decisions, then the run continues freely\n"
            << std::flush;

  // Planned without root; running needs the supervisor.
  if (!probe_kernel_or_report("replay")) return kExitEnvironment;
  RunSetup setup(spec, host, spec_path, spec_dir);
  setup.verbose = options.verbose;
  setup.explored_placements = h.placed.has_value();
  if (setup.spec_sha256 != h.spec_sha256)
    std::cout << "warning: " << spec_path << " changed since the trace was recorded (sha256 differs)\n";
  RunOutcome o = run_schedule(setup, test, m.schedule, "reversed", h.seed, h.run);
  if (o.divergence) {
    const scheduler::Divergence& d = *o.divergence;
    std::cout << "the reversed schedule diverged at decision " << d.step << ": " << d.what() << "\n";
    if (!d.expected.empty()) std::cout << "  expected: " << d.expected << "\n";
    std::cout << "  enabled:" << (d.enabled.empty() ? " (nothing)" : "") << "\n";
    for (const std::string& e : d.enabled) std::cout << "    " << e << "\n";
    return kExitDivergence;
  }

  // Where the two events ran this time. B is forced at its place in the
  // prefix; A is its process's first event like the recorded one from the
  // place A had in its process on (everything before it there is in the
  // prefix, in order).
  std::vector<const traces::TraceEvent*> now;
  for (const traces::TraceEvent& e : o.trace.events)
    if (e.step > 0) now.push_back(&e);
  std::sort(now.begin(), now.end(), [](auto* x, auto* y) { return x->step < y->step; });
  const auto later_at = std::find(m.order.begin(), m.order.end(), reversal.later);
  const traces::TraceEvent* later_now = nullptr;
  if (later_at != m.order.end()) {
    const size_t at = static_cast<size_t>(later_at - m.order.begin());
    if (at < now.size() && same_event(now[at]->identity, later.identity)) later_now = now[at];
  }
  const std::string process = scheduler::process_of(earlier.identity);
  size_t before_in_process = 0;
  for (size_t i = 0; i < reversal.earlier; ++i)
    if (scheduler::process_of(decisions[i]->identity) == process) ++before_in_process;
  const traces::TraceEvent* earlier_now = nullptr;
  size_t seen = 0;
  for (const traces::TraceEvent* e : now) {
    if (scheduler::process_of(e->identity) != process) continue;
    if (seen++ >= before_in_process && same_event(e->identity, earlier.identity)) {
      earlier_now = e;
      break;
    }
  }
  bool realized = false;
  std::string realization;
  if (!later_now) {
    realization = "not realized: decision " + std::to_string(later.step) + "'s event (" + later.identity.text() +
                  ") is not where the schedule put it in the new run";
  } else if (earlier_now && earlier_now->step < later_now->step) {
    realization = "not realized: " + step_text(*earlier_now) + " still ran before " + step_text(*later_now);
  } else {
    realized = true;
    realization = "realized: " + step_text(*later_now) + " ran before " +
                  (earlier_now ? step_text(*earlier_now) : earlier.identity.text() + ", which did not run at all");
  }

  std::cout << "ran " << o.decisions << " decisions (" << m.order.size() << " forced)\n" << realization << "\n";
  std::cout << "--- " << (o.passed ? "PASS" : "FAIL") << ": " << h.test << "\n" << o.details;
  std::cout << "verdict: " << o.trace.header.verdict << " (recorded: " << h.verdict << ")\n";
  if (o.trace.events.empty()) {
    std::cout << "no trace: the run ended before the test body started\n";
  } else {
    const std::string name =
        h.test + "-reversed-" + std::to_string(earlier.step) + "-" + std::to_string(later.step) + ".log";
    try {
      std::cout << "trace: " << write_trace_into(options.trace_dir, name, o.trace) << "\n";
    } catch (const std::exception& e) {
      std::cout << "trace not written: " << e.what() << "\n";
    }
  }
  if (!realized) return kExitDivergence;
  return o.passed ? kExitOk : kExitTestFailed;
}

// Runs one replay; SIGINT/SIGTERM and environment failures end it the same
// way for a plain and a reversed replay.
int guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const engine::Interrupted& e) {
    std::cerr << "faultbox replay: interrupted by " << (e.signal == SIGTERM ? "SIGTERM" : "SIGINT")
              << "; services torn down\n";
    return 128 + e.signal;
  } catch (const std::exception& e) {
    std::cerr << "faultbox replay: " << e.what() << "\n";
    return kExitEnvironment;
  }
}

}  // namespace

int run_replay(const ReplayOptions& options) {
  traces::TraceFile trace;
  try {
    trace = traces::load_trace(options.trace);
  } catch (const std::exception& e) {
    std::cerr << "faultbox replay: " << e.what() << "\n";
    return kExitUsage;
  }
  const traces::TraceHeader& h = trace.header;
  if (!h.replayable) {
    std::cerr << "faultbox replay: " << options.trace
              << " was recorded without serialization (--free); it has no decisions to replay. "
                 "Run the test without --free to get a replayable trace.\n";
    return kExitUsage;
  }
  // Every trace ends with the driver's return event, which agrees with the
  // verdict: a file cut at an event boundary still parses, but is not the
  // recorded run.
  const traces::TraceEvent* last = trace.events.empty() ? nullptr : &trace.events.back();
  const bool ends = last && last->identity.host == "test" && last->identity.action == "return" &&
                    (last->outcome == "pass") == (h.verdict == "PASS");
  if (!ends) {
    // The problem is where the file ends: name its last line.
    std::ifstream in(options.trace);
    size_t lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    std::cerr << "faultbox replay: " << options.trace << ":" << lines
              << ": the trace does not end with the test's return event matching its verdict (truncated?)\n";
    return kExitUsage;
  }
  // The recorded decisions, in step order.
  std::vector<const traces::TraceEvent*> decisions;
  for (const traces::TraceEvent& e : trace.events)
    if (e.step > 0) decisions.push_back(&e);
  std::sort(decisions.begin(), decisions.end(), [](auto* a, auto* b) { return a->step < b->step; });
  std::optional<explorer::Reversal> reversal;
  if (!options.reverse.empty()) {
    reversal = parse_reversal(options.reverse, decisions.size(), options.trace);
    if (!reversal) return kExitUsage;
    for (size_t i = 0; i < decisions.size(); ++i)
      if (decisions[i]->step != i + 1) {
        std::cerr << "faultbox replay: " << options.trace << ": the decisions' steps are not 1.." << decisions.size()
                  << " (step " << decisions[i]->step << " where " << i + 1 << " belongs)\n";
        return kExitUsage;
      }
  }
  std::string spec_path = locate_spec(h.spec_path, options.trace);
  if (spec_path.empty()) {
    std::cerr << "faultbox replay: the trace's spec " << h.spec_path
              << " is not found (looked in the current directory, beside the trace and one folder up)\n";
    return kExitUsage;
  }

  std::string spec_dir = fs::absolute(fs::path(spec_path)).parent_path().lexically_normal().string();
  engine::EngineHost host(spec_dir);
  int load_rc = kExitOk;
  std::unique_ptr<Spec> spec = load_spec_or_report(spec_path, host, "replay", load_rc);
  if (!spec) return load_rc;
  const TestSpec* test = nullptr;
  for (const TestSpec& t : spec->topology().tests)
    if (t.name == h.test) test = &t;
  if (!test) {
    std::cerr << "faultbox replay: the spec has no test " << h.test << " any more\n";
    return kExitUsage;
  }

  if (reversal) {
    if (!options.rr_service.empty()) {
      std::cerr << "faultbox replay: --rr and --reverse do not go together (rr records a replay)\n";
      return kExitUsage;
    }
    return guarded([&] {
      return replay_reversed(options, trace, decisions, *reversal, *spec, host, spec_path, spec_dir, *test);
    });
  }

  if (!probe_kernel_or_report("replay")) return kExitEnvironment;
  if (!options.rr_service.empty()) {
    if (!spec->topology().find_service(options.rr_service)) {
      std::cerr << "faultbox replay: --rr " << options.rr_service << ": the spec has no such service\n";
      return kExitUsage;
    }
    // Experimental, and not wired: rr observes a tracee's syscalls through
    // its own seccomp filter's SECCOMP_RET_TRACE stops, and the kernel runs
    // the filter result of lowest value — faultbox's SECCOMP_RET_USER_NOTIF
    // — so rr would never see the syscalls faultbox intercepts (and it turns
    // a tracee's own filters into RET_TRACE to emulate them, which cannot
    // stand in for a notification listener). Say the first reason that holds.
    if (!hardware_counters_available())
      std::cout << "--rr " << options.rr_service
                << ": rr cannot record here (no hardware performance counters); replaying without it\n";
    else
      std::cout << "--rr " << options.rr_service
                << ": rr cannot record a service faultbox supervises (seccomp user notification takes precedence over "
                   "rr's seccomp tracing); replaying without it\n";
  }

  std::vector<traces::EventIdentity> prefix;
  RunMode mode;
  for (const traces::TraceEvent* e : decisions) {
    prefix.push_back(e->identity);
    mode.expected_outcomes.push_back(e->outcome);
  }
  const size_t total = prefix.size();
  mode.strategy = std::make_unique<scheduler::PrefixStrategy>(std::move(prefix), nullptr, "replay");
  // An explored run: its faults go where it placed them, not where the
  // rules' own times=/probability= would put them.
  if (h.placed) mode.strategy = std::make_unique<scheduler::PlacementReplayStrategy>(std::move(mode.strategy), *h.placed);

  std::cout << "replaying " << options.trace << ": " << h.test << " (run " << h.run << ", " << h.strategy
            << " seed " << h.seed << "), " << total << " decisions";
  if (h.placed)
    std::cout << ", " << (h.placed->empty() ? std::string("no fault placements")
                                            : std::to_string(h.placed->size()) + " fault placement" +
                                                  (h.placed->size() == 1 ? "" : "s") + " as explored");
  std::cout << "\n";
  return guarded([&] {
    RunSetup setup(*spec, host, spec_path, spec_dir);
    setup.verbose = options.verbose;
    setup.explored_placements = h.placed.has_value();
    // The same files? The setup hashed them for this run's own trace.
    if (setup.spec_sha256 != h.spec_sha256)
      std::cout << "warning: " << spec_path << " changed since the trace was recorded (sha256 differs)\n";
    for (const auto& [service, recorded] : h.binaries) {
      auto now = std::find_if(setup.binaries.begin(), setup.binaries.end(),
                              [&](const auto& b) { return b.first == service; });
      if (now == setup.binaries.end())
        std::cout << "warning: the spec has no service " << service << " any more\n";
      else if (now->second != recorded)
        std::cout << "warning: " << service << "'s binary changed since the trace was recorded (" << recorded
                  << ", now " << now->second << ")\n";
    }
    RunOutcome o = run_one(setup, *test, h.seed, h.run, std::move(mode));
    if (o.divergence) {
      const scheduler::Divergence& d = *o.divergence;
      std::cout << "DIVERGED at decision " << d.step << "/" << total << ": " << d.what() << "\n";
      if (!d.expected.empty()) std::cout << "  expected: " << d.expected << "\n";
      std::cout << "  enabled:" << (d.enabled.empty() ? " (nothing)" : "") << "\n";
      for (const std::string& e : d.enabled) std::cout << "    " << e << "\n";
      return kExitDivergence;
    }
    if (o.decisions != total) {
      // No decision went astray, but the run did not take them all: it
      // ended before the trace's first decision (a service that did not
      // start) or stopped early.
      std::cout << "DIVERGED: replayed " << o.decisions << "/" << total << " decisions\n" << o.details;
      return kExitDivergence;
    }
    std::cout << "replayed " << total << "/" << total << " decisions\n";
    std::string verdict = o.trace.header.verdict;
    std::cout << "--- " << (o.passed ? "PASS" : "FAIL") << ": " << h.test << "\n" << o.details;
    if (verdict_core(verdict) != verdict_core(h.verdict)) {
      std::cout << "DIVERGED: the decisions matched but the verdict did not\n  recorded: " << h.verdict
                << "\n  replayed: " << verdict << "\n";
      return kExitDivergence;
    }
    std::cout << "verdict: " << verdict << " (as recorded)\n";
    return o.passed ? kExitOk : kExitTestFailed;
  });
}

}  // namespace faultbox::cli
