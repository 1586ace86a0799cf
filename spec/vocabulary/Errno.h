// Errno names a deny() rule may use: the Linux kernel's list, with their
// numbers on this machine. Unknown names are an error that lists the close
// matches, so "ECONREFUSED" is caught at `faultbox check` time.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace faultbox::star {

struct ErrnoName {
  const char* name;
  int value;
};

// Every known errno name, sorted by name.
std::span<const ErrnoName> errno_names();

std::optional<int> errno_value(std::string_view name);

// Known names close to `name` (a case-insensitive exact match first).
std::vector<std::string> close_errno_names(std::string_view name);

}  // namespace faultbox::star
