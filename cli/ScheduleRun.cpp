#include "cli/ScheduleRun.h"

#include <filesystem>
#include <memory>

#include "traces/ShivizWriter.h"

namespace faultbox::cli {

namespace fs = std::filesystem;

RunOutcome run_schedule(const RunSetup& setup, const star::TestSpec& test, const scheduler::Schedule& schedule,
                        const std::string& strategy, uint64_t seed, uint64_t run_number) {
  RunMode mode;
  mode.strategy = std::make_unique<scheduler::RecordingStrategy>(
      std::make_unique<scheduler::ScheduleStrategy>(schedule, strategy));
  return run_one(setup, test, seed, run_number, std::move(mode));
}

std::string write_trace_into(const std::string& dir, const std::string& file_name, const traces::TraceFile& trace) {
  const std::string d = dir.empty() ? std::string(kDefaultTraceDir) : dir;
  const std::string path = (fs::path(d) / file_name).string();
  fs::create_directories(d);
  traces::save_trace(path, trace);
  return path;
}

}  // namespace faultbox::cli
