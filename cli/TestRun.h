// One run of one test (one seed) in a fresh engine::Run: services started,
// the body driven on the Driver's fibers — serialized through a
// DecisionLoop by default, free with --free — and the run's trace
// assembled. `faultbox test` and `faultbox replay` both run tests this way;
// they differ in the strategy they pass.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/TestResult.h"
#include "engine/Cgroup.h"
#include "engine/EngineHost.h"
#include "engine/InterruptSignal.h"
#include "engine/SeccompProgram.h"
#include "scheduler/Strategy.h"
#include "spec/vocabulary/Spec.h"
#include "traces/TraceFile.h"

namespace faultbox::cli {

// What stays the same for every run of one command, made once: the
// signal handlers, the seccomp program, the cgroup mount, and the digests
// every trace header carries (the spec's and each binary's — hashed once,
// not per run).
class RunSetup {
 public:
  // Throws EnvironmentError (no cgroup2, the filter cannot be built).
  RunSetup(star::Spec& spec, engine::EngineHost& host, std::string spec_path, std::string spec_dir);
  RunSetup(const RunSetup&) = delete;
  RunSetup& operator=(const RunSetup&) = delete;

  star::Spec& spec;
  engine::EngineHost& host;
  const std::string spec_path;  // as the user gave it (written into traces)
  const std::string spec_dir;
  engine::InterruptSignal interrupt;
  const engine::SeccompProgram program;
  const engine::CgroupLocation cgroups;
  std::string spec_sha256;  // bare hex
  // service → "sha256:…" of its binary or its image's id ("none",
  // "unreadable", "image:NAME" when the daemon could not say), in spec order.
  std::vector<std::pair<std::string, std::string>> binaries;
  bool verbose = false;
  bool network_host = false;
  // Container mode: faultbox-shim beside the faultbox executable, and the
  // daemon DOCKER_HOST names.
  std::string shim_binary;
  std::string docker_host;
  // `faultbox explore`: the strategy places the faults of rules with
  // times=/probability= instead of the rules' own counts and draws.
  bool explored_placements = false;
};

struct RunMode {
  // Null: a free run (--free), nothing parked, the trace not replayable.
  std::unique_ptr<scheduler::Strategy> strategy;
  // Replay: the outcome recorded for each decision (step → text); a
  // different outcome is a divergence, never a silently different run.
  std::vector<std::string> expected_outcomes;
};

struct RunOutcome {
  bool passed = false;
  std::string details;  // indented lines after the PASS/FAIL line
  std::optional<TestFailure> failure;
  std::vector<FaultHit> faults;
  traces::TraceFile trace;
  std::optional<scheduler::Divergence> divergence;  // replay left the recorded decisions
  uint64_t decisions = 0;
  // The run's strategy, handed back (explore reads what it recorded).
  std::unique_ptr<scheduler::Strategy> strategy;
};

// Throws EnvironmentError and engine::Interrupted; everything a test can do
// wrong is a FAIL in the outcome.
RunOutcome run_one(const RunSetup& setup, const star::TestSpec& test, uint64_t seed, uint64_t run_number, RunMode mode);

// "test_x-seed7.log" (the run number when the seed does not tell runs apart).
std::string trace_file_name(const std::string& test, uint64_t seed);

}  // namespace faultbox::cli
