// faultbox test SPEC: run a spec's tests against real services (binary
// mode), one fresh Run per test and seed, and report each as PASS/FAIL with
// the failing assertion, the fault rules' hit counts and the seed.
#include <fnmatch.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "cli/Commands.h"
#include "cli/ExitCodes.h"
#include "cli/JsonReport.h"
#include "cli/JunitReport.h"
#include "cli/ReportFile.h"
#include "cli/TestResult.h"
#include "engine/Cgroup.h"
#include "engine/EngineError.h"
#include "engine/EngineHost.h"
#include "engine/InterruptSignal.h"
#include "engine/KernelProbe.h"
#include "engine/Run.h"
#include "engine/SeccompProgram.h"
#include "spec/eval/Render.h"
#include "spec/vocabulary/Spec.h"
#include "spec/vocabulary/Vocabulary.h"

namespace faultbox::cli {

namespace {

using namespace faultbox::star;
using engine::EnvironmentError;

std::string indent(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) out += prefix + line + "\n";
  return out;
}

struct Outcome {
  bool passed = false;
  std::string details;  // indented lines after the PASS/FAIL line
  std::optional<TestFailure> failure;
  std::vector<FaultHit> faults;
};

// Where an evaluation error happened: the innermost Starlark frame (a
// builtin such as assert_true names the error, not the place).
std::string eval_error_location(const EvalError& e) {
  const auto& frames = e.backtrace();
  for (size_t i = frames.size(); i-- > 0;) {
    const CallFrame& f = frames[i];
    if (!f.file || !f.pos.valid()) continue;
    return f.path() + ":" + std::to_string(f.pos.line) + ":" + std::to_string(f.pos.col);
  }
  return "";
}

FaultHit fault_hit(const engine::FaultRules::RuleReport& rule) {
  FaultHit h;
  h.name = rule.name();
  h.label = rule.rule.label;
  h.syscall = rule.key;
  h.target = rule.target;
  h.hits = rule.hits;
  h.cut_connections = rule.cut_connections;
  h.never_fired = rule.never_fired();
  h.summary = rule.summary();
  return h;
}

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

// One test on one seed, in a fresh Run. Throws EnvironmentError and
// engine::Interrupted; everything a test can do wrong is a FAIL.
Outcome run_one(Spec& spec, engine::EngineHost& host, const TestSpec& test, uint64_t seed,
                const engine::SeccompProgram& program, const engine::CgroupLocation& cgroups,
                const engine::InterruptSignal& interrupt, const std::string& spec_dir, bool verbose,
                bool network_host) {
  Outcome out;
  engine::RunOptions opts;
  opts.host_network = network_host;
  opts.spec_dir = spec_dir;
  opts.seed = seed;
  opts.interrupt = &interrupt;
  engine::Run run(spec.topology(), program, cgroups, opts);
  host.set_run(&run);
  struct Detach {
    engine::EngineHost& h;
    ~Detach() { h.set_run(nullptr); }
  } detach{host};

  std::string failure;
  TestFailure cause;
  try {
    run.start_services();
    auto thread = spec.new_thread("test");
    spec.run_test(*thread, test.name);
    out.passed = true;
  } catch (const engine::ServiceStartFailure& e) {
    failure = std::string(e.what()) + "\n" + e.log_tail();
    cause.message = e.what();
    cause.kind = "service";
  } catch (const EvalError& e) {
    failure = render_eval_error(e) + "\n";
    cause.message = e.msg();
    cause.location = eval_error_location(e);
    if (dynamic_cast<const AssertionFailure*>(&e)) cause.kind = "assertion";
    if (dynamic_cast<const SpecError*>(&e)) cause.kind = "spec";
  } catch (const engine::Interrupted&) {
    throw;
  } catch (const EnvironmentError&) {
    throw;
  } catch (const std::exception& e) {
    // An engine failure inside the test (not the spec's fault, not the
    // environment's as far as we know): the test fails, with the cause.
    failure = std::string("faultbox: ") + e.what() + "\n";
    cause.message = failure.substr(0, failure.size() - 1);
  }
  if (!failure.empty()) {
    out.details += indent(failure, "    ");
    cause.details = failure;
    out.failure = std::move(cause);
  }
  for (const auto& app : run.reports())
    for (const auto& rule : app.rules) {
      out.details += "    fault " + rule.summary() + "\n";
      out.faults.push_back(fault_hit(rule));
    }
  if (!out.passed) out.details += "    seed: " + std::to_string(seed) + "\n";
  if (verbose) {
    out.details += "    run directory: " + run.dir() + " (removed at teardown)\n";
    for (const auto& s : run.services())
      out.details += "    " + s->name() + ": " + std::to_string(s->notifications()) + " notifications answered\n" +
                     indent(s->log_tail(5), "  ");
  }
  return out;
}

}  // namespace

int run_test(const TestOptions& options) {
  namespace fs = std::filesystem;
  std::string spec_dir = fs::absolute(fs::path(options.spec)).parent_path().lexically_normal().string();
  engine::EngineHost host(spec_dir);
  std::unique_ptr<Spec> spec;
  try {
    spec = Spec::load(options.spec, host);
  } catch (const engine::TopologyEnvironmentError& e) {
    std::cerr << "faultbox test: " << e.what() << "\n";
    return kExitEnvironment;
  } catch (const SourceErrors& e) {
    std::cerr << render_source_errors(e) << "\n";
    return kExitUsage;
  } catch (const EvalError& e) {
    std::cerr << render_eval_error(e) << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "faultbox test: " << e.what() << "\n";
    return kExitUsage;
  }

  std::vector<const TestSpec*> tests;
  for (const TestSpec& t : spec->topology().tests)
    if (options.test_glob.empty() || ::fnmatch(options.test_glob.c_str(), t.name.c_str(), 0) == 0)
      tests.push_back(&t);
  if (tests.empty()) {
    std::cerr << "faultbox test: no test matches"
              << (options.test_glob.empty() ? std::string(" (tests are functions named test_*)")
                                            : " --test " + options.test_glob)
              << "\n";
    return kExitUsage;
  }

  // Before any service starts: a kernel that cannot run a test says so,
  // one line per missing feature (DESIGN.md §3), rather than failing
  // obscurely inside the first launch.
  engine::KernelProbeResult kernel = engine::probe_kernel();
  if (!kernel.ok()) {
    for (const auto& line : kernel.missing_lines()) std::cerr << "faultbox test: " << line << "\n";
    return kExitEnvironment;
  }
  if (options.verbose) {
    std::cout << "kernel " << kernel.release << "\n";
    for (const auto& line : kernel.optional_lines()) std::cout << line << "\n";
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
    engine::InterruptSignal interrupt;
    engine::SeccompProgram program = engine::SeccompProgram::build_standard();
    engine::CgroupLocation cgroups = engine::locate_cgroup2();
    for (const TestSpec* test : tests) {
      for (int i = 0; i < options.runs; ++i) {
        uint64_t seed = options.seed + static_cast<uint64_t>(i);
        auto started = std::chrono::steady_clock::now();
        Outcome o = run_one(*spec, host, *test, seed, program, cgroups, interrupt, spec_dir, options.verbose,
                            options.network_host);
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
