// Loading a spec for a command that runs it (test, replay): every way it
// can fail becomes its one message on stderr and the exit code DESIGN.md §7
// gives it — a broken spec is 2, a binary that cannot run is 3.
#pragma once

#include <memory>
#include <string>

#include "engine/EngineHost.h"
#include "spec/vocabulary/Spec.h"

namespace faultbox::cli {

// The loaded spec, or null with `exit_code` set and the error printed
// (prefixed "faultbox COMMAND: " where it is not a rendered Starlark error).
std::unique_ptr<star::Spec> load_spec_or_report(const std::string& path, engine::EngineHost& host,
                                                const std::string& command, int& exit_code);

}  // namespace faultbox::cli
