#include "cli/TestRun.h"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>

#include "engine/DecisionLoop.h"
#include "engine/Driver.h"
#include "engine/DriverSteps.h"
#include "engine/EngineError.h"
#include "engine/Run.h"
#include "engine/ServicePaths.h"
#include "spec/eval/Render.h"
#include "spec/vocabulary/Vocabulary.h"
#include "traces/FileDigest.h"

namespace faultbox::cli {

namespace {

using namespace faultbox::star;
using engine::EnvironmentError;
namespace fs = std::filesystem;

std::string indent(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) out += prefix + line + "\n";
  return out;
}

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

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

traces::TraceHeader header_for(const RunSetup& setup, const TestSpec& test, uint64_t seed, uint64_t run_number,
                               const std::string& strategy) {
  traces::TraceHeader h;
  h.spec_path = setup.spec_path;
  h.spec_sha256 = setup.spec_sha256;
  h.binaries = setup.binaries;
  h.test = test.name;
  h.run = run_number;
  h.strategy = strategy;
  h.seed = seed;
  return h;
}

}  // namespace

RunSetup::RunSetup(star::Spec& s, engine::EngineHost& h, std::string path, std::string dir)
    : spec(s),
      host(h),
      spec_path(std::move(path)),
      spec_dir(std::move(dir)),
      program(engine::SeccompProgram::build_standard()),
      cgroups(engine::locate_cgroup2()) {
  // The spec was just loaded, so it is readable; the header holds bare hex.
  spec_sha256 = traces::file_sha256(spec_path).value_or("sha256:" + std::string(64, '0')).substr(7);
  const char* dh = std::getenv("DOCKER_HOST");
  docker_host = dh ? dh : "";
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) shim_binary = (self.parent_path() / "faultbox-shim").string();
  for (const ServiceSpec& svc : spec.topology().services) {
    std::string digest = "none";
    if (!svc.binary.empty()) {
      digest = traces::file_sha256(engine::resolve_binary(spec_dir, svc.binary)).value_or("unreadable");
    } else if (!svc.image.empty()) {
      // The image id is the content's digest: a rebuilt image is a changed
      // "binary" for replay's warning. topology_ready() looked it up.
      std::string id = host.image_id(svc.name);
      digest = id.empty() ? "image:" + svc.image : id;
    }
    binaries.emplace_back(svc.name, digest);
  }
}

std::string trace_file_name(const std::string& test, uint64_t seed) {
  return test + "-seed" + std::to_string(seed) + ".log";
}

RunOutcome run_one(const RunSetup& setup, const TestSpec& test, uint64_t seed, uint64_t run_number, RunMode mode) {
  RunOutcome out;
  const bool serialized = mode.strategy != nullptr;
  engine::RunOptions opts;
  opts.host_network = setup.network_host;
  opts.shim_binary = setup.shim_binary;
  opts.docker_host = setup.docker_host;
  opts.spec_dir = setup.spec_dir;
  opts.seed = seed;
  opts.interrupt = &setup.interrupt;
  engine::Run run(setup.spec.topology(), setup.program, setup.cgroups, opts);
  // The test body runs on the driver's fibers (destroyed before the Run).
  const engine::InterruptSignal& interrupt = setup.interrupt;
  engine::Driver driver(run.loop(), [&interrupt] {
    if (int signo = interrupt.received()) throw engine::Interrupted(signo);
  });
  engine::EngineHost& host = setup.host;
  host.set_run(&run);
  host.set_driver(&driver);
  std::optional<engine::DecisionLoop> decisions;
  struct Detach {
    engine::EngineHost& h;
    ~Detach() {
      h.set_decisions(nullptr);
      h.set_driver(nullptr);
      h.set_run(nullptr);
    }
  } detach{host};

  // Outlives the try: finish() after a failed body still settles through it.
  engine::DriverSteps steps(driver);
  std::string failure;
  TestFailure cause;
  try {
    run.start_services();
    // Start-up and healthchecks ran free; serialization starts with the body.
    engine::DecisionLoop::Options dopts;
    dopts.serialized = serialized;
    dopts.explored_placements = setup.explored_placements && serialized;
    run.rules().set_explored_placements(dopts.explored_placements);
    decisions.emplace(run, mode.strategy.get(), dopts);
    decisions->expect_outcomes(std::move(mode.expected_outcomes));
    host.set_decisions(&*decisions);
    decisions->set_driver_lookup([&host](uint16_t port) { return host.fiber_of_local_port(port); });
    driver.set_gate(serialized);
    decisions->activate(steps);
    auto body = [&] {
      auto thread = setup.spec.new_thread(engine::Driver::kTestFiber);
      driver.bind_stack(*thread);
      setup.spec.run_test(*thread, test.name);
    };
    if (serialized)
      driver.run_test(body, [&] { decisions->advance(); });
    else
      driver.run_test(body);
    decisions->finish();
    out.passed = true;
  } catch (const scheduler::Divergence& d) {
    out.divergence = d;
    failure = std::string("replay diverged: ") + d.what() + "\n";
    cause.message = d.what();
    cause.kind = "divergence";
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
  if (decisions && !out.passed && !out.divergence) {
    // The run's last decisions and the failure itself belong to the trace.
    try {
      decisions->finish();
    } catch (const scheduler::Divergence& d) {
      // A replay that failed before reaching the recorded end is not the
      // recorded run: say so rather than report its failure as a match.
      out.divergence = d;
    }
    if (cause.kind == "assertion" || cause.kind == "error" || cause.kind == "spec")
      decisions->assertion_failed(engine::Driver::kTestFiber,
                                  one_line((cause.location.empty() ? "" : cause.location + " ") + cause.message));
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
  if (!out.passed)
    out.details += "    seed: " + std::to_string(seed) + (serialized ? " (schedule: " + mode.strategy->name() + ")" : " (--free)") + "\n";
  if (setup.verbose) {
    out.details += "    run directory: " + run.dir() + " (removed at teardown)\n";
    if (decisions) out.details += "    decisions: " + std::to_string(decisions->decisions()) + "\n";
    for (const auto& s : run.services())
      out.details += "    " + s->name() + ": " + std::to_string(s->notifications()) + " notifications answered\n" +
                     indent(s->log_tail(5), "  ");
  }

  out.trace.header = header_for(setup, test, seed, run_number, serialized ? mode.strategy->name() : "free");
  out.trace.header.replayable = serialized;
  out.trace.header.verdict =
      out.passed ? "PASS"
                 : one_line("FAIL " + (out.failure && !out.failure->location.empty() ? out.failure->location + " " : "") +
                            (out.failure ? out.failure->message : std::string("failed")));
  if (decisions) {
    decisions->test_ended(engine::Driver::kTestFiber, out.passed ? "pass" : "fail");
    out.trace.header.warnings = decisions->warnings();
    // Explored placements: where this run placed its faults, so a replay
    // places them again (rules with times= would otherwise apply as written).
    if (setup.explored_placements && serialized) out.trace.header.placed = decisions->placed_steps();
    if (serialized) out.trace.header.waiting_accepts = decisions->waiting_accepts();
    out.trace.events = decisions->recorder().events();
    out.decisions = decisions->decisions();
  }
  decisions.reset();  // it points at the strategy
  out.strategy = std::move(mode.strategy);
  return out;
}

}  // namespace faultbox::cli
