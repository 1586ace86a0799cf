// faultbox explore SPEC: for each test, an explorer (explorer/) decides which
// runs to do — optimal DPOR by default — and each run is an ordinary
// serialized run (cli/TestRun) under the strategy it hands out, recorded for
// the explorer to learn from. Failing runs keep their traces, which
// `faultbox replay` runs again like any other.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "cli/Commands.h"
#include "cli/ExitCodes.h"
#include "cli/JunitReport.h"
#include "cli/ReportFile.h"
#include "cli/ScheduleRun.h"
#include "cli/SpecLoading.h"
#include "cli/TestResult.h"
#include "cli/TestRun.h"
#include "engine/EngineError.h"
#include "engine/EngineHost.h"
#include "explorer/CausalPairs.h"
#include "explorer/ExplorerFactory.h"
#include "explorer/ScheduleOptimizer.h"
#include "scheduler/Schedule.h"
#include "traces/ShivizWriter.h"

namespace faultbox::cli {

namespace {

using namespace faultbox::star;
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

struct FailingClass {
  uint64_t run = 0;
  std::string class_id;
  std::string message;
  std::string location;
  std::string trace;
  std::string placements;  // "3rd write to orders.log faulted", "" when none
  std::string minimized;   // what minimizing the failing schedule gave, "" when not tried
};

// Failing classes per test whose schedule is minimized (each costs a run).
constexpr size_t kMinimizedPerTest = 3;

struct TestExploration {
  std::string test;
  explorer::ExplorationStats stats;
  std::vector<std::string> class_ids;  // in the order found
  // The classes whose run placed a fault (faultbox report counts placements
  // exactly across overlapping shards from these).
  std::vector<std::string> placement_classes;
  std::vector<FailingClass> failures;
  std::vector<TestRunResult> runs;  // for --junit
};

std::string ordinal(uint64_t n) {
  const uint64_t t = n % 100;
  const char* suffix = (t >= 11 && t <= 13) ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
  return std::to_string(n) + suffix;
}

// "3rd write to $RUN/orders.log by api faulted": the placements of a run,
// named by occurrence as the trace names them.
std::string placements_of(const scheduler::RunRecord& record, const traces::TraceFile& trace) {
  std::string out;
  for (size_t i = 0; i < record.decisions.size(); ++i) {
    if (!record.decisions[i].faulted) continue;
    for (const traces::TraceEvent& e : trace.events)
      if (e.step == i + 1) {
        if (!out.empty()) out += "; ";
        out += ordinal(e.identity.occurrence) + " " + e.identity.action + " of " + e.identity.host + " to " +
               e.identity.resource + " faulted (" + e.outcome + ")";
      }
  }
  return out;
}

std::string progress_line(const std::string& test, const explorer::ExplorationStats& s, size_t failing) {
  std::ostringstream o;
  o << "explore " << test << ": " << s.runs << " runs, " << s.classes << " classes, " << s.placements
    << " placements, " << failing << " failing";
  if (s.pending) o << ", " << s.pending << " pending";
  return o.str();
}

std::string summary_line(const TestExploration& t, bool verbose) {
  const explorer::ExplorationStats& s = t.stats;
  std::ostringstream o;
  if (s.exhausted)
    o << "complete: " << s.runs << " runs = " << (s.classes - s.placements) << " class"
      << (s.classes - s.placements == 1 ? "" : "es") << " without faults + " << s.placements << " placement"
      << (s.placements == 1 ? "" : "s");
  else if (s.pending)
    o << "budget spent: " << s.runs << " runs, " << s.classes << " classes (" << s.placements
      << " with placements); " << s.pending << " known alternatives remain";
  else
    o << s.runs << " runs, " << s.classes << " classes (" << s.placements
      << " with placements); this strategy samples, it does not enumerate";
  if (s.redundant) o << "; " << s.redundant << " runs repeated a class";
  if (s.sleep_blocked) o << "; " << s.sleep_blocked << " sleep-set-blocked runs";
  if (s.divergences) o << "; " << s.divergences << " divergences (nondeterminism: see -v)";
  if (verbose && s.peak_live_nodes) o << "; tree peak " << *s.peak_live_nodes << " nodes";
  return o.str();
}

json exploration_json(const ExploreOptions& options, const std::vector<TestExploration>& tests) {
  json arr = json::array();
  for (const TestExploration& t : tests) {
    json failures = json::array();
    for (const FailingClass& f : t.failures)
      failures.push_back({{"run", f.run},
                          {"class", f.class_id},
                          {"message", f.message},
                          {"location", f.location.empty() ? json(nullptr) : json(f.location)},
                          {"placements", f.placements},
                          {"trace", f.trace.empty() ? json(nullptr) : json(f.trace)}});
    arr.push_back({{"test", t.test},
                   {"runs", t.stats.runs},
                   {"classes", t.class_ids},
                   {"class_count", t.stats.classes},
                   {"placements", t.stats.placements},
                   {"placement_classes", t.placement_classes},
                   {"redundant", t.stats.redundant},
                   {"sleep_blocked", t.stats.sleep_blocked},
                   {"divergences", t.stats.divergences},
                   {"pending", t.stats.pending},
                   {"complete", t.stats.exhausted}});
    // Only dpor keeps a tree; the field is absent for the others (and in
    // older files: faultbox report reads both).
    if (t.stats.peak_live_nodes) arr.back()["peak_live_nodes"] = *t.stats.peak_live_nodes;
    arr.back()["failures"] = failures;
  }
  json doc = {{"spec", options.spec},
              {"strategy", options.strategy},
              {"seed", options.seed},
              {"max_faults", options.max_faults},
              {"shard", std::to_string(options.shard_index + 1) + "/" + std::to_string(options.shard_count)}};
  if (options.strategy == "dpor") doc["dpor_order"] = options.dpor_order;
  doc["tests"] = arr;
  return doc;
}

// The failing run's class in its simplest form (DESIGN.md §5): Z3 finds the
// order with the fewest preemptions that keeps every dependent pair, and a
// run under that order must fail the same way before it is reported —
// a schedule the solver believes in is only a hypothesis until it ran.
std::string minimize_failure(const RunSetup& setup, const TestSpec& test, const scheduler::RunRecord& record,
                             const RunOutcome& failed, uint64_t run_number, const ExploreOptions& options,
                             const std::string& strategy) {
  if (record.decisions.empty()) return "";
  explorer::OptimizedSchedule m;
  try {
    m = explorer::ScheduleOptimizer().minimize(record);
  } catch (const std::exception& e) {
    return std::string("not minimized: ") + e.what();
  }
  const int before = m.run_preemptions.value_or(m.preemptions);
  if (m.preemptions >= before)
    return std::to_string(before) + " preemptions, already the fewest" +
           (m.proven_minimal ? std::string(" (Z3: proven)") : std::string(" found"));
  RunOutcome v = run_schedule(setup, test, m.schedule, strategy + "-minimized", failed.trace.header.seed, run_number);
  const std::string claim = std::to_string(before) + " → " + std::to_string(m.preemptions) + " preemptions" +
                            (m.proven_minimal ? " (Z3: the fewest)" : "");
  auto where = [](const RunOutcome& r) {
    return r.failure ? r.failure->location + " " + r.failure->message : std::string();
  };
  if (v.divergence) return claim + " but the run diverged (" + std::string(v.divergence->what()) + "): not reported";
  if (v.passed || where(v) != where(failed)) return claim + " but that run " + (v.passed ? "passed" : "failed otherwise") + ": not reported";
  std::string path;
  try {
    path = write_trace_into(options.trace_dir, test.name + "-" + strategy + "-run" + std::to_string(run_number) + "-min.log",
                            v.trace);
  } catch (const std::exception& e) {
    return claim + ", verified by a run; trace not written: " + e.what();
  }
  return claim + ", verified by a run that failed the same way: " + path;
}

}  // namespace

int run_explore(const ExploreOptions& options) {
  std::string spec_dir = fs::absolute(fs::path(options.spec)).parent_path().lexically_normal().string();
  engine::EngineHost host(spec_dir);
  int load_rc = kExitOk;
  std::unique_ptr<Spec> spec = load_spec_or_report(options.spec, host, "explore", load_rc);
  if (!spec) return load_rc;

  std::vector<const TestSpec*> tests = select_tests_or_report(*spec, options.test_glob, "explore");
  if (tests.empty()) return kExitUsage;
  if (!probe_kernel_or_report("explore")) return kExitEnvironment;
  if (options.network_host)
    std::cout << "network: host (connect delays freeze the syscall; runs share the host's ports)\n";

  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  std::vector<TestExploration> results;
  auto write_reports = [&]() -> bool {
    try {
      if (!options.json.empty()) write_report_file(options.json, exploration_json(options, results).dump(2) + "\n");
      if (!options.junit.empty()) {
        TestSuiteResult suite;
        suite.spec = options.spec;
        for (const TestExploration& t : results)
          for (const TestRunResult& r : t.runs) suite.runs.push_back(r);
        write_report_file(options.junit, junit_xml(suite));
      }
    } catch (const std::exception& e) {
      std::cerr << "faultbox explore: " << e.what() << "\n";
      return false;
    }
    return true;
  };

  size_t failing_tests = 0;
  try {
    RunSetup setup(*spec, host, options.spec, spec_dir);
    setup.verbose = options.verbose;
    setup.network_host = options.network_host;
    setup.explored_placements = true;
    for (const TestSpec* test : tests) {
      explorer::ExplorerConfig config;
      config.strategy = options.strategy;
      config.seed = options.seed;
      config.max_faults = options.max_faults;
      config.pct_depth = options.pct_depth;
      config.dpor_order = options.dpor_order;
      config.shard_index = options.shard_index;
      config.shard_count = options.shard_count;
      std::unique_ptr<explorer::Explorer> explorer = explorer::make_explorer(config);
      TestExploration t;
      t.test = test->name;
      std::cout << "explore " << test->name << ": strategy " << explorer->name() << ", budget " << options.runs
                << " runs, at most " << options.max_faults << " fault placement" << (options.max_faults == 1 ? "" : "s")
                << " per run";
      if (options.shard_count > 1) std::cout << ", shard " << options.shard_index + 1 << "/" << options.shard_count;
      if (options.strategy == "dpor" && options.dpor_order != ExploreOptions().dpor_order)
        std::cout << ", order " << options.dpor_order;
      std::cout << "\n" << std::flush;
      std::set<std::string> failing_ids;
      for (int i = 0; i < options.runs; ++i) {
        std::unique_ptr<scheduler::Strategy> next = explorer->next_run();
        if (!next) break;
        const uint64_t run_number = static_cast<uint64_t>(i) + 1;
        const uint64_t seed = explorer->run_seed().value_or(options.seed);
        auto started = std::chrono::steady_clock::now();
        RunMode mode;
        mode.strategy = std::make_unique<scheduler::RecordingStrategy>(std::move(next));
        RunOutcome o = run_one(setup, *test, seed, run_number, std::move(mode));
        auto& recording = static_cast<scheduler::RecordingStrategy&>(*o.strategy);
        scheduler::RunRecord record = recording.take_record();
        if (o.divergence) record.divergence = o.divergence;
        explorer::add_causes(record, o.trace);
        const std::string placements = placements_of(record, o.trace);
        // Read after the run: permutations learns its batch from the first one.
        o.trace.header.schedule = explorer->run_note();
        scheduler::RunRecord kept;
        if (!o.passed && !o.divergence) kept = record;  // for minimizing, if the class is new
        explorer::RunVerdict verdict = explorer->finished_run(std::move(record));
        t.stats = explorer->stats();
        if (verdict.kind == explorer::RunVerdict::Kind::NewClass) {
          t.class_ids.push_back(verdict.class_id);
          if (!placements.empty()) t.placement_classes.push_back(verdict.class_id);
        }

        const bool failed = !o.passed && !o.divergence;
        std::string trace_path;
        if (o.trace.events.empty()) {
          if (failed) o.details += "    no trace: the run ended before the test body started\n";
        } else if (failed || !options.trace_dir.empty()) {
          std::string dir = options.trace_dir.empty() ? std::string(kDefaultTraceDir) : options.trace_dir;
          std::string path =
              (fs::path(dir) / (test->name + "-" + explorer->name() + "-run" + std::to_string(run_number) + ".log"))
                  .string();
          try {
            fs::create_directories(dir);
            traces::save_trace(path, o.trace);
            trace_path = path;
          } catch (const std::exception& e) {
            o.details += "    trace not written: " + std::string(e.what()) + "\n";
          }
        }
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        const char* kind = verdict.kind == explorer::RunVerdict::Kind::NewClass       ? "new class"
                           : verdict.kind == explorer::RunVerdict::Kind::Redundant    ? "repeated class"
                           : verdict.kind == explorer::RunVerdict::Kind::SleepBlocked ? "sleep-set blocked"
                                                                                      : "diverged";
        // A failing class is news the first time; the same class failing
        // again (random, pct) adds nothing but a count.
        const bool new_failure = failed && failing_ids.insert(verdict.class_id).second;
        if (new_failure) {
          FailingClass f;
          f.run = run_number;
          f.class_id = verdict.class_id;
          if (o.failure) {
            f.message = o.failure->message;
            f.location = o.failure->location;
          }
          f.trace = trace_path;
          f.placements = placements;
          if (t.failures.size() < kMinimizedPerTest)
            f.minimized = minimize_failure(setup, *test, kept, o, run_number, options, explorer->name());
          t.failures.push_back(f);
        }
        if (tty && !options.verbose && !new_failure) std::cout << "\r\033[K";
        if (options.verbose || new_failure) {
          std::cout << "  run " << run_number << ": " << kind << " " << verdict.class_id << " (" << o.decisions
                    << " decisions, " << ms.count() << "ms) " << (o.passed ? "PASS" : "FAIL") << "\n";
          if (!placements.empty()) std::cout << "    placed: " << placements << "\n";
          if (!o.passed) std::cout << o.details;
          if (!trace_path.empty() && failed) std::cout << "    trace: " << trace_path << "\n";
        }
        if (tty && !options.verbose)
          std::cout << progress_line(test->name, t.stats, t.failures.size()) << std::flush;
        else if (!tty && (run_number % 10 == 0))
          std::cout << progress_line(test->name, t.stats, t.failures.size()) << "\n" << std::flush;

        TestRunResult r;
        r.test = test->name;
        r.run_index = i;
        r.seed = seed;
        r.passed = o.passed;
        r.duration_ms = ms.count();
        r.failure = o.failure;
        if (!r.passed && !r.failure) r.failure = TestFailure{"error", "failed", "", ""};
        r.faults = std::move(o.faults);
        r.schedule = explorer->name();
        r.decisions = o.decisions;
        r.trace = trace_path;
        if (!o.passed) t.runs.push_back(std::move(r));
      }
      t.stats = explorer->stats();
      if (tty && !options.verbose) std::cout << "\r\033[K";
      std::cout << "--- " << (t.failures.empty() ? "PASS" : "FAIL") << ": " << test->name << ": "
                << summary_line(t, options.verbose) << "\n";
      // Each was printed in full when found; the summary keeps the first
      // few (the JSON has them all).
      constexpr size_t kListed = 10;
      for (size_t k = 0; k < t.failures.size(); ++k) {
        const FailingClass& f = t.failures[k];
        if (k == kListed) {
          std::cout << "    … and " << t.failures.size() - kListed << " more failing classes"
                    << (options.json.empty() ? " (--json lists them all)" : " (in " + options.json + ")") << "\n";
          break;
        }
        std::cout << "    failing class " << f.class_id << " (run " << f.run << "): "
                  << (f.location.empty() ? "" : f.location + " ") << f.message << "\n";
        if (!f.placements.empty()) std::cout << "      placed: " << f.placements << "\n";
        if (!f.trace.empty()) std::cout << "      trace: " << f.trace << "\n";
        if (!f.minimized.empty()) std::cout << "      minimized: " << f.minimized << "\n";
      }
      if (!t.failures.empty()) ++failing_tests;
      if (t.runs.empty()) {
        // JUnit wants one case per test: the exploration passed.
        TestRunResult r;
        r.test = test->name;
        r.passed = true;
        r.schedule = explorer->name();
        t.runs.push_back(std::move(r));
      }
      results.push_back(std::move(t));
    }
  } catch (const engine::Interrupted& e) {
    std::cout << "\n" << std::flush;
    std::cerr << "faultbox explore: interrupted by " << (e.signal == SIGTERM ? "SIGTERM" : "SIGINT")
              << "; services torn down\n";
    write_reports();
    return 128 + e.signal;
  } catch (const std::invalid_argument& e) {
    std::cerr << "faultbox explore: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cout << std::flush;
    std::cerr << "faultbox explore: " << e.what() << "\n";
    return kExitEnvironment;
  }
  std::cout << (tests.size() - failing_tests) << " passed, " << failing_tests << " failed\n";
  if (!write_reports()) return kExitEnvironment;
  return failing_tests ? kExitTestFailed : kExitOk;
}

}  // namespace faultbox::cli
