// Who made a leftover: "<pid>:<start time>" of a faultbox process. A pid
// alone may be reused; with the start time (field 22 of /proc/PID/stat,
// clock ticks since boot) it names one process for good. Containers and
// networks carry it as a label; temporary folders carry it in their name,
// so the next faultbox can sweep what a killed one (kill -9) left behind,
// and never what a live one still uses.
#pragma once

#include <sys/types.h>

#include <string>

namespace faultbox::engine {

// "" when the process is gone.
std::string start_time_of(pid_t pid);
// "<pid>:<start time>" of this process.
std::string owner_of_self();
// Whether the faultbox named by "<pid>:<start>" still runs ("not ours to
// judge" — malformed — counts as alive: keep it).
bool owner_alive(const std::string& owner);
// $TMPDIR (or /tmp).
std::string temp_root();

// Makes $TMPDIR/<prefix><pid>-<start time>-XXXXXX (mkdtemp) and returns it.
// Throws EnvironmentError naming the cause.
std::string make_owned_temp_dir(const std::string& prefix);
// Removes every $TMPDIR/<prefix><pid>-<start time>-… whose owner is gone,
// and <prefix><pid>-XXXXXX of older builds whose pid is gone; folders it
// cannot judge stay. Returns how many it removed.
int sweep_owned_temp_dirs(const std::string& prefix);

}  // namespace faultbox::engine
