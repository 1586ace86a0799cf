// faultbox replay TRACE: runs the trace's test again with the recorded
// decisions enforced in order (DESIGN.md §6). Needs the trace, the spec it
// names and the same binaries (a changed sha256 is a warning). At the first
// decision whose expected event is not enabled — or whose outcome differs —
// it stops, prints the expected event and the enabled ones, and exits 4:
// never a silently different run, never a silent repair.
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/Commands.h"
#include "cli/ExitCodes.h"
#include "cli/SpecLoading.h"
#include "cli/TestRun.h"
#include "engine/EngineError.h"
#include "engine/EngineHost.h"
#include "engine/KernelProbe.h"
#include "engine/Run.h"
#include "engine/UniqueFd.h"
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

  if (!probe_kernel_or_report("replay")) return kExitEnvironment;
  if (!options.rr_service.empty()) {
    if (!spec->topology().find_service(options.rr_service)) {
      std::cerr << "faultbox replay: --rr " << options.rr_service << ": the spec has no such service\n";
      return kExitUsage;
    }
    // Experimental and not wired yet where it could run: say which.
    if (!hardware_counters_available())
      std::cout << "--rr " << options.rr_service
                << ": rr cannot record here (no hardware performance counters); replaying without it\n";
    else
      std::cout << "--rr " << options.rr_service
                << ": recording under rr is not implemented yet; replaying without it\n";
  }

  // The recorded decisions, in step order.
  std::vector<const traces::TraceEvent*> decisions;
  for (const traces::TraceEvent& e : trace.events)
    if (e.step > 0) decisions.push_back(&e);
  std::sort(decisions.begin(), decisions.end(), [](auto* a, auto* b) { return a->step < b->step; });
  std::vector<traces::EventIdentity> prefix;
  RunMode mode;
  for (const traces::TraceEvent* e : decisions) {
    prefix.push_back(e->identity);
    mode.expected_outcomes.push_back(e->outcome);
  }
  const size_t total = prefix.size();
  mode.strategy = std::make_unique<scheduler::PrefixStrategy>(std::move(prefix), nullptr, "replay");

  std::cout << "replaying " << options.trace << ": " << h.test << " (run " << h.run << ", " << h.strategy
            << " seed " << h.seed << "), " << total << " decisions\n";
  try {
    RunSetup setup(*spec, host, spec_path, spec_dir);
    setup.verbose = options.verbose;
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
  } catch (const engine::Interrupted& e) {
    std::cerr << "faultbox replay: interrupted by " << (e.signal == SIGTERM ? "SIGTERM" : "SIGINT")
              << "; services torn down\n";
    return 128 + e.signal;
  } catch (const std::exception& e) {
    std::cerr << "faultbox replay: " << e.what() << "\n";
    return kExitEnvironment;
  }
}

}  // namespace faultbox::cli
