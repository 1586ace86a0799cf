// Running a schedule the optimizer proposed (explorer/ScheduleOptimizer.h):
// an ordinary serialized run under scheduler::ScheduleStrategy — the prefix
// forced, then its fixed continuation policy — recorded like an explorer's
// run. `faultbox explore` runs a minimized failing schedule this way and
// `faultbox replay --reverse` a reversal; each then checks the run against
// its own claim (the same failure; the order realized). A schedule is a
// hypothesis until it ran: a run that leaves its prefix is a Divergence in
// the outcome, reported by the caller, never repaired.
#pragma once

#include <cstdint>
#include <string>

#include "cli/TestRun.h"
#include "scheduler/Schedule.h"
#include "spec/vocabulary/Spec.h"
#include "traces/TraceFile.h"

namespace faultbox::cli {

// Where traces go when no --trace-dir is given.
inline constexpr const char* kDefaultTraceDir = "faultbox-traces";

// `strategy` names the schedule in the new trace's header ("dpor-minimized",
// "reversed"). Throws what run_one throws.
RunOutcome run_schedule(const RunSetup& setup, const star::TestSpec& test, const scheduler::Schedule& schedule,
                        const std::string& strategy, uint64_t seed, uint64_t run_number);

// Writes `trace` as DIR/FILE_NAME (DIR created; "" = kDefaultTraceDir) and
// returns the path. Throws std::runtime_error / filesystem_error naming it.
std::string write_trace_into(const std::string& dir, const std::string& file_name, const traces::TraceFile& trace);

}  // namespace faultbox::cli
