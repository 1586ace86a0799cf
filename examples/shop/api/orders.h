// The order log: one JSON line per order, appended with write(2) and made
// durable with fsync before the api says "created". Plain syscalls on
// purpose: this is where faultbox's disk-full fault lands.
#pragma once

#include <string>

namespace shop {

struct AppendResult {
  int err = 0;        // errno of the failed open/write/fsync; 0 on success
  std::string step;   // which of them failed
};

// Appends `line` (a newline is added) to `path`, creating the file if needed.
AppendResult append_durably(const std::string& path, const std::string& line);

// True for errno values that mean "no room on the disk" to a user.
bool is_disk_full(int err);

}  // namespace shop
