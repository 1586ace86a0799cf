// Loading a spec for a command that runs it (test, replay): every way it
// can fail becomes its one message on stderr and the exit code DESIGN.md §7
// gives it — a broken spec is 2, a binary that cannot run is 3.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/EngineHost.h"
#include "engine/KernelProbe.h"
#include "spec/vocabulary/Spec.h"

namespace faultbox::cli {

// The loaded spec, or null with `exit_code` set and the error printed
// (prefixed "faultbox COMMAND: " where it is not a rendered Starlark error).
std::unique_ptr<star::Spec> load_spec_or_report(const std::string& path, engine::EngineHost& host,
                                                const std::string& command, int& exit_code);

// The spec's tests whose name matches `glob` (fnmatch; "" = all), in spec
// order; none: the reason printed ("faultbox COMMAND: no test matches …").
std::vector<const star::TestSpec*> select_tests_or_report(const star::Spec& spec, const std::string& glob,
                                                         const std::string& command);

// Before any service starts: a kernel that cannot run a test says so, one
// line per missing feature (DESIGN.md §3), rather than failing obscurely
// inside the first launch. nullopt with the lines printed on stderr.
std::optional<engine::KernelProbeResult> probe_kernel_or_report(const std::string& command);

}  // namespace faultbox::cli
