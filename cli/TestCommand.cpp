// faultbox test SPEC: run a spec's tests against real services (binary
// mode), one fresh Run per test and seed, and report each as PASS/FAIL with
// the failing assertion, the fault rules' hit counts and the seed.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "cli/Commands.h"
#include "cli/ExitCodes.h"
#include "cli/SpecLoading.h"
#include "cli/JsonReport.h"
#include "cli/JunitReport.h"
#include "cli/ReportFile.h"
#include "cli/TestResult.h"
#include "cli/TestRun.h"
#include "engine/Cgroup.h"
#include "engine/EngineError.h"
#include "engine/EngineHost.h"
#include "engine/InterruptSignal.h"
#include "engine/KernelProbe.h"
#include "engine/Run.h"
#include "engine/SeccompProgram.h"
#include "scheduler/Strategy.h"
#include "spec/eval/Render.h"
#include "traces/ShivizWriter.h"
#include "spec/vocabulary/Spec.h"
#include "spec/vocabulary/Vocabulary.h"

namespace faultbox::cli {

namespace {

using namespace faultbox::star;
using engine::EnvironmentError;
namespace fs = std::filesystem;

// Where failing runs' traces go without --trace-dir: beside the user, where
// a ticket can pick them up.
constexpr const char* kDefaultTraceDir = "faultbox-traces";

// --junit / --json, each written whole; one line of cause when one cannot be.
bool write_reports(const TestOptions& options, const TestSuiteResult& suite) {
  try {
    if (!options.junit.empty()) write_report_file(options.junit, junit_xml(suite));
    if (!options.json.empty()) write_report_file(options.json, json_report(suite));
  } catch (const std::exception& e) {
    std::cerr << "faultbox test: " << e.what() << "\n";
    return false;
  }
  return true;
}

}  // namespace

int run_test(const TestOptions& options) {
  namespace fs = std::filesystem;
  std::string spec_dir = fs::absolute(fs::path(options.spec)).parent_path().lexically_normal().string();
  engine::EngineHost host(spec_dir);
  int load_rc = kExitOk;
  std::unique_ptr<Spec> spec = load_spec_or_report(options.spec, host, "test", load_rc);
  if (!spec) return load_rc;

  std::vector<const TestSpec*> tests = select_tests_or_report(*spec, options.test_glob, "test");
  if (tests.empty()) return kExitUsage;
  std::optional<engine::KernelProbeResult> kernel = probe_kernel_or_report("test");
  if (!kernel) return kExitEnvironment;
  if (options.verbose) {
    std::cout << "kernel " << kernel->release << "\n";
    for (const auto& line : kernel->optional_lines()) std::cout << line << "\n";
  }

  // Said once, before any result: with --network host a connect delay means
  // something else (a frozen syscall, not a held SYN) and a busy host port
  // can stop a run, so whoever reads the results must know.
  if (options.network_host)
    std::cout << "network: host (connect delays freeze the syscall; runs share the host's ports)\n";

  TestSuiteResult suite;
  suite.spec = options.spec;
  auto suite_started = std::chrono::steady_clock::now();
  auto finish_suite = [&] {
    suite.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                              suite_started)
                            .count();
    return write_reports(options, suite);
  };
  int passed = 0, failed = 0, spec_errors = 0;
  try {
    RunSetup setup(*spec, host, options.spec, spec_dir);
    setup.verbose = options.verbose;
    setup.network_host = options.network_host;
    if (options.verbose && options.free)
      std::cout << "schedule: free (--free: not serialized, traces not replayable)\n";
    else if (options.verbose)
      std::cout << "schedule: serialized, random, seed " << options.seed
                << (options.runs > 1 ? ".." + std::to_string(options.seed + static_cast<uint64_t>(options.runs) - 1) : "")
                << "\n";
    for (const TestSpec* test : tests) {
      for (int i = 0; i < options.runs; ++i) {
        uint64_t seed = options.seed + static_cast<uint64_t>(i);
        auto started = std::chrono::steady_clock::now();
        RunMode mode;
        if (!options.free) mode.strategy = std::make_unique<scheduler::RandomStrategy>(seed);
        RunOutcome o = run_one(setup, *test, seed, static_cast<uint64_t>(i) + 1, std::move(mode));
        // Every failing run keeps its trace (DESIGN.md §6); with --trace-dir
        // every run does.
        std::string trace_path;
        if (o.trace.events.empty()) {
          // Nothing happened under the scheduler: the run ended while its
          // services started, and the cause above says why.
          if (!o.passed) o.details += "    no trace: the run ended before the test body started\n";
        } else if (!o.passed || !options.trace_dir.empty()) {
          std::string dir = options.trace_dir.empty() ? std::string(kDefaultTraceDir) : options.trace_dir;
          std::string path = (fs::path(dir) / trace_file_name(test->name, seed)).string();
          try {
            fs::create_directories(dir);
            traces::save_trace(path, o.trace);
            o.details += "    trace: " + path + (options.free ? " (--free: not replayable)" : "") + "\n";
            trace_path = path;
          } catch (const std::exception& e) {
            o.details += "    trace not written: " + std::string(e.what()) + "\n";
          }
        }
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        std::string name = test->name;
        if (options.runs > 1) name += " [seed " + std::to_string(seed) + "]";
        std::cout << "--- " << (o.passed ? "PASS" : "FAIL") << ": " << name << " (" << ms.count() << "ms)\n"
                  << o.details << std::flush;
        (o.passed ? passed : failed)++;
        if (o.failure && o.failure->kind == "spec") ++spec_errors;
        TestRunResult result;
        result.test = test->name;
        result.run_index = i;
        result.seed = seed;
        result.passed = o.passed;
        result.duration_ms = ms.count();
        result.failure = std::move(o.failure);
        if (!result.passed && !result.failure) result.failure = TestFailure{"error", "failed", "", ""};
        result.faults = std::move(o.faults);
        result.schedule = options.free ? "free" : "random";
        result.decisions = o.decisions;
        result.trace = trace_path;
        suite.runs.push_back(std::move(result));
      }
    }
  } catch (const engine::Interrupted& e) {
    std::cout << std::flush;
    std::cerr << "faultbox test: interrupted by " << (e.signal == SIGTERM ? "SIGTERM" : "SIGINT")
              << "; services torn down\n";
    finish_suite();  // the runs that finished, so a CI job still shows them
    return 128 + e.signal;
  } catch (const std::exception& e) {
    // EnvironmentError, and whatever kept a run from being set up at all.
    std::cout << std::flush;
    std::cerr << "faultbox test: " << e.what() << "\n";
    return kExitEnvironment;
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  if (!finish_suite()) return kExitEnvironment;
  // A test body that misuses the vocabulary (an unknown errno, a rule on an
  // invisible syscall) is a spec error, found late: exit 2, not 1.
  if (spec_errors) return kExitUsage;
  return failed ? kExitTestFailed : kExitOk;
}

}  // namespace faultbox::cli
